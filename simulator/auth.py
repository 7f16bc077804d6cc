"""API sessions: tokens with a sliding life and their report destinations, and login lock-out."""

from collections.abc import Callable
from dataclasses import dataclass, field
import secrets
from typing import Any

from .wire import ApiError, Errno, as_text

DEFAULT_REPORT_PORT = "8260"

type Clock = Callable[[], float]


@dataclass(kw_only=True)
class Session:
    """One logged-in API client: its token, where its reports go and its report format."""

    token: str
    source: str
    last_seen: float
    port: str = DEFAULT_REPORT_PORT
    url: str = ""
    urltag: str = "0"
    version: str = ""
    ipaddr: str = ""

    @property
    def destination(self) -> str:
        """Return the URL reports are POSTed to (section 4.1: urltag 0 relative, 1 absolute)."""
        if self.urltag == "1":
            absolute = self.url.split("://", 1)[-1]
            return f"http://{absolute}"
        host = self.ipaddr or self.source
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/{self.url.lstrip('/')}"

    @property
    def legacy_reports(self) -> bool:
        """Return True when the client did not ask for 2.0.0 reports (1.x "action" shape)."""
        return not self.version.startswith("2")

    def configure(self, body: dict[str, Any]) -> None:
        """Apply the destination fields of a login or heartbeat body that are present."""
        settings = {
            name: as_text(body[name])
            for name in ("port", "url", "urltag", "version", "ipaddr")
            if name in body
        }
        port = settings.get("port", "")
        if port and (not port.isdigit() or not 0 < int(port) < 65536):
            raise ApiError(Errno.WRONG_PORT, f"bad port {port!r}")
        for name, value in settings.items():
            if value or name in {"url", "ipaddr"}:
                setattr(self, name, value)


class TokenStore:
    """Tokens with a sliding life; expired tokens are remembered so they can answer "expired"."""

    def __init__(self, clock: Clock, lifetime: float, expired_errno: str) -> None:
        """Use the injected clock, the token life and the errno reported for expired tokens."""
        self._clock = clock
        self._lifetime = lifetime
        self._expired_errno = expired_errno
        self._sessions: dict[str, Session] = {}
        self._expired: set[str] = set()
        # A faulty PBX (or one whose tokens another client keeps replacing): every
        # request is answered "no such token", though logins succeed.
        self.refuse_all = False

    def create(self, source: str, body: dict[str, Any]) -> Session:
        """Start a session for a successful login."""
        session = Session(
            token=secrets.token_hex(16), source=source, last_seen=self._clock()
        )
        session.configure(body)
        self._sessions[session.token] = session
        return session

    def _alive(self, session: Session) -> bool:
        """Return True while the session has not outlived its token, expiring it otherwise."""
        if self._clock() - session.last_seen <= self._lifetime:
            return True
        del self._sessions[session.token]
        self._expired.add(session.token)
        return False

    def authenticate(self, token: str) -> Session:
        """Return the session of a request's token and refresh it, or raise its errno."""
        if not token:
            raise ApiError(Errno.TOKEN_BLANK, "token blank")
        session = self._sessions.get(token)
        if session is None or not self._alive(session):
            if token in self._expired:
                raise ApiError(self._expired_errno, "token expired")
            raise ApiError(Errno.NO_SUCH_TOKEN, "no such token")
        if self.refuse_all:
            raise ApiError(Errno.NO_SUCH_TOKEN, "token refused")
        session.last_seen = self._clock()
        return session

    def get(self, token: str) -> Session | None:
        """Return the session while its token is valid, without refreshing it."""
        session = self._sessions.get(token)
        return session if session is not None and self._alive(session) else None

    def touch(self, token: str) -> None:
        """Refresh a valid token (a report was delivered)."""
        if session := self.get(token):
            session.last_seen = self._clock()

    def remove(self, token: str) -> None:
        """Forget a token (logout): it becomes unknown."""
        self._sessions.pop(token, None)

    def clear(self) -> None:
        """Forget every token (reboot)."""
        self._sessions.clear()
        self._expired.clear()

    def active(self) -> list[Session]:
        """Return the sessions whose token is valid now."""
        return [
            session for session in list(self._sessions.values()) if self._alive(session)
        ]


@dataclass
class _Failures:
    """Consecutive failed logins of one address and its lock, if any."""

    count: int = 0
    locked_until: float | None = None


@dataclass
class LoginGuard:
    """Lock an address out after too many consecutive failed logins (section 4.1)."""

    clock: Clock
    max_failures: int
    duration: float
    _by_source: dict[str, _Failures] = field(default_factory=dict)

    def is_locked(self, source: str) -> bool:
        """Return True while the address is locked out (the lock lapses by itself)."""
        state = self._by_source.get(source)
        if state is None or state.locked_until is None:
            return False
        if self.clock() < state.locked_until:
            return True
        del self._by_source[source]
        return False

    def record_failure(self, source: str) -> None:
        """Count a failed login; the last allowed failure starts the lock."""
        state = self._by_source.setdefault(source, _Failures())
        state.count += 1
        if state.count >= self.max_failures:
            state.locked_until = self.clock() + self.duration

    def record_success(self, source: str) -> None:
        """Reset the failure count of the address."""
        self._by_source.pop(source, None)
