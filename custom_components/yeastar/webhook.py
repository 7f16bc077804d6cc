"""The event path: the webhook the PBX posts its reports to.

Every report from the PBX is answered 200 at once, even one that cannot be read or is
not known: the PBX resends anything not answered 200, and a resend cannot fix a bad
body. Reports from any other address are refused with 403. A report identical to the
one just before it is a resend whose answer got lost, and is dropped.
"""

from http import HTTPStatus
import ipaddress

from aiohttp.web import Request, Response
from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback

from .const import DOMAIN, LOGGER
from .coordinator import YeastarConfigEntry, YeastarCoordinator
from .pbx.errors import YeastarReportError
from .pbx.events import UnknownEvent, parse_report, report_fingerprint

UNPARSABLE_EXCERPT = 200


@callback
def async_register_webhook(
    hass: HomeAssistant, entry: YeastarConfigEntry, coordinator: YeastarCoordinator
) -> None:
    """Register the entry's webhook; it is unregistered when the entry unloads."""
    webhook_id: str = entry.data[CONF_WEBHOOK_ID]
    webhook.async_register(
        hass,
        DOMAIN,
        f"Yeastar {entry.title}",
        webhook_id,
        ReportHandler(coordinator).async_handle,
        local_only=True,
        allowed_methods=["POST"],
    )
    entry.async_on_unload(lambda: webhook.async_unregister(hass, webhook_id))


def _plain_address(remote: str | None) -> str:
    """Return a sender address in the form the PBX addresses are kept in."""
    if remote is None:
        return ""
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return remote
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return str(address)


class ReportHandler:
    """Check, parse and de-duplicate reports, then hand them to the coordinator."""

    def __init__(self, coordinator: YeastarCoordinator) -> None:
        """Handle reports for one PBX."""
        self._coordinator = coordinator
        self._counters = coordinator.reports
        self._last_fingerprint = ""
        self._strangers_logged: set[str] = set()

    async def async_handle(
        self, hass: HomeAssistant, webhook_id: str, request: Request
    ) -> Response:
        """Answer one POST to the webhook."""
        sender = _plain_address(request.remote)
        if sender not in self._coordinator.pbx_addresses:
            return self._refuse(sender, "it does not come from the PBX's address")
        body = await request.read()
        try:
            event = parse_report(body)
        except YeastarReportError as err:
            self._counters.unparsable += 1
            self._counters.last_unparsable = body[:UNPARSABLE_EXCERPT].decode(
                errors="replace"
            )
            LOGGER.warning("Ignoring an unreadable report from the PBX: %s", err)
            return Response(status=HTTPStatus.OK)
        if (
            event.serial_number
            and event.serial_number != self._coordinator.serial_number
        ):
            return self._refuse(sender, f"it names another PBX ({event.serial_number})")
        fingerprint = report_fingerprint(event)
        if fingerprint == self._last_fingerprint:
            self._counters.duplicates += 1
            return Response(status=HTTPStatus.OK)
        self._last_fingerprint = fingerprint
        if isinstance(event, UnknownEvent):
            self._counters.unknown_events += 1
            LOGGER.debug("Report of an unknown kind from the PBX: %s", event.raw)
        self._coordinator.async_handle_report(event)
        return Response(status=HTTPStatus.OK)

    def _refuse(self, sender: str, why: str) -> Response:
        """Refuse a report from a stranger; log each stranger once."""
        self._counters.refused_senders += 1
        if sender not in self._strangers_logged:
            self._strangers_logged.add(sender)
            LOGGER.warning("Refused a report from %s: %s", sender, why)
        return Response(status=HTTPStatus.FORBIDDEN)
