"""The event path: the webhook the PBX posts its reports to.

Every report from the PBX is answered 200 at once, even one that cannot be read, is not
known, is too large or names another PBX: the PBX resends anything not answered 200 at
the head of its queue, so one refused report would block every report behind it, and a
resend cannot fix a bad body. Reports from any other address are refused with 403. When
reports naming this PBX keep coming from one such address (the PBX has a second
interface, or a proxy in front of Home Assistant rewrites the source), the PBX's address
is looked up again at once, and if that does not explain it within a minute a repair issue
lets the user accept the address. A report identical to the one just before it is a resend whose answer got
lost, and is dropped.

Nothing raises out of the handler: Home Assistant would log the webhook id with the
traceback, and answer the PBX as if the report had been taken.
"""

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Final

from aiohttp import ClientError
from aiohttp.web import Request, Response
from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from . import issues
from .addresses import plain_address
from .const import DOMAIN, LOGGER
from .coordinator import YeastarConfigEntry, YeastarCoordinator
from .pbx.errors import YeastarReportError
from .pbx.events import UnknownEvent, parse_report, report_fingerprint

# A PBX report is a few hundred bytes; a CallStatus of a large ring group a few KB.
MAX_REPORT_BYTES: Final = 64 * 1024
LOG_EXCERPT: Final = 200
# Reports naming this PBX from one unexpected address are refused; when they keep coming
# for this long (time enough to ask the PBX where it answers from now), the user is
# asked whether that address is the PBX's.
UNEXPECTED_GRACE: Final = timedelta(minutes=1)
LOGGED_KEYS: Final = 100


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


def excerpt(body: bytes | str) -> str:
    """Return the start of a body, printable, for logs and diagnostics."""
    text = body[:LOG_EXCERPT]
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return ascii(text)[1:-1]


async def _read_bounded(request: Request) -> bytes | None:
    """Return the body, or None when it is larger than any PBX report could be."""
    if (request.content_length or 0) > MAX_REPORT_BYTES:
        return None
    body = bytearray()
    chunks: AsyncIterator[bytes] = request.content.iter_any()
    async for chunk in chunks:
        body += chunk
        if len(body) > MAX_REPORT_BYTES:
            return None
    return bytes(body)


class ReportHandler:
    """Check, parse and de-duplicate reports, then hand them to the coordinator."""

    def __init__(self, coordinator: YeastarCoordinator) -> None:
        """Handle reports for one PBX."""
        self._coordinator = coordinator
        self._counters = coordinator.reports
        self._last_fingerprint = ""
        self._logged: set[str] = set()
        # When reports naming this PBX started to come from an unexpected address.
        self._unexpected_since: dict[str, datetime] = {}

    async def async_handle(
        self, hass: HomeAssistant, webhook_id: str, request: Request
    ) -> Response:
        """Answer one POST to the webhook."""
        sender = plain_address(request.remote)
        try:
            body = await _read_bounded(request)
        except (ClientError, OSError) as err:
            LOGGER.debug("Could not read a report from %s: %s", sender, err)
            return Response(status=HTTPStatus.OK)
        try:
            return self._handle(sender, body)
        except Exception:  # noqa: BLE001 - a bug must not reach the webhook component
            LOGGER.exception("Unexpected error while handling a report from the PBX")
            return Response(status=HTTPStatus.OK)

    def _handle(self, sender: str, body: bytes | None) -> Response:
        """Check, parse and apply one report; return the answer for the PBX."""
        if not self._coordinator.accepts_reports_from(sender):
            return self._from_unexpected_sender(sender, body)
        if body is None:
            return self._unreadable(
                "larger than a PBX report", f"{MAX_REPORT_BYTES}+ bytes"
            )
        try:
            event = parse_report(body)
            fingerprint = report_fingerprint(event)
        except YeastarReportError as err:
            return self._unreadable(str(err), excerpt(body))
        if (
            event.serial_number
            and event.serial_number != self._coordinator.serial_number
        ):
            self._counters.other_serial += 1
            self._log_once(
                f"serial:{event.serial_number}",
                "Ignoring reports naming another PBX (serial %s) from %s",
                event.serial_number,
                sender,
            )
            return Response(status=HTTPStatus.OK)
        if fingerprint == self._last_fingerprint:
            self._counters.duplicates += 1
            return Response(status=HTTPStatus.OK)
        self._last_fingerprint = fingerprint
        if isinstance(event, UnknownEvent):
            self._counters.unknown_events += 1
            LOGGER.debug("Report of an unknown kind from the PBX: %s", excerpt(body))
        self._coordinator.async_handle_report(event)
        return Response(status=HTTPStatus.OK)

    def _unreadable(self, why: str, shown: str) -> Response:
        """Count a report that cannot be read; a resend would not fix it: 200."""
        self._counters.unparsable += 1
        self._counters.last_unparsable = shown
        self._log_once(
            "unreadable",
            "Ignoring a report from the PBX that cannot be read (%s); later ones are "
            "counted in the diagnostics: %s",
            why,
            shown,
        )
        return Response(status=HTTPStatus.OK)

    def _from_unexpected_sender(self, sender: str, body: bytes | None) -> Response:
        """Refuse a report from an address that is not the PBX's.

        When reports naming this PBX keep coming from it, look the PBX up again (its
        address may have changed) and ask the user whether to accept that address.
        """
        self._counters.refused_senders += 1
        self._log_once(
            f"sender:{sender}",
            "Refused a report from %s: it does not come from the PBX's address",
            sender,
        )
        if body is not None and self._names_this_pbx(body):
            now = dt_util.utcnow()
            if (since := self._unexpected_since.get(sender)) is None:
                if len(self._unexpected_since) < LOGGED_KEYS:
                    self._unexpected_since[sender] = now
                self._coordinator.async_re_resolve()
            elif now - since >= UNEXPECTED_GRACE:
                issues.async_raise_issue(
                    self._coordinator.hass,
                    self._coordinator.config_entry,
                    issues.UNEXPECTED_REPORT_ADDRESS,
                    address=sender,
                )
        return Response(status=HTTPStatus.FORBIDDEN)

    def _names_this_pbx(self, body: bytes) -> bool:
        """Tell whether a body is a report carrying this PBX's serial number."""
        try:
            event = parse_report(body)
        except YeastarReportError:
            return False
        return event.serial_number == self._coordinator.serial_number

    def _log_once(self, key: str, message: str, *args: object) -> None:
        """Log a warning the first time, then at debug level only.

        At most ``LOGGED_KEYS`` kinds are remembered: a flood of strangers is logged at
        debug level beyond them.
        """
        if key in self._logged or len(self._logged) >= LOGGED_KEYS:
            LOGGER.debug(message, *args)
            return
        self._logged.add(key)
        LOGGER.warning(message, *args)
