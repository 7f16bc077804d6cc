"""The PBX session: the API token, its heartbeat, and the discipline of logging in.

Five failed logins lock Home Assistant's address out of the PBX for ten minutes, so:

- the first login is explicit (``async_connect``, at set-up); every later one is either the
  client's single re-login when the PBX forgot a token, or one explicit attempt after a
  back-off (``backoff.py``) has run out;
- rejected credentials stop all logins and start reauthentication;
- a lock-out, or tokens the PBX refuses (a fresh one refused, or tokens that end again and
  again while in use: another client on the same API account), stop all logins for a while
  and raise a repair issue; after refused tokens a new one must live through a probation
  before a lost token is again a reason to log in by itself.

Every request goes through ``async_requests``, which applies all of that. A session an
earlier run could not log out of is ended before the first login (``session_store.py``).
"""

from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from . import backoff, issues
from .connection import create_client
from .const import HEARTBEAT_INTERVAL, LOGGER
from .destination import async_report_destination
from .pbx import (
    LoginResult,
    YeastarApiError,
    YeastarAuthenticationError,
    YeastarCertificateError,
    YeastarClient,
    YeastarError,
    YeastarLockedOutError,
    YeastarTokenRefusedError,
)
from .session_store import SessionStore

# Tokens that end while in use this often (re-logins within the window) mean another
# client takes them over: stop logging in by itself and back off.
RELOGINS_BEFORE_BACKOFF: Final = 3
RELOGIN_WINDOW: Final = timedelta(minutes=10)
# After tokens were refused, a new token must live this long before a lost one makes
# Home Assistant log in again by itself (until then each loss means a longer wait).
TOKEN_PROBATION: Final = timedelta(minutes=5)


@dataclass(slots=True)
class SessionTimes:
    """When the session last logged in and heartbeated, for diagnostics."""

    last_login: datetime | None = None
    last_heartbeat: datetime | None = None
    logins: int = 0


class PbxSession:
    """Own the PBX API token of one config entry, under the login discipline."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        """Prepare the client of an entry's PBX; nothing is sent yet."""
        self._hass = hass
        self._entry = entry
        self.client: YeastarClient = create_client(
            hass, entry.data, on_login=self._on_login
        )
        self.times = SessionTimes()
        self._store = SessionStore(hass, entry.entry_id)
        self._relogins: deque[datetime] = deque(maxlen=RELOGINS_BEFORE_BACKOFF)
        self._explicit_login = False
        # Told after every re-login (the PBX may have rebooted or moved).
        self.on_relogin: Callable[[], None] = lambda: None

    # ------------------------------------------------------------ life cycle

    async def async_connect(self) -> None:
        """Log in for the first time, after ending a session an earlier run left open."""
        self.client.report_destination = async_report_destination(
            self._hass, self._entry
        )
        async with self.async_requests():
            await self._async_end_stale_session()
            await self._async_login()

    @callback
    def async_start(self) -> None:
        """Heartbeat every few minutes until the entry unloads; log out when HA stops.

        Home Assistant does not unload entries when it stops: without this logout the
        PBX would keep the old session (and post its reports) after a restart.
        """
        self._entry.async_on_unload(
            async_track_time_interval(
                self._hass,
                self._async_scheduled_heartbeat,
                HEARTBEAT_INTERVAL,
                name="Yeastar heartbeat",
            )
        )
        self._entry.async_on_unload(
            self._hass.bus.async_listen_once(
                EVENT_HOMEASSISTANT_STOP, self._async_logout_at_stop
            )
        )

    async def _async_logout_at_stop(self, _event: Event[Any]) -> None:
        """Log out as Home Assistant stops."""
        await self.async_logout()

    async def async_logout(self) -> None:
        """Log out, best effort (the PBX may be gone); forget the session once done."""
        if self.client.token is None:
            return
        try:
            await self.client.logout()
        except YeastarError as err:
            LOGGER.debug("Logout from the PBX failed: %s", err)
        else:
            await self._store.async_forget()

    async def _async_end_stale_session(self) -> None:
        """Log out of a session an earlier run left open (best effort)."""
        if (token := await self._store.async_left_open()) is None:
            return
        try:
            await self.client.logout(token)
        except YeastarApiError:
            pass  # the PBX no longer knows it: ended already
        except YeastarError as err:
            LOGGER.debug("Could not end the previous PBX session: %s", err)
            return
        LOGGER.debug("Ended the PBX session an earlier run left open")
        await self._store.async_forget()

    @callback
    def async_apply_options(self, options: Mapping[str, Any]) -> None:
        """Tell the PBX at once when the report destination changed."""
        destination = async_report_destination(self._hass, self._entry, options)
        if destination != self.client.report_destination:
            self.client.report_destination = destination
            self._entry.async_create_background_task(
                self._hass, self.async_heartbeat(), "yeastar_new_report_destination"
            )

    # -------------------------------------------------------------- requests

    @asynccontextmanager
    async def async_requests(self) -> AsyncIterator[YeastarClient]:
        """Send requests under the login discipline; yield the client to send them.

        Raises ``backoff.LoginsWaiting`` without asking the PBX while a back-off runs
        (or when one starts), and the client's errors otherwise.
        """
        if (waiting := self._active_backoff()) is not None:
            raise backoff.LoginsWaiting(waiting)
        refusal = self.client.login_refusal
        try:
            if self.client.token is None and isinstance(
                refusal, YeastarLockedOutError | YeastarTokenRefusedError
            ):
                # The back-off has run out: one explicit attempt.
                await self._async_login()
                if isinstance(refusal, YeastarTokenRefusedError):
                    self.client.hold_logins(refusal)  # on probation
            yield self.client
        except (YeastarLockedOutError, YeastarTokenRefusedError) as err:
            raise backoff.LoginsWaiting(self._start_backoff(err)) from err
        except YeastarAuthenticationError:
            self._entry.async_start_reauth(self._hass)
            raise
        except YeastarCertificateError:
            issues.async_raise_issue(
                self._hass, self._entry, issues.CERTIFICATE_CHANGED
            )
            raise
        self._end_backoff()
        issues.async_clear_issue(self._hass, self._entry, issues.CERTIFICATE_CHANGED)

    async def _async_login(self) -> None:
        """Log in because the session decided to (set-up, or a back-off is over)."""
        self._explicit_login = True
        try:
            await self.client.login()
        finally:
            self._explicit_login = False

    @callback
    def _on_login(self, result: LoginResult) -> None:
        """Note a login; after a re-login, tell the PBX where to report, and others."""
        first = self.times.logins == 0
        self.times.logins += 1
        self.times.last_login = now = dt_util.utcnow()
        self._entry.async_create_background_task(
            self._hass, self._store.async_remember(result.token), "yeastar_session"
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
        self._entry.async_create_background_task(
            self._hass, self.async_heartbeat(), "yeastar_after_login"
        )
        self.on_relogin()

    def _count_relogin(self, when: datetime) -> None:
        """Count a re-login after a lost token; back off when they come too often."""
        self._relogins.append(when)
        if (
            len(self._relogins) == RELOGINS_BEFORE_BACKOFF
            and when - self._relogins[0] < RELOGIN_WINDOW
        ):
            refusal = YeastarTokenRefusedError("20004")
            self.client.hold_logins(refusal)
            self._start_backoff(refusal)

    # ------------------------------------------------------------- heartbeat

    async def _async_scheduled_heartbeat(self, _now: datetime) -> None:
        """Keep a live token alive; logging in again is the poll's job alone."""
        if self.client.token is not None:
            await self.async_heartbeat()

    async def async_heartbeat(self) -> None:
        """Keep the token alive and tell the PBX where to post reports (never raises)."""
        try:
            async with self.async_requests() as client:
                await client.heartbeat()
        except (YeastarError, backoff.LoginsWaiting) as err:
            LOGGER.debug("Heartbeat failed: %s", err)
        else:
            self.times.last_heartbeat = dt_util.utcnow()

    # --------------------------------------------------------------- back-off

    def _active_backoff(self) -> backoff.LoginBackoff | None:
        """Return the login back-off this entry is in now, if any."""
        return backoff.active_backoff(self._hass, self._entry.entry_id)

    def _start_backoff(
        self, err: YeastarLockedOutError | YeastarTokenRefusedError
    ) -> backoff.LoginBackoff:
        """Stop logging in for a while, and tell the user why and what to do.

        Errors the client raises again without asking the PBX (logins are held) do not
        start another wait while one runs.
        """
        if (current := self._active_backoff()) is not None:
            return current
        entry_id = self._entry.entry_id
        if isinstance(err, YeastarLockedOutError):
            waiting = backoff.start_lockout(self._hass, entry_id)
            why = "locked Home Assistant out after repeated failed logins"
        else:
            waiting = backoff.start_token_backoff(self._hass, entry_id)
            why = "refuses the tokens of its logins (another client may use the same API account)"
        LOGGER.warning(
            "The PBX at %s %s; not logging in again before %s",
            self._entry.data[CONF_HOST],
            why,
            waiting.until.isoformat(timespec="seconds"),
        )
        issues.async_raise_issue(self._hass, self._entry, waiting.reason)
        return waiting

    def _end_backoff(self) -> None:
        """Forget a back-off once the PBX accepts a login and its token again.

        After refused tokens, only once a token has lived through its probation: until
        then, losing it means another wait, not another login.
        """
        entry_id = self._entry.entry_id
        if (latest := backoff.latest_backoff(self._hass, entry_id)) is None:
            return
        if (
            latest.reason == issues.TOKEN_REFUSED
            and self.times.last_login is not None
            and dt_util.utcnow() - self.times.last_login < TOKEN_PROBATION
        ):
            return
        backoff.end_backoff(self._hass, entry_id)
        issues.async_clear_issue(self._hass, self._entry, latest.reason)
        self.client.allow_logins()
