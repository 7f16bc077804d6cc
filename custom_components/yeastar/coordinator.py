"""The coordinator: owns the PBX API token, its heartbeat, and the office's state.

State arrives two ways. The PBX pushes event reports to Home Assistant's webhook
(`webhook.py` hands them to `async_handle_report`); each one touches only the entities it
concerns, through per-extension listeners, so its cost does not grow with the size of
the office. A slow reconciliation poll (`_async_update_data`) re-reads every extension
and trunk as a safety net and notifies every entity.

Login discipline (five failed logins lock Home Assistant out for ten minutes):
- the first login happens in `async_connect` at setup; every later login is either the
  client's single re-login on a token error, or one explicit attempt after a back-off
  (`backoff.py`) has run out;
- rejected credentials stop all logins and start reauthentication;
- a lock-out, or tokens the PBX refuses (a fresh one refused, or tokens ending again and
  again while in use: another client on the same API account), stop all requests for a
  while and raise a repair issue.
"""

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, EVENT_HOMEASSISTANT_STOP
from homeassistant.core import (
    CALLBACK_TYPE,
    Event as HassEvent,
    HomeAssistant,
    callback,
)
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryError,
    ConfigEntryNotReady,
)
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from . import backoff, issues
from .addresses import async_lookup_addresses
from .compat import async_get_entry_device
from .connection import create_client
from .const import (
    CONF_POLL_INTERVAL,
    CONF_REPORT_ADDRESSES,
    DEFAULT_POLL_INTERVAL,
    DOMAIN,
    HEARTBEAT_INTERVAL,
    LOGGER,
    PBX_EXTENSION_STATUS_TO_STATE,
)
from .destination import async_report_destination
from .pbx.calls import ActiveCall, CallActivity, CallState, CallTracker
from .pbx.errors import (
    YeastarApiDisabledError,
    YeastarApiError,
    YeastarAuthenticationError,
    YeastarCertificateError,
    YeastarConnectionError,
    YeastarError,
    YeastarLockedOutError,
    YeastarTokenRefusedError,
)
from .pbx.events import (
    BootUpEvent,
    CallStatusEvent,
    ConfigChangeEvent,
    Event,
    ExtensionStatusEvent,
    NewCdrEvent,
)
from .pbx.models import DeviceInfo, Extension, LoginResult, Trunk
from .session_store import SessionStore

type YeastarConfigEntry = ConfigEntry[YeastarCoordinator]

# Tokens that end while in use this often (re-logins within the window) mean another
# client takes them over: stop logging in by itself and back off.
RELOGINS_BEFORE_BACKOFF = 3
RELOGIN_WINDOW = timedelta(minutes=10)
# After tokens were refused, a new token must live this long before Home Assistant
# logs in again by itself when it ends (until then each loss means a longer wait).
TOKEN_PROBATION = timedelta(minutes=5)
# Reports kept while the entry sets up (the PBX may post as soon as it is logged in).
EARLY_REPORTS_KEPT = 1000


@dataclass(slots=True, kw_only=True)
class YeastarData:
    """What Home Assistant knows of the PBX: its identity, extensions and trunks.

    The poll replaces the whole object; a report replaces one extension in place, so
    that it costs the same for an office of 5 or 500 extensions.
    """

    device: DeviceInfo
    extensions: dict[str, Extension]
    trunks: dict[str, Trunk]


@dataclass(slots=True)
class ReportCounters:
    """What the event path has seen, for diagnostics."""

    accepted: int = 0
    refused_senders: int = 0
    other_serial: int = 0
    unparsable: int = 0
    unknown_events: int = 0
    duplicates: int = 0
    last_report: datetime | None = None
    last_unparsable: str = ""


@dataclass(slots=True)
class ConnectionTimes:
    """When the coordinator last logged in and heartbeated, for diagnostics."""

    last_login: datetime | None = None
    last_heartbeat: datetime | None = None
    logins: int = 0


class _KeyedListeners[**P]:
    """Callbacks keyed by what they watch (an extension number, or a topic).

    Notifying a key calls only that key's listeners: the cost of a report does not
    grow with the number of extensions.
    """

    def __init__(self) -> None:
        """Start with no listeners."""
        self._by_key: dict[str, list[Callable[P, None]]] = {}

    def add(self, key: str, listener: Callable[P, None]) -> CALLBACK_TYPE:
        """Add a listener; return the callable that removes it."""
        listeners = self._by_key.setdefault(key, [])
        listeners.append(listener)

        def remove() -> None:
            listeners.remove(listener)
            if not listeners:
                self._by_key.pop(key, None)

        return remove

    def notify(self, key: str, *args: P.args, **kwargs: P.kwargs) -> None:
        """Call the listeners of one key."""
        for listener in list(self._by_key.get(key, ())):
            listener(*args, **kwargs)


LAST_REPORT_KEY = "last_report"


def _extension_key(number: str) -> str:
    """Return the listener key of an extension's state."""
    return f"extension:{number}"


class YeastarCoordinator(DataUpdateCoordinator[YeastarData]):
    """Own the PBX token and heartbeat, and keep the office's state."""

    config_entry: YeastarConfigEntry

    def __init__(self, hass: HomeAssistant, entry: YeastarConfigEntry) -> None:
        """Create the coordinator and its client for a config entry."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"Yeastar {entry.title}",
            update_interval=timedelta(
                seconds=entry.options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL)
            ),
        )
        self.serial_number: str = entry.unique_id or ""
        self.client = create_client(hass, entry.data, on_login=self._on_login)
        self.tracker = CallTracker()
        self.reports = ReportCounters()
        self.times = ConnectionTimes()
        self._entry_data = dict(entry.data)
        self._session_store = SessionStore(hass, entry.entry_id)
        self.pbx_addresses: frozenset[str] = frozenset()
        self.accepted_addresses = frozenset(
            entry.options.get(CONF_REPORT_ADDRESSES, ())
        )
        # The PBX's own device in the registry: the parent of every other device.
        self.pbx_device_id = ""
        self._state_listeners: _KeyedListeners[[]] = _KeyedListeners()
        self._activity_listeners: _KeyedListeners[[CallActivity]] = _KeyedListeners()
        self._resync_calls = True
        self._relogins: deque[datetime] = deque(maxlen=RELOGINS_BEFORE_BACKOFF)
        self._explicit_login = False
        # Until the first refresh has read the office, reports wait here.
        self._early_reports: deque[Event] | None = deque(maxlen=EARLY_REPORTS_KEPT)

    # ----------------------------------------------------------------- setup

    async def async_connect(self) -> None:
        """Log in for the first time and check that this is the configured PBX.

        Raises the setup exceptions Home Assistant expects, translated. A session an
        earlier run could not log out of is ended first, so that it posts no reports.
        """
        if (waiting := self._active_backoff()) is not None:
            raise ConfigEntryNotReady(**_backoff_error(waiting))
        self.client.report_destination = async_report_destination(
            self.hass, self.config_entry
        )
        self.pbx_addresses = await self._async_resolve_pbx_addresses()
        await self._async_end_stale_session()
        try:
            await self._async_login()
            device = await self.client.device_info()
        except YeastarError as err:
            raise self._failure(err, during_setup=True) from err
        self._end_backoff()
        if self.serial_number and device.serial_number != self.serial_number:
            raise ConfigEntryError(
                translation_domain=DOMAIN,
                translation_key="wrong_device",
                translation_placeholders={
                    "expected": self.serial_number,
                    "found": device.serial_number,
                },
            )
        issues.async_clear_issue(
            self.hass, self.config_entry, issues.CERTIFICATE_CHANGED
        )
        await self._async_heartbeat()

    async def _async_end_stale_session(self) -> None:
        """Log out of a session an earlier run left open (best effort)."""
        if (token := await self._session_store.async_left_open()) is None:
            return
        try:
            await self.client.logout(token)
        except YeastarApiError:
            pass  # the PBX no longer knows it: ended already
        except YeastarError as err:
            LOGGER.debug("Could not end the previous PBX session: %s", err)
            return
        LOGGER.debug("Ended the PBX session an earlier run left open")
        await self._session_store.async_forget()

    @callback
    def async_start(self) -> None:
        """Heartbeat every few minutes until the entry unloads; log out when HA stops.

        Home Assistant does not unload entries when it stops: without this logout the
        PBX would keep the old session (and post its reports) after a restart.
        """
        self.config_entry.async_on_unload(
            async_track_time_interval(
                self.hass,
                self._async_scheduled_heartbeat,
                HEARTBEAT_INTERVAL,
                name="Yeastar heartbeat",
            )
        )
        self.config_entry.async_on_unload(
            self.hass.bus.async_listen_once(
                EVENT_HOMEASSISTANT_STOP, self._async_shutdown_at_stop
            )
        )
        early, self._early_reports = self._early_reports, None
        for event in early or ():
            self.async_handle_report(event)

    async def _async_shutdown_at_stop(self, _event: HassEvent[Any]) -> None:
        """Log out as Home Assistant stops."""
        await self.async_shutdown()

    async def async_shutdown(self) -> None:
        """Stop polling and log out, best effort (the PBX may be gone)."""
        await super().async_shutdown()
        if self.client.token is None:
            return
        try:
            await self.client.logout()
        except YeastarError as err:
            LOGGER.debug("Logout from the PBX failed: %s", err)
        else:
            await self._session_store.async_forget()

    def connects_with(self, data: Mapping[str, Any]) -> bool:
        """Tell whether entry data are the ones this coordinator logged in with."""
        return dict(data) == self._entry_data

    @callback
    def async_apply_options(self, options: Mapping[str, Any]) -> None:
        """Apply new options at once: poll interval, where reports go, who may post them."""
        self.update_interval = timedelta(
            seconds=options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL)
        )
        self.accepted_addresses = frozenset(options.get(CONF_REPORT_ADDRESSES, ()))
        destination = async_report_destination(self.hass, self.config_entry, options)
        if destination != self.client.report_destination:
            self.client.report_destination = destination
            self.config_entry.async_create_background_task(
                self.hass, self._async_heartbeat(), "yeastar_new_report_destination"
            )

    # ----------------------------------------------------------------- token

    async def _async_login(self) -> None:
        """Log in because the coordinator decided to (setup, or a back-off is over)."""
        self._explicit_login = True
        try:
            await self.client.login()
        finally:
            self._explicit_login = False

    @callback
    def _on_login(self, result: LoginResult) -> None:
        """Note a login; after a re-login, re-read everything (the PBX may have rebooted)."""
        first = self.times.logins == 0
        self.times.logins += 1
        self.times.last_login = now = dt_util.utcnow()
        self.config_entry.async_create_background_task(
            self.hass,
            self._session_store.async_remember(result.token),
            "yeastar_remember_session",
        )
        if result.transport and result.transport != "HTTP":
            LOGGER.warning(
                "The PBX reports events over %s; this integration needs the HTTP "
                "report method (PBX API settings)",
                result.transport,
            )
        if first:
            return
        if not self._explicit_login:
            self._count_relogin(now)
        self._resync_calls = True
        self.config_entry.async_create_background_task(
            self.hass, self._async_after_relogin(), "yeastar_after_login"
        )

    def _count_relogin(self, when: datetime) -> None:
        """Count a re-login after a lost token; back off when they come too often."""
        self._relogins.append(when)
        if (
            len(self._relogins) == RELOGINS_BEFORE_BACKOFF
            and when - self._relogins[0] < RELOGIN_WINDOW
        ):
            # Tokens keep ending while in use: another client takes them over.
            refusal = YeastarTokenRefusedError("20004")
            self.client.hold_logins(refusal)
            self._start_backoff(refusal)

    async def _async_after_relogin(self) -> None:
        """After a re-login (a reboot, a new address?): re-resolve, re-send, re-read."""
        self.pbx_addresses = await self._async_resolve_pbx_addresses()
        await self._async_heartbeat()
        await self.async_request_refresh()

    async def _async_scheduled_heartbeat(self, _now: datetime) -> None:
        """Keep a live token alive; logging in again is the poll's job alone."""
        if self.client.token is None:
            return
        await self._async_heartbeat()

    async def _async_heartbeat(self) -> None:
        """Keep the token alive and tell the PBX where to post reports."""
        try:
            await self.client.heartbeat()
        except YeastarAuthenticationError:
            self.config_entry.async_start_reauth(self.hass)
        except (YeastarLockedOutError, YeastarTokenRefusedError) as err:
            self._start_backoff(err)
        except YeastarError as err:
            LOGGER.debug("Heartbeat failed: %s", err)
        else:
            self.times.last_heartbeat = dt_util.utcnow()

    def _active_backoff(self) -> backoff.LoginBackoff | None:
        """Return the login back-off this entry is in now, if any."""
        return backoff.active_backoff(self.hass, self.config_entry.entry_id)

    def _start_backoff(
        self, err: YeastarLockedOutError | YeastarTokenRefusedError
    ) -> backoff.LoginBackoff:
        """Stop logging in for a while, and tell the user why and what to do.

        Errors the client raises again without asking the PBX (logins are held) do
        not start another wait while one runs.
        """
        if (current := self._active_backoff()) is not None:
            return current
        entry_id = self.config_entry.entry_id
        if isinstance(err, YeastarLockedOutError):
            waiting = backoff.start_lockout(self.hass, entry_id)
            LOGGER.warning(
                "The PBX at %s locked Home Assistant out after repeated failed "
                "logins; not logging in again before %s",
                self.config_entry.data[CONF_HOST],
                waiting.until.isoformat(timespec="seconds"),
            )
        else:
            waiting = backoff.start_token_backoff(self.hass, entry_id)
            LOGGER.warning(
                "The PBX at %s refuses the tokens of its logins (another client may "
                "use the same API account); not logging in again before %s",
                self.config_entry.data[CONF_HOST],
                waiting.until.isoformat(timespec="seconds"),
            )
        issues.async_raise_issue(self.hass, self.config_entry, waiting.reason)
        return waiting

    def _end_backoff(self) -> None:
        """Forget a back-off once the PBX accepts a login and its token again.

        After refused tokens, only once a token has lived through its probation: until
        then, losing it means another wait, not another login.
        """
        entry_id = self.config_entry.entry_id
        if (latest := backoff.latest_backoff(self.hass, entry_id)) is None:
            return
        if (
            latest.reason == issues.TOKEN_REFUSED
            and self.times.last_login is not None
            and dt_util.utcnow() - self.times.last_login < TOKEN_PROBATION
        ):
            return
        backoff.end_backoff(self.hass, entry_id)
        issues.async_clear_issue(self.hass, self.config_entry, latest.reason)
        self.client.allow_logins()

    async def _async_resolve_pbx_addresses(self) -> frozenset[str]:
        """Return the IP addresses of the PBX: only they may post reports."""
        return await async_lookup_addresses(self.config_entry.data[CONF_HOST])

    def _failure(
        self, err: YeastarError, *, during_setup: bool
    ) -> ConfigEntryAuthFailed | ConfigEntryError | ConfigEntryNotReady | UpdateFailed:
        """Return the translated exception Home Assistant expects for a client error.

        The one place that maps the client's errors for setup and polls alike;
        a lock-out and a changed certificate are also recorded for the user.
        """
        if isinstance(err, YeastarAuthenticationError):
            return ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="authentication_error"
            )
        failure = ConfigEntryNotReady if during_setup else UpdateFailed
        if isinstance(err, YeastarLockedOutError | YeastarTokenRefusedError):
            return failure(**_backoff_error(self._start_backoff(err)))
        key, placeholders = "unknown_error", {"error": str(err)}
        if isinstance(err, YeastarCertificateError):
            issues.async_raise_issue(
                self.hass, self.config_entry, issues.CERTIFICATE_CHANGED
            )
            key, placeholders = "certificate_changed", {}
            if during_setup:
                # Not retried: only the user can decide to trust another certificate.
                return ConfigEntryError(translation_domain=DOMAIN, translation_key=key)
        elif isinstance(err, YeastarApiDisabledError):
            key, placeholders = "api_disabled", {}
        elif isinstance(err, YeastarConnectionError):
            key = "communication_error"
        return failure(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders=placeholders,
        )

    # ------------------------------------------------------------------ poll

    async def _async_update_data(self) -> YeastarData:
        """Re-read every extension and trunk (the safety net behind the reports).

        After rejected credentials the client refuses to log in by itself, so this
        raises ConfigEntryAuthFailed again without a request to the PBX.
        """
        if (waiting := self._active_backoff()) is not None:
            raise UpdateFailed(**_backoff_error(waiting))
        try:
            refusal = self.client.login_refusal
            if self.client.token is None and isinstance(
                refusal, YeastarLockedOutError | YeastarTokenRefusedError
            ):
                # The back-off has run out: one explicit attempt.
                await self._async_login()
                if isinstance(refusal, YeastarTokenRefusedError):
                    self.client.hold_logins(refusal)  # on probation
            device = await self.client.device_info()
            extensions = await self.client.extensions()
            trunks = await self.client.trunks()
            if self._resync_calls:
                calls = await self.client.extension_calls()
            else:
                calls = None
        except YeastarError as err:
            raise self._failure(err, during_setup=False) from err
        self._end_backoff()
        data = YeastarData(
            device=device,
            extensions={extension.number: extension for extension in extensions},
            trunks={trunk.name: trunk for trunk in trunks},
        )
        if self.data is not None:
            self._remove_stale_devices(self.data, data)
        if calls is not None:
            self._resync_calls = False
            self._dispatch_activities(self.tracker.load(calls))
        return data

    def _remove_stale_devices(self, old: YeastarData, new: YeastarData) -> None:
        """Drop the devices of extensions and trunks deleted on the PBX."""
        gone = [
            f"{self.serial_number}_{number}"
            for number in old.extensions.keys() - new.extensions.keys()
        ] + [
            f"{self.serial_number}_trunk_{name}"
            for name in old.trunks.keys() - new.trunks.keys()
        ]
        if not gone:
            return
        registry = dr.async_get(self.hass)
        for identifier in gone:
            if device := async_get_entry_device(
                registry, (DOMAIN, identifier), self.config_entry.entry_id
            ):
                LOGGER.debug("Removing device %s: deleted on the PBX", identifier)
                registry.async_remove_device(device.id)

    # --------------------------------------------------------------- reports

    @callback
    def async_add_extension_listener(
        self, number: str, listener: Callable[[], None]
    ) -> CALLBACK_TYPE:
        """Listen for pushed changes of one extension's state."""
        return self._state_listeners.add(_extension_key(number), listener)

    @callback
    def async_add_last_report_listener(
        self, listener: Callable[[], None]
    ) -> CALLBACK_TYPE:
        """Listen for every accepted report."""
        return self._state_listeners.add(LAST_REPORT_KEY, listener)

    @callback
    def async_add_activity_listener(
        self, number: str, listener: Callable[[CallActivity], None]
    ) -> CALLBACK_TYPE:
        """Listen for call activity (ringing, answered, ended, missed) of an extension."""
        return self._activity_listeners.add(number, listener)

    def accepts_reports_from(self, address: str) -> bool:
        """Tell whether reports from an address are the PBX's."""
        return address in self.pbx_addresses or address in self.accepted_addresses

    @callback
    def async_re_resolve(self) -> None:
        """Look the PBX's address up again (it may have moved), in the background."""
        self.config_entry.async_create_background_task(
            self.hass, self._async_re_resolve(), "yeastar_resolve_pbx"
        )

    async def _async_re_resolve(self) -> None:
        """Look the PBX's address up again."""
        self.pbx_addresses = await self._async_resolve_pbx_addresses()

    @callback
    def async_handle_report(self, event: Event) -> None:
        """Apply one accepted report to the state it concerns, and nothing else.

        Before the first refresh has read the office, reports are kept and applied
        right after it, in order.
        """
        if self._early_reports is not None:
            self._early_reports.append(event)
            return
        self.reports.accepted += 1
        self.reports.last_report = dt_util.utcnow()
        self._state_listeners.notify(LAST_REPORT_KEY)
        match event:
            case ExtensionStatusEvent():
                self._set_extension_status(event.extension, event.status)
            case CallStatusEvent() | NewCdrEvent():
                self._dispatch_activities(self.tracker.handle(event))
            case ConfigChangeEvent():
                LOGGER.debug("Configuration changed on the PBX: %s", event.raw)
                self.config_entry.async_create_background_task(
                    self.hass, self.async_request_refresh(), "yeastar_config_change"
                )
            case BootUpEvent():
                LOGGER.info("The PBX restarted; re-reading its state")
                self._dispatch_activities(self.tracker.handle(event))
                self._resync_calls = True
                self.async_re_resolve()
                self.config_entry.async_create_background_task(
                    self.hass, self.async_request_refresh(), "yeastar_boot_up"
                )
            case _:
                LOGGER.debug("Report %s needs no state change", event.name)

    def _set_extension_status(self, number: str, status: str) -> None:
        """Replace one extension's PBX status word and notify its entities."""
        extension = self.data.extensions.get(number)
        if extension is None:
            # An extension we have not seen yet: the poll will add it.
            self.config_entry.async_create_background_task(
                self.hass, self.async_request_refresh(), "yeastar_new_extension"
            )
            return
        if extension.status != status:
            self.data.extensions[number] = replace(extension, status=status)
            self._state_listeners.notify(_extension_key(number))

    def _dispatch_activities(self, activities: list[CallActivity]) -> None:
        """Hand call activity to the listeners of the extensions concerned.

        A call's progress changes the extension's state too (see `extension_state`).
        """
        for activity in activities:
            self._state_listeners.notify(_extension_key(activity.extension))
            self._activity_listeners.notify(activity.extension, activity)

    def extension_state(self, number: str) -> str | None:
        """Return what an extension's phone is doing (a sensor state), None if unknown."""
        return extension_state(
            self.data.extensions[number].status, self.tracker.active_calls(number)
        )


def _backoff_error(waiting: backoff.LoginBackoff) -> dict[str, Any]:
    """Return the translated arguments of the error that says logins wait."""
    return {
        "translation_domain": DOMAIN,
        "translation_key": waiting.reason,
        "translation_placeholders": {"minutes": str(waiting.minutes_left())},
    }


def extension_state(pbx_status: str, calls: tuple[ActiveCall, ...]) -> str | None:
    """Return an extension's product state from its PBX word and its calls in progress.

    The PBX's word decides, except that calls it reported refine it: ExtensionStatus
    has no hold state, and a phone re-registering during a call reports ``Registered``
    (idle) although the call goes on.
    """
    state = PBX_EXTENSION_STATUS_TO_STATE.get(pbx_status.strip().lower())
    if state in (None, "offline", "malfunction") or not calls:
        return state
    states = {call.state for call in calls}
    if CallState.TALKING in states or CallState.DIALING in states:
        return "busy"
    if CallState.ON_HOLD in states:
        return "on_hold"
    return "ringing" if state == "idle" else state
