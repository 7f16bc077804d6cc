"""The Yeastar S-Series behind the seam (``backend.py``): its words in the office's terms.

The inventory (``deviceinfo/query``, ``extension/list``, ``trunk/list``), the phone words
of ``ExtensionStatus`` reports, the call reports (through the library's call tracker) and
call control (dial, hang up) of the S-Series API, all through the PBX session and its
login discipline (``session.py``).
"""

from collections.abc import Callable, Mapping
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback

from .const import LOGGER, TRUNK_STATES
from .office import (
    ExtensionInfo,
    Office,
    OfficeInventory,
    PbxIdentity,
    PhoneState,
    TrunkInfo,
)
from .pbx import (
    BootUpReport,
    CallStatusReport,
    CallTracker,
    ConfigChangeReport,
    Extension,
    ExtensionStatusReport,
    NewCdrReport,
    Report,
    SystemInfo,
    Trunk,
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


class SSeriesBackend:
    """The S-Series PBX of one config entry: its session, its calls, its office."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        """Prepare the session and an empty office; nothing is sent yet."""
        self.session = PbxSession(hass, entry)
        self.tracker = CallTracker()
        self.office = Office(self.tracker)
        self._resync_calls = True
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
            identity = identity_of(await client.device_info())
        await self.session.async_heartbeat()
        return identity

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

    @callback
    def _after_relogin(self) -> None:
        """Resynchronise the calls and re-read everything: the PBX may have rebooted."""
        self._resync_calls = True
        self.request_poll()
        self.on_relogin()

    async def async_read_inventory(self) -> OfficeInventory:
        """Read the PBX, every extension and trunk; the calls too after a (re)login."""
        async with self.session.async_requests() as client:
            system = await client.device_info()
            extensions = await client.extensions()
            trunks = await client.trunks()
            calls = await client.extension_calls() if self._resync_calls else None
        if calls is not None:
            self._resync_calls = False
            self.office.apply_activities(self.tracker.load(calls))
        # Missed calls whose record (NewCdr) never came are told as missed now.
        self.office.apply_activities(self.tracker.flush())
        return OfficeInventory(
            identity=identity_of(system),
            extensions={ext.number: extension_info(ext) for ext in extensions},
            trunks={trunk.name: trunk_info(trunk) for trunk in trunks},
        )

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
            case CallStatusReport() | NewCdrReport():
                self.office.apply_activities(self.tracker.handle(report))
            case ConfigChangeReport():
                LOGGER.debug("Configuration changed on the PBX: %s", report.raw)
                self.request_poll()
            case BootUpReport():
                LOGGER.info("The PBX restarted; re-reading its state")
                self.office.apply_activities(self.tracker.handle(report))
                self._resync_calls = True
                self.request_poll()
            case _:
                LOGGER.debug("Report %s needs no state change", report.name)
