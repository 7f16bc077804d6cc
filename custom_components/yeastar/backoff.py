"""Login back-off: when Home Assistant must not log in to a PBX for a while.

Two reasons, each with its repair issue:

- ``locked_out``: five failed logins made the PBX block Home Assistant's address for ten
  minutes (errno 20002); any login in that time renews the block;
- ``token_refused``: the PBX accepted a login but refused its token, or tokens keep
  ending while in use (another client may be logged in with the same API account, each
  login ending the other's token). Each refusal doubles the wait, up to half an hour.

Back-offs live in ``hass.data`` under a typed key, by entry id, so that one met while
setting up survives Home Assistant's setup retries.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN
from .issues import LOCKED_OUT, TOKEN_REFUSED

# Five failed logins lock Home Assistant's address out for ten minutes (errno 20002).
# Wait a little longer than that before the next login.
LOCKOUT_BACKOFF: Final = timedelta(minutes=10, seconds=30)
FIRST_TOKEN_BACKOFF: Final = timedelta(minutes=2)
MAX_TOKEN_BACKOFF: Final = timedelta(minutes=30)


@dataclass(slots=True)
class LoginBackoff:
    """Why logins wait (the repair issue that says so), until when, for how long."""

    reason: str
    until: datetime
    delay: timedelta

    def minutes_left(self) -> int:
        """Return the whole minutes left (at least 1)."""
        left = (self.until - dt_util.utcnow()).total_seconds()
        return max(1, round(left / 60))


class LoginsWaiting(Exception):
    """Logins wait out a back-off: nothing was asked of the PBX."""

    def __init__(self, backoff: LoginBackoff) -> None:
        """Keep the back-off that holds the logins."""
        super().__init__(
            f"no login before {backoff.until.isoformat(timespec='seconds')}"
        )
        self.backoff = backoff


BACKOFFS: HassKey[dict[str, LoginBackoff]] = HassKey(f"{DOMAIN}_login_backoff")


def _backoffs(hass: HomeAssistant) -> dict[str, LoginBackoff]:
    """Return the back-offs of every entry."""
    return hass.data.setdefault(BACKOFFS, {})


def active_backoff(hass: HomeAssistant, entry_id: str) -> LoginBackoff | None:
    """Return the back-off an entry is in now, if any."""
    backoff = _backoffs(hass).get(entry_id)
    if backoff is None or backoff.until <= dt_util.utcnow():
        return None
    return backoff


def latest_backoff(hass: HomeAssistant, entry_id: str) -> LoginBackoff | None:
    """Return an entry's last back-off, over or not, until it is ended."""
    return _backoffs(hass).get(entry_id)


def start_lockout(hass: HomeAssistant, entry_id: str) -> LoginBackoff:
    """Wait out the PBX's ten-minute lock-out."""
    backoff = LoginBackoff(
        LOCKED_OUT, dt_util.utcnow() + LOCKOUT_BACKOFF, LOCKOUT_BACKOFF
    )
    _backoffs(hass)[entry_id] = backoff
    return backoff


def start_token_backoff(hass: HomeAssistant, entry_id: str) -> LoginBackoff:
    """Wait after refused tokens: twice as long as the last time, up to half an hour."""
    if (current := active_backoff(hass, entry_id)) is not None:
        return current
    previous = _backoffs(hass).get(entry_id)
    delay = FIRST_TOKEN_BACKOFF
    if previous is not None and previous.reason == TOKEN_REFUSED:
        delay = min(previous.delay * 2, MAX_TOKEN_BACKOFF)
    backoff = LoginBackoff(TOKEN_REFUSED, dt_util.utcnow() + delay, delay)
    _backoffs(hass)[entry_id] = backoff
    return backoff


def end_backoff(hass: HomeAssistant, entry_id: str) -> LoginBackoff | None:
    """Forget an entry's back-off (a login worked); return the one that ended."""
    return _backoffs(hass).pop(entry_id, None)
