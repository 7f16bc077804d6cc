"""Repair issues: problems only the user can fix, each explained with its fix."""

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN

LOCKED_OUT = "locked_out"
CERTIFICATE_CHANGED = "certificate_changed"
NO_REPORT_URL = "no_report_url"
REPORT_URL_HTTPS = "report_url_https"

_SEVERITY = {
    LOCKED_OUT: ir.IssueSeverity.ERROR,
    CERTIFICATE_CHANGED: ir.IssueSeverity.ERROR,
    NO_REPORT_URL: ir.IssueSeverity.WARNING,
    REPORT_URL_HTTPS: ir.IssueSeverity.WARNING,
}


def issue_id(kind: str, entry: ConfigEntry[Any]) -> str:
    """Return the id of one kind of issue for one entry."""
    return f"{kind}_{entry.entry_id}"


@callback
def async_raise_issue(hass: HomeAssistant, entry: ConfigEntry[Any], kind: str) -> None:
    """Raise (or refresh) an issue of an entry."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(kind, entry),
        is_fixable=False,
        severity=_SEVERITY[kind],
        translation_key=kind,
        translation_placeholders={"title": entry.title, "host": entry.data[CONF_HOST]},
    )


@callback
def async_clear_issue(hass: HomeAssistant, entry: ConfigEntry[Any], kind: str) -> None:
    """Withdraw an issue of an entry; nothing happens when it is not raised."""
    ir.async_delete_issue(hass, DOMAIN, issue_id(kind, entry))
