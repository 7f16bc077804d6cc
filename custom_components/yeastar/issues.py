"""Repair issues: problems only the user can fix, each explained with its fix.

Every issue belongs to one config entry (its id ends with the entry id). The fixable
ones carry what their fix flow (``repairs.py``) needs in their data.
"""

from dataclasses import dataclass
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN

LOCKED_OUT: Final = "locked_out"
CERTIFICATE_CHANGED: Final = "certificate_changed"
NO_REPORT_URL: Final = "no_report_url"
REPORT_URL_HTTPS: Final = "report_url_https"
TOKEN_REFUSED: Final = "token_refused"  # noqa: S105 - an issue key, no secret
UNEXPECTED_REPORT_ADDRESS: Final = "unexpected_report_address"

# Keys of a fixable issue's data.
DATA_ENTRY_ID: Final = "entry_id"
DATA_ADDRESS: Final = "address"


@dataclass(frozen=True, slots=True)
class IssueKind:
    """How serious an issue is, and whether Home Assistant can fix it for the user."""

    severity: ir.IssueSeverity
    fixable: bool = False


KINDS: Final[dict[str, IssueKind]] = {
    LOCKED_OUT: IssueKind(ir.IssueSeverity.ERROR),
    CERTIFICATE_CHANGED: IssueKind(ir.IssueSeverity.ERROR, fixable=True),
    NO_REPORT_URL: IssueKind(ir.IssueSeverity.WARNING),
    REPORT_URL_HTTPS: IssueKind(ir.IssueSeverity.WARNING),
    TOKEN_REFUSED: IssueKind(ir.IssueSeverity.ERROR),
    UNEXPECTED_REPORT_ADDRESS: IssueKind(ir.IssueSeverity.WARNING, fixable=True),
}


def issue_id(kind: str, entry: ConfigEntry[Any]) -> str:
    """Return the id of one kind of issue for one entry."""
    return f"{kind}_{entry.entry_id}"


@callback
def async_raise_issue(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    kind: str,
    **placeholders: str,
) -> None:
    """Raise (or refresh) an issue of an entry; placeholders add to title and host."""
    details = KINDS[kind]
    data: dict[str, str | int | float | None] | None = None
    if details.fixable:
        data = {DATA_ENTRY_ID: entry.entry_id, **placeholders}
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(kind, entry),
        is_fixable=details.fixable,
        severity=details.severity,
        translation_key=kind,
        translation_placeholders={"title": entry.title, "host": entry.data[CONF_HOST]}
        | placeholders,
        data=data,
    )


@callback
def async_clear_issue(hass: HomeAssistant, entry: ConfigEntry[Any], kind: str) -> None:
    """Withdraw an issue of an entry; nothing happens when it is not raised."""
    ir.async_delete_issue(hass, DOMAIN, issue_id(kind, entry))
