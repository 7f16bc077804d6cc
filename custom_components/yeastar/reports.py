"""The report path: is a report the PBX's, can it be read, is it new; then apply it.

Every report from the PBX's address is answered 200, even one that cannot be read, is
not known, is too large or names another PBX: the PBX resends anything not answered 200 at
the head of its queue, so one refused report would hold back every report behind it, and
a resend cannot fix a bad body. Reports from any other address are refused (403). When
reports naming this PBX keep coming from one such address (a PBX with two interfaces, or a
proxy in front of Home Assistant that rewrites the source), the PBX's address is looked up
again at once, and if that does not explain it within a minute a repair issue lets the
user accept the address. A report identical to the one just before it is a resend whose
answer got lost, and is dropped. Reports that arrive before the entry is set up wait and
are applied, in order, once it is.
"""

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from . import issues
from .addresses import async_lookup_addresses
from .const import CONF_REPORT_ADDRESSES, LOGGER
from .listeners import KeyedListeners
from .pbx import (
    BootUpReport,
    Report,
    UnknownReport,
    YeastarReportError,
    is_shallow,
    parse_report,
    report_fingerprint,
    same_report,
)

LOG_EXCERPT: Final = 200
# Reports naming this PBX from one unexpected address are refused; when they keep coming
# for this long (time enough to look the PBX up again), the user is asked about it.
UNEXPECTED_GRACE: Final = timedelta(minutes=1)
LOGGED_KEYS: Final = 100
# Reports kept while the entry sets up (the PBX may post as soon as it is logged in).
EARLY_REPORTS_KEPT: Final = 1000
# The last-report sensor is told at most this often (it is a diagnostic).
LAST_REPORT_THROTTLE: Final = timedelta(seconds=60)
LAST_REPORT: Final = "last_report"


@dataclass(slots=True)
class ReportCounters:
    """What the report path has seen, for diagnostics."""

    accepted: int = 0
    refused_senders: int = 0
    other_serial: int = 0
    unparsable: int = 0
    unknown_events: int = 0
    duplicates: int = 0
    last_report: datetime | None = None
    last_unparsable: str = ""


def excerpt(body: bytes | str) -> str:
    """Return the start of a body, printable, for logs and diagnostics."""
    text = body[:LOG_EXCERPT]
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return ascii(text)[1:-1]


class ReportPath:
    """Check, parse and de-duplicate one PBX's reports, then hand them on."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        apply: Callable[[Report], None],
    ) -> None:
        """Handle the reports of an entry's PBX, applying each new one with ``apply``."""
        self._hass = hass
        self._entry = entry
        self._apply = apply
        self.serial_number: str = entry.unique_id or ""
        self.counters = ReportCounters()
        self.pbx_addresses: frozenset[str] = frozenset()
        self.accepted_addresses = frozenset(
            entry.options.get(CONF_REPORT_ADDRESSES, ())
        )
        self._last: Report | None = None  # the last new report, to tell resends
        self._logged: set[str] = set()
        self._unexpected_since: dict[str, datetime] = {}
        self._early: deque[Report] | None = deque(maxlen=EARLY_REPORTS_KEPT)
        self._listeners: KeyedListeners[[]] = KeyedListeners()
        self._last_told: datetime | None = None

    # ------------------------------------------------------------ life cycle

    async def async_resolve(self) -> None:
        """Look the PBX's address up (at set-up, and whenever it may have moved)."""
        self.pbx_addresses = await async_lookup_addresses(self._entry.data[CONF_HOST])

    @callback
    def async_re_resolve(self) -> None:
        """Look the PBX's address up again, in the background."""
        self._entry.async_create_background_task(
            self._hass, self.async_resolve(), "yeastar_resolve_pbx"
        )

    @callback
    def async_start(self) -> None:
        """Apply the reports that came while setting up, then every one as it comes."""
        early, self._early = self._early, None
        for report in early or ():
            self._accept(report)

    @callback
    def async_apply_options(self, options: dict[str, Any]) -> None:
        """Take the addresses the user accepted."""
        self.accepted_addresses = frozenset(options.get(CONF_REPORT_ADDRESSES, ()))

    @callback
    def listen_last_report(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Listen for accepted reports, told at most once a minute; return the remover."""
        return self._listeners.add(LAST_REPORT, listener)

    # --------------------------------------------------------------- reports

    @callback
    def async_handle(self, sender: str, body: bytes | None) -> HTTPStatus:
        """Take one POST (``body`` None: too large to read); return the answer's status."""
        if sender not in self.pbx_addresses and sender not in self.accepted_addresses:
            return self._from_unexpected_sender(sender, body)
        if body is None:
            return self._unreadable("larger than a PBX report", "too large to read")
        try:
            report = parse_report(body)
            if not is_shallow(body):
                report_fingerprint(report)  # raises when nested too deeply to digest
        except YeastarReportError as err:
            return self._unreadable(str(err), excerpt(body))
        if report.serial_number and report.serial_number != self.serial_number:
            self.counters.other_serial += 1
            self._log_once(
                f"serial:{report.serial_number}",
                "Ignoring reports naming another PBX (serial %s) from %s",
                report.serial_number,
                sender,
            )
            return HTTPStatus.OK
        if same_report(report, self._last):
            self.counters.duplicates += 1
            return HTTPStatus.OK
        self._last = report
        if isinstance(report, UnknownReport):
            self.counters.unknown_events += 1
            LOGGER.debug("Report of an unknown kind from the PBX: %s", excerpt(body))
        if self._early is not None:
            self._early.append(report)
        else:
            self._accept(report)
        return HTTPStatus.OK

    def _accept(self, report: Report) -> None:
        """Count a new report, tell the last-report sensor now and then, apply it."""
        self.counters.accepted += 1
        now = self.counters.last_report = dt_util.utcnow()
        if self._last_told is None or now - self._last_told >= LAST_REPORT_THROTTLE:
            self._last_told = now
            self._listeners.notify(LAST_REPORT)
        if isinstance(report, BootUpReport):
            self.async_re_resolve()
        self._apply(report)

    def _unreadable(self, why: str, shown: str) -> HTTPStatus:
        """Count a report that cannot be read; a resend would not fix it: 200."""
        self.counters.unparsable += 1
        self.counters.last_unparsable = shown
        self._log_once(
            "unreadable",
            "Ignoring a report from the PBX that cannot be read (%s); later ones are "
            "counted in the diagnostics: %s",
            why,
            shown,
        )
        return HTTPStatus.OK

    def _from_unexpected_sender(self, sender: str, body: bytes | None) -> HTTPStatus:
        """Refuse a report from an address that is not the PBX's (see the module doc)."""
        self.counters.refused_senders += 1
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
                self.async_re_resolve()
            elif now - since >= UNEXPECTED_GRACE:
                issues.async_raise_issue(
                    self._hass,
                    self._entry,
                    issues.UNEXPECTED_REPORT_ADDRESS,
                    address=sender,
                )
        return HTTPStatus.FORBIDDEN

    def _names_this_pbx(self, body: bytes) -> bool:
        """Tell whether a body is a report carrying this PBX's serial number."""
        try:
            report = parse_report(body)
        except YeastarReportError:
            return False
        return report.serial_number == self.serial_number

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
