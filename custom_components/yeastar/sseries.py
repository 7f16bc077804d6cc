"""The Yeastar S-Series behind the seam (``backend.py``): its words in the office's terms.

The inventory (``deviceinfo/query``, ``extension/list``, ``trunk/list``,
``companycontacts/query``), the phone words of ``ExtensionStatus`` reports, the call
reports (through the library's call tracker), the call records (``NewCdr`` as they come,
the CDR download for the time Home Assistant was away) and call control (dial, hang up)
of the S-Series API, all through the PBX session and its login discipline
(``session.py``).
"""

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .const import LOGGER, TRUNK_STATES
from .history import CallHistory
from .names import NameBook
from .office import (
    ExtensionInfo,
    Office,
    OfficeInventory,
    PbxIdentity,
    PhoneState,
    TrunkInfo,
)
from .pbx import (
    ActivityKind,
    BootUpReport,
    CallActivity,
    CallStatusReport,
    CallTracker,
    Cdr,
    CompanyContact,
    ConfigChangeReport,
    Extension,
    ExtensionStatusReport,
    NewCdrReport,
    Report,
    SystemInfo,
    Trunk,
    YeastarApiError,
    YeastarClient,
    hang_up_call,
    hang_up_extension,
)
from .session import PbxSession

# The S-Series words for a phone (extension/list and ExtensionStatus, compared
# case-insensitively; reference 5.2.1 and 7.4.1).
PHONE_STATE_BY_WORD: Final[Mapping[str, PhoneState]] = {
    "registered": PhoneState.IDLE,
    "idle": PhoneState.IDLE,
    "ringing": PhoneState.RINGING,
    "busy": PhoneState.BUSY,
    "hold": PhoneState.ON_HOLD,
    "unavailable": PhoneState.OFFLINE,
    "unregistered": PhoneState.OFFLINE,
    "malfunction": PhoneState.MALFUNCTION,
    "fxsnoport": PhoneState.MALFUNCTION,
}


def phone_from_word(word: str) -> PhoneState | None:
    """Return the phone state of an S-Series status word (None when not a known one)."""
    return PHONE_STATE_BY_WORD.get(word.strip().lower())


def trunk_state_from_word(word: str) -> str | None:
    """Return a trunk status word in lower snake case (None when not a known one)."""
    state = "_".join(word.strip().lower().split())
    return state if state in TRUNK_STATES else None


def identity_of(system: SystemInfo) -> PbxIdentity:
    """Return the PBX's identity from ``deviceinfo/query``."""
    return PbxIdentity(
        serial_number=system.serial_number,
        model=system.model,
        firmware=system.firmware_version,
        hardware=system.hardware_version,
    )


def extension_info(extension: Extension) -> ExtensionInfo:
    """Return an extension of ``extension/list`` in the office's terms."""
    return ExtensionInfo(
        number=extension.number,
        name=extension.name,
        kind=extension.type,
        phone=phone_from_word(extension.status),
        pbx_status=extension.status,
    )


def trunk_info(trunk: Trunk) -> TrunkInfo:
    """Return a trunk of ``trunk/list`` in the office's terms."""
    return TrunkInfo(
        name=trunk.name,
        kind=trunk.type,
        state=trunk_state_from_word(trunk.status),
        pbx_status=trunk.status,
    )


def contact_numbers(
    contacts: Iterable[CompanyContact],
) -> tuple[tuple[str, str], ...]:
    """Return (number, name) for every number of the company contacts that have a name."""
    return tuple(
        (number.number, contact.display_name)
        for contact in contacts
        if contact.display_name
        for number in contact.numbers
    )


class SSeriesBackend:
    """The S-Series PBX of one config entry: its session, its calls, its office."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        """Prepare the session and an empty office; nothing is sent yet."""
        self.session = PbxSession(hass, entry)
        self.tracker = CallTracker()
        self.office = Office(
            self.tracker, CallHistory(hass, entry.entry_id, NameBook())
        )
        # After a login (the PBX may have restarted, changed, lost reports meanwhile) the
        # poll reads everything again: who the PBX is (None: to be read), the calls in
        # progress as they are (``load``), the records since.
        self._resync = True
        # The records since are read until a download succeeds: a refused one is tried
        # again at the next poll, and the history's "known until" waits for it.
        self._catch_up = True
        self._catch_up_refused = False
        self._identity: PbxIdentity | None = None
        self._contacts: tuple[tuple[str, str], ...] = ()
        self._contacts_refused = False
        # Set at set-up: ask for a poll soon (the PBX changed beyond what a report
        # says), and hear of every re-login (the PBX may have rebooted or moved).
        self.request_poll: Callable[[], None] = lambda: None
        self.on_relogin: Callable[[], None] = lambda: None
        self.session.on_relogin = self._after_relogin

    async def async_connect(self) -> PbxIdentity:
        """Log in (ending a session left open) and return who the PBX is.

        A heartbeat follows at once: it tells the PBX the report address (``ipaddr``)
        that a login cannot carry.
        """
        await self.session.async_connect()
        async with self.session.async_requests() as client:
            self._identity = self._identify(await client.device_info())
        await self.session.async_heartbeat()
        return self._identity

    @callback
    def async_start(self) -> None:
        """Heartbeat from now on."""
        self.session.async_start()

    async def async_shutdown(self) -> None:
        """Log out, best effort."""
        await self.session.async_logout()

    @callback
    def async_apply_options(self, options: Mapping[str, Any]) -> None:
        """Tell the PBX where reports go when that changed."""
        self.session.async_apply_options(options)

    def _identify(self, system: SystemInfo) -> PbxIdentity:
        """Return who the PBX is; its clock's zone goes to the history."""
        if (zone := system.time_zone) is not None:
            self.office.history.pbx_zone = zone
        return identity_of(system)

    @callback
    def _after_relogin(self) -> None:
        """Resynchronise the calls and re-read everything: the PBX may have rebooted."""
        self._resync = True
        self._catch_up = True
        self._identity = None
        self.request_poll()
        self.on_relogin()

    async def async_read_inventory(self) -> OfficeInventory:
        """Read every extension, trunk, contact and call in progress (4 requests).

        After a (re)login also who the PBX is and the records of the calls that ended
        while Home Assistant was away or the PBX unreachable.
        """
        history = self.office.history
        now = dt_util.now()
        async with self.session.async_requests() as client:
            # First: a lost token is found (and the re-login made) here. Phone changes
            # pushed from now on are newer than this list.
            pushes_seen = self.office.pushes
            extensions = await client.extensions()
            if self._identity is None:  # re-read after each re-login
                self._identity = self._identify(await client.device_info())
            trunks = await client.trunks()
            contacts = await self._read_contacts(client)
            calls = await client.extension_calls()
            resync = self._resync
            records = await self._read_records(client, now) if self._catch_up else []
        self._resync = False
        inventory = OfficeInventory(
            identity=self._identity,
            extensions={ext.number: extension_info(ext) for ext in extensions},
            trunks={trunk.name: trunk_info(trunk) for trunk in trunks},
            contacts=contacts,
            pushes_seen=pushes_seen,
        )
        if resync:
            self.office.apply_activities(self.tracker.load(calls))
        else:
            self.office.apply_activities(self.tracker.reconcile(calls))
        # Missed calls whose record (NewCdr) never came are told as missed now.
        self._apply_ended_unrecorded(self.tracker.flush(), inventory)
        if records is None:  # the download failed: try again at the next poll
            return inventory
        self._catch_up = False
        for record in records:
            history.record(record, extensions=inventory.extensions.keys(), rang=())
        history.known_until(now)
        return inventory

    @callback
    def _apply_ended_unrecorded(
        self, activities: list[CallActivity], inventory: OfficeInventory
    ) -> None:
        """Tell how the calls whose record never came ended; keep the missed ones."""
        self.office.apply_activities(activities)
        self.office.history.record_lost(
            [a for a in activities if a.kind is ActivityKind.MISSED],
            extensions=inventory.extensions.keys(),
        )

    async def _read_contacts(
        self, client: YeastarClient
    ) -> tuple[tuple[str, str], ...]:
        """Read the company contacts; keep the last ones if the PBX refuses them."""
        try:
            self._contacts = contact_numbers(await client.company_contacts())
        except YeastarApiError as err:
            if not self._contacts_refused:
                LOGGER.info(
                    "The PBX gives no company contacts (%s): names from "
                    "the extensions and the phone book only",
                    err,
                )
                self._contacts_refused = True
        else:
            self._contacts_refused = False
        return self._contacts

    async def _read_records(
        self, client: YeastarClient, now: datetime
    ) -> list[Cdr] | None:
        """Read the records of the calls that started since the history knows them.

        At the first set-up the history starts now: older calls are not read back.
        """
        if (since := self.office.history.catch_up_from()) is None:
            return []
        try:
            zone = self.office.history.pbx_zone
            records = await client.cdr_records(
                since.astimezone(zone), now.astimezone(zone)
            )
        except YeastarApiError as err:
            if not self._catch_up_refused:  # once until a download succeeds
                LOGGER.warning(
                    "The PBX did not give the records of the calls since %s (%s): "
                    "calls that ended meanwhile join the history once it does "
                    "(tried at every poll)",
                    dt_util.as_local(since).strftime("%Y-%m-%d %H:%M"),
                    err,
                )
                self._catch_up_refused = True
            return None
        self._catch_up_refused = False
        LOGGER.debug("Read %d call records since %s", len(records), since)
        return records

    async def async_dial(self, caller: str, callee: str, *, auto_answer: bool) -> str:
        """Ring ``caller``, then connect it to ``callee``; return the call id."""
        async with self.session.async_requests() as client:
            return await client.dial(caller, callee, auto_answer=auto_answer)

    async def async_hang_up_extension(self, number: str) -> bool:
        """End an extension's calls, with the channels its reports named first."""
        known = self.tracker.channels_for_extension(number)
        async with self.session.async_requests() as client:
            return await hang_up_extension(client, number, known)

    async def async_hang_up_call(self, call_id: str) -> bool:
        """End a call, with the channels its reports named first."""
        known = self.tracker.channels_for_call(call_id)
        async with self.session.async_requests() as client:
            return await hang_up_call(client, call_id, known)

    # --------------------------------------------------------------- reports

    @callback
    def apply_report(self, report: Report) -> None:
        """Apply one accepted report to the office: the state it concerns, nothing else."""
        match report:
            case ExtensionStatusReport():
                if not self.office.set_phone(
                    report.extension, phone_from_word(report.status)
                ):
                    self.request_poll()  # an extension not seen yet: the poll adds it
            case NewCdrReport():
                activities = self.tracker.handle(report)
                self.office.apply_activities(activities)
                self.office.record_calls([report.cdr], activities)
            case CallStatusReport():
                self.office.apply_activities(self.tracker.handle(report))
            case ConfigChangeReport():
                LOGGER.debug("Configuration changed on the PBX: %s", report.raw)
                self.request_poll()
            case BootUpReport():
                LOGGER.info("The PBX restarted; re-reading its state")
                self._apply_ended_unrecorded(
                    self.tracker.handle(report), self.office.inventory
                )
                self._resync = True
                self._catch_up = True
                self._identity = None
                self.request_poll()
            case _:
                LOGGER.debug("Report %s needs no state change", report.name)
