"""Where the PBX must post its event reports: Home Assistant's own webhook URL.

The PBX posts plain HTTP only, to an address and port it is given at login and at
every heartbeat. By default that is Home Assistant's internal URL; the options may
override the host and port (Home Assistant behind NAT, in a container, or with several
network interfaces). When there is no usable URL a repair issue says how to fix it and
the integration keeps working by polling.
"""

from collections.abc import Mapping
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.network import NoURLAvailableError, get_url
from yarl import URL

from . import issues
from .const import CONF_CALLBACK_HOST, CONF_CALLBACK_PORT
from .pbx import ReportDestination


@callback
def async_report_destination(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    options: Mapping[str, Any] | None = None,
) -> ReportDestination | None:
    """Return where reports must go, or None (with a repair issue) when nowhere."""
    options = entry.options if options is None else options
    host: str | None = options.get(CONF_CALLBACK_HOST)
    port: int | None = options.get(CONF_CALLBACK_PORT)
    if not host or not port:
        try:
            internal = URL(get_url(hass, allow_external=False, allow_cloud=False))
        except NoURLAvailableError:
            _raise_only(hass, entry, issues.NO_REPORT_URL)
            return None
        if internal.scheme != "http":
            _raise_only(hass, entry, issues.REPORT_URL_HTTPS)
            return None
        host = host or internal.host
        port = port or internal.port
    _raise_only(hass, entry, None)
    return ReportDestination(
        port=int(port or 0),
        url=webhook.async_generate_path(entry.data[CONF_WEBHOOK_ID]).lstrip("/"),
        ip_address=host,
    )


def _raise_only(hass: HomeAssistant, entry: ConfigEntry[Any], kind: str | None) -> None:
    """Raise the issue ``kind`` (if any) and withdraw the other report-URL issue."""
    for other in (issues.NO_REPORT_URL, issues.REPORT_URL_HTTPS):
        if other == kind:
            issues.async_raise_issue(hass, entry, other)
        else:
            issues.async_clear_issue(hass, entry, other)
