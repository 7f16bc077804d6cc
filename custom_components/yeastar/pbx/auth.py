"""The PBX API token: logging in, keeping it alive, and when never to log in again.

The second layer of the client (over ``transport.py``): a request made without a token
logs in first; a request refused for a stale token (one the PBX had accepted before)
logs in again once and is retried once; concurrent requests share one login, and a failed
login is shared with them. Wrong credentials (20003), a locked-out address (20002) and
tokens refused as soon as they are issued are never retried: only an explicit
``login()`` tries again (five failed logins lock the address out for ten minutes).
"""

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
import hashlib
import logging
from typing import Any

import aiohttp

from .errors import (
    YeastarApiDisabledError,
    YeastarApiError,
    YeastarAuthenticationError,
    YeastarError,
    YeastarLockedOutError,
    YeastarTokenError,
    YeastarTokenRefusedError,
)
from .models import LoginResult
from .transport import API_VERSION, DEFAULT_PORT, PbxTransport

_LOGGER = logging.getLogger(__name__)

ERRNO_UNSUPPORTED_REQUEST = "10003"
# Refusals after which only an explicit login() may try again.
_LOGIN_REFUSALS = (
    YeastarAuthenticationError,
    YeastarLockedOutError,
    YeastarTokenRefusedError,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportDestination:
    """Where the PBX must POST its event reports (sent at login and every heartbeat)."""

    port: int
    url: str  # path without a leading slash, e.g. "api/webhook/abc"
    ip_address: str | None = None  # heartbeat ``ipaddr``; login uses the source IP
    url_tag: str = "0"

    def as_fields(self) -> dict[str, str]:
        """Return the ``port``/``url``/``urltag`` request fields."""
        return {"port": str(self.port), "url": self.url, "urltag": self.url_tag}


class ApiSession(PbxTransport):
    """The PBX API token of one client, under the login discipline (module docstring)."""

    def __init__(
        self,
        host: str,
        port: int = DEFAULT_PORT,
        *,
        ssl: bool = True,
        username: str,
        password: str,
        session: aiohttp.ClientSession,
        tls_fingerprint: str | None = None,
        report_destination: ReportDestination | None = None,
        request_timeout: float = 10.0,
        on_login: Callable[[LoginResult], None] | None = None,
    ) -> None:
        """Prepare a client; nothing is sent before the first request."""
        super().__init__(
            host,
            port,
            ssl=ssl,
            session=session,
            tls_fingerprint=tls_fingerprint,
            request_timeout=request_timeout,
        )
        self.username = username
        self.report_destination = report_destination
        self._password_hash = hashlib.md5(
            password.encode(), usedforsecurity=False
        ).hexdigest()
        self._on_login = on_login
        self._token: str | None = None
        # Whether the PBX has accepted the current token in a request yet.
        self._token_proven = False
        self._login_lock = asyncio.Lock()
        self._login_attempts = 0
        self._login_failure: YeastarError | None = None

    @property
    def token(self) -> str | None:
        """Return the current API token, None when logged out."""
        return self._token

    async def _login_locked(self) -> LoginResult:
        """Log in; the caller holds the login lock. A failure is kept for the waiters."""
        self._login_failure = None
        try:
            result = await self._send_login()
        except YeastarError as err:
            self._login_failure = err
            raise
        finally:
            self._login_attempts += 1
        self._token = result.token
        self._token_proven = False
        _LOGGER.debug(
            "Logged in to %s (report transport %r)", self.host, result.transport
        )
        if self._on_login is not None:
            self._on_login(result)
        return result

    async def _send_login(self) -> LoginResult:
        """Send ``login`` and return its result."""
        body = {
            "username": self.username,
            "password": self._password_hash,
            "version": API_VERSION,
        }
        if self.report_destination is not None:
            body |= self.report_destination.as_fields()
        try:
            payload = await self._post("login", body, None)
        except YeastarApiError as err:
            if err.errno == ERRNO_UNSUPPORTED_REQUEST:
                raise YeastarApiDisabledError(str(err)) from err
            raise
        result = LoginResult.from_dict(payload)
        if not result.token:
            raise YeastarApiDisabledError(
                f"{self.host}:{self.port} accepted the login but sent no token"
            )
        return result

    async def _valid_token(self, stale: str | None, attempts: int) -> str:
        """Return a token other than ``stale``, logging in only if nobody else has.

        ``attempts`` is the login count seen before the request that needs the token
        was sent: when a login was tried since then and failed, its error is raised
        again instead of trying once more (each failed login counts towards the PBX's
        lock-out). After a login refused for its credentials (20003) or for a
        lock-out (20002), no implicit login is tried at all until ``login()``.
        """
        async with self._login_lock:
            if self._token is not None and self._token != stale:
                return self._token
            if self._login_attempts != attempts and self._login_failure is not None:
                raise self._login_failure
            if isinstance(self._login_failure, _LOGIN_REFUSALS):
                # Credentials rejected, or this address locked out: only an explicit
                # login() tries again, so nothing adds to the PBX's lock-out count.
                raise self._login_failure
            self._token = None
            return (await self._login_locked()).token

    async def _request(
        self, endpoint: str, body: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """Send an authenticated request: log in when needed, re-login once on a stale token.

        A token refused before the PBX ever accepted it is not stale: logging in again
        would be refused the same way, so that raises YeastarTokenRefusedError at once.
        """
        body = body or {}
        attempts = self._login_attempts
        token = self._token or await self._valid_token(None, attempts)
        attempts = self._login_attempts
        try:
            return await self._post_with(endpoint, body, token)
        except YeastarTokenError as err:
            if not self._token_proven and token == self._token:
                raise self._refused(err, token) from err
            _LOGGER.debug("Token refused on %s; logging in again", endpoint)
        token = await self._valid_token(token, attempts)
        try:
            return await self._post_with(endpoint, body, token)
        except YeastarTokenError as err:
            raise self._refused(err, token) from err

    async def _post_with(
        self, endpoint: str, body: Mapping[str, str], token: str
    ) -> dict[str, Any]:
        """POST with a token; note that the PBX accepts the token when it answers."""
        try:
            payload = await self._post(endpoint, body, token)
        except YeastarApiError as err:
            if not isinstance(err, YeastarTokenError) and token == self._token:
                self._token_proven = True
            raise
        if token == self._token:
            self._token_proven = True
        return payload

    def _refused(self, err: YeastarTokenError, token: str) -> YeastarTokenRefusedError:
        """Forget a token refused right after the login that issued it; hold logins."""
        refusal = YeastarTokenRefusedError(err.errno, err.endpoint)
        if token == self._token:
            self._token = None
        self._login_failure = refusal
        return refusal

    def hold_logins(self, error: YeastarTokenRefusedError) -> None:
        """Log in again only when told to (``login()``): tokens keep ending in use."""
        self._login_failure = error

    def allow_logins(self) -> None:
        """Let requests log in by themselves again after ``hold_logins``."""
        if isinstance(self._login_failure, YeastarTokenRefusedError):
            self._login_failure = None

    @property
    def login_refusal(
        self,
    ) -> (
        YeastarAuthenticationError
        | YeastarLockedOutError
        | YeastarTokenRefusedError
        | None
    ):
        """Return why logging in is held (20003, 20002, or tokens refused), else None."""
        failure = self._login_failure
        return failure if isinstance(failure, _LOGIN_REFUSALS) else None

    # -- authentication ------------------------------------------------------

    async def login(self) -> LoginResult:
        """Log in, telling the PBX where to report events."""
        async with self._login_lock:
            return await self._login_locked()

    async def heartbeat(self) -> None:
        """Keep the token alive and renew the event destination."""
        body = {"version": API_VERSION}
        if (destination := self.report_destination) is not None:
            if destination.ip_address is not None:
                body["ipaddr"] = destination.ip_address
            body |= destination.as_fields()
        try:
            await self._request("heartbeat", body)
        except YeastarApiError as err:
            if err.errno == ERRNO_UNSUPPORTED_REQUEST:
                raise YeastarApiDisabledError(str(err)) from err
            raise

    async def logout(self, token: str | None = None) -> None:
        """Log out; the token is forgotten even when the PBX cannot be told.

        ``token``: end that session instead (one a previous client left open).
        """
        if token is None:
            token, self._token = self._token, None
        if token is not None:
            await self._post("logout", {}, token)
