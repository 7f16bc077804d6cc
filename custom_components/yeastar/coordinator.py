"""The coordinator: owns the PBX API token, its heartbeat, and the office's state.

State arrives two ways. The PBX pushes event reports to Home Assistant's webhook
(`webhook.py` hands them to `async_handle_report`); each one touches only the entities it
concerns, through per-extension listeners, so its cost does not grow with the size of
the office. A slow reconciliation poll (`_async_update_data`) re-reads every extension
and trunk as a safety net and notifies every entity.

Login discipline (five failed logins lock Home Assistant out for ten minutes):
- the first login happens in `async_connect` at setup; every later login is either the
  client's single re-login on a token error, or one explicit attempt after a lock-out
  back-off has run out;
- rejected credentials stop all logins and start reauthentication;
- a lock-out stops all requests for `LOCKOUT_BACKOFF` and raises a repair issue.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
import ipaddress
import socket
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

from . import repairs
from .compat import async_get_entry_device
from .connection import create_client
from .const import (
    CONF_POLL_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    DOMAIN,
    HEARTBEAT_INTERVAL,
    LOCKOUT_BACKOFF,
    LOGGER,
)
from .destination import async_report_destination
from .pbx.calls import ActivityKind, CallActivity, CallTracker
from .pbx.errors import (
    YeastarApiDisabledError,
    YeastarAuthenticationError,
    YeastarCertificateError,
    YeastarConnectionError,
    YeastarError,
    YeastarLockedOutError,
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

type YeastarConfigEntry = ConfigEntry[YeastarCoordinator]

# hass.data[DOMAIN][LOCKOUTS][entry_id]: when a lock-out ends. Kept outside the entry's
# runtime data so that a lock-out met during setup survives the setup retries.
LOCKOUTS = "lockouts"


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
        self.pbx_addresses: frozenset[str] = frozenset()
        # The PBX's own device in the registry: the parent of every other device.
        self.pbx_device_id = ""
        self._state_listeners: _KeyedListeners[[]] = _KeyedListeners()
        self._activity_listeners: _KeyedListeners[[CallActivity]] = _KeyedListeners()
        self._resync_calls = True

    # ----------------------------------------------------------------- setup

    async def async_connect(self) -> None:
        """Log in for the first time and check that this is the configured PBX.

        Raises the setup exceptions Home Assistant expects, translated.
        """
        if (remaining := self._lockout_remaining()) is not None:
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key="locked_out",
                translation_placeholders={"minutes": str(remaining)},
            )
        self.client.report_destination = async_report_destination(
            self.hass, self.config_entry
        )
        try:
            await self.client.login()
            device = await self.client.device_info()
        except YeastarError as err:
            raise self._failure(err, during_setup=True) from err
        if self.serial_number and device.serial_number != self.serial_number:
            raise ConfigEntryError(
                translation_domain=DOMAIN,
                translation_key="wrong_device",
                translation_placeholders={
                    "expected": self.serial_number,
                    "found": device.serial_number,
                },
            )
        repairs.async_clear_issue(
            self.hass, self.config_entry, repairs.CERTIFICATE_CHANGED
        )
        self.pbx_addresses = await self._async_resolve_pbx_addresses()
        await self._async_heartbeat()

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

    async def async_apply_options(self, options: dict[str, Any]) -> None:
        """Apply new options at once: poll interval and where reports go."""
        self.update_interval = timedelta(
            seconds=options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL)
        )
        self.client.report_destination = async_report_destination(
            self.hass, self.config_entry, options
        )
        await self._async_heartbeat()

    # ----------------------------------------------------------------- token

    @callback
    def _on_login(self, result: LoginResult) -> None:
        """Note a login; after a re-login, re-read everything (the PBX may have rebooted)."""
        first = self.times.logins == 0
        self.times.logins += 1
        self.times.last_login = dt_util.utcnow()
        self._end_lockout()
        if result.transport and result.transport != "HTTP":
            LOGGER.warning(
                "The PBX reports events over %s; this integration needs the HTTP "
                "report method (PBX API settings)",
                result.transport,
            )
        if not first:
            self._resync_calls = True
            self.config_entry.async_create_background_task(
                self.hass, self._async_after_relogin(), "yeastar_after_login"
            )

    async def _async_after_relogin(self) -> None:
        """Re-send where reports go and re-read every state after a re-login."""
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
        except YeastarLockedOutError:
            self._start_lockout()
        except YeastarError as err:
            LOGGER.debug("Heartbeat failed: %s", err)
        else:
            self.times.last_heartbeat = dt_util.utcnow()

    def _lockouts(self) -> dict[str, datetime]:
        """Return the lock-out table shared by setup attempts."""
        domain_data: dict[str, Any] = self.hass.data.setdefault(DOMAIN, {})
        lockouts: dict[str, datetime] = domain_data.setdefault(LOCKOUTS, {})
        return lockouts

    def _start_lockout(self) -> None:
        """Remember the lock-out and tell the user how to lift it."""
        until = dt_util.utcnow() + LOCKOUT_BACKOFF
        self._lockouts()[self.config_entry.entry_id] = until
        LOGGER.warning(
            "The PBX at %s locked Home Assistant out after repeated failed logins; "
            "not logging in again before %s",
            self.config_entry.data[CONF_HOST],
            until.isoformat(timespec="seconds"),
        )
        repairs.async_raise_issue(self.hass, self.config_entry, repairs.LOCKED_OUT)

    def _lockout_remaining(self) -> int | None:
        """Return the minutes left of a lock-out, or None when there is none."""
        until = self._lockouts().get(self.config_entry.entry_id)
        if until is None:
            return None
        remaining = until - dt_util.utcnow()
        if remaining <= timedelta(0):
            return None
        return max(1, round(remaining.total_seconds() / 60))

    def _end_lockout(self) -> None:
        """Forget a lock-out after a successful login."""
        if self._lockouts().pop(self.config_entry.entry_id, None) is not None:
            repairs.async_clear_issue(self.hass, self.config_entry, repairs.LOCKED_OUT)

    async def _async_resolve_pbx_addresses(self) -> frozenset[str]:
        """Return the IP addresses of the PBX: only they may post reports."""
        host = self.config_entry.data[CONF_HOST]
        try:
            infos = await self.hass.loop.getaddrinfo(
                host, None, type=socket.SOCK_STREAM
            )
        except OSError as err:
            LOGGER.debug("Could not resolve %s: %s", host, err)
            return frozenset({host})
        return frozenset(str(ipaddress.ip_address(info[4][0])) for info in infos)

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
        key, placeholders = "unknown_error", {"error": str(err)}
        if isinstance(err, YeastarLockedOutError):
            self._start_lockout()
            key, placeholders = (
                "locked_out",
                {"minutes": str(self._lockout_remaining())},
            )
        elif isinstance(err, YeastarCertificateError):
            repairs.async_raise_issue(
                self.hass, self.config_entry, repairs.CERTIFICATE_CHANGED
            )
            key, placeholders = "certificate_changed", {}
            if during_setup:
                # Not retried: only the user can decide to trust another certificate.
                return ConfigEntryError(translation_domain=DOMAIN, translation_key=key)
        elif isinstance(err, YeastarApiDisabledError):
            key, placeholders = "api_disabled", {}
        elif isinstance(err, YeastarConnectionError):
            key = "communication_error"
        failure = ConfigEntryNotReady if during_setup else UpdateFailed
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
        if (remaining := self._lockout_remaining()) is not None:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="locked_out",
                translation_placeholders={"minutes": str(remaining)},
            )
        try:
            if isinstance(self.client.login_refusal, YeastarLockedOutError):
                # The lock-out back-off has run out: one explicit attempt.
                await self.client.login()
            device = await self.client.device_info()
            extensions = await self.client.extensions()
            trunks = await self.client.trunks()
            if self._resync_calls:
                calls = await self.client.extension_calls()
            else:
                calls = None
        except YeastarError as err:
            raise self._failure(err, during_setup=False) from err
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

    @callback
    def async_handle_report(self, event: Event) -> None:
        """Apply one accepted report to the state it concerns, and nothing else."""
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

        Hold shows in the extension's state too: ExtensionStatus reports have no hold
        state, only the call's member status does.
        """
        for activity in activities:
            if activity.kind is ActivityKind.HELD:
                self._set_extension_status(activity.extension, "Hold")
            elif activity.kind is ActivityKind.RESUMED:
                self._set_extension_status(activity.extension, "Busy")
            self._activity_listeners.notify(activity.extension, activity)
