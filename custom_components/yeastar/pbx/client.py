"""Async client of the Yeastar S-Series PBX API 2.0.0.

One ``YeastarClient`` talks to one PBX through an injected ``aiohttp.ClientSession``.
It owns the API token: a request made without a token logs in first, and a request
refused for a stale token logs in again once and is retried once. Wrong credentials
(20003) and a locked-out address (20002) are never retried.
"""

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
import hashlib
import json
import logging
import ssl
from typing import Any
from urllib.parse import quote

import aiohttp
from yarl import URL

from .cdr import parse_cdr_csv
from .errors import (
    YeastarApiDisabledError,
    YeastarApiError,
    YeastarAuthenticationError,
    YeastarCertificateMismatchError,
    YeastarConnectionError,
    YeastarError,
    YeastarHostNotFoundError,
    YeastarLockedOutError,
    YeastarTokenError,
    YeastarTokenRefusedError,
    YeastarUntrustedCertificateError,
    api_error_for,
)
from .models import (
    Call,
    Cdr,
    CompanyContact,
    DeviceInfo,
    Extension,
    ExtensionSettings,
    LoginResult,
    Trunk,
    pick,
    pick_list,
)
from .tls import normalise_fingerprint

_LOGGER = logging.getLogger(__name__)

API_VERSION = "2.0.0"
API_PATH = f"/api/v{API_VERSION}"
DEFAULT_PORT = 8088
ALL = "all"
ERRNO_UNSUPPORTED_REQUEST = "10003"
ERRNO_NO_CDR = "20021"
PBX_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
_VERIFY_FAILED = "CERTIFICATE_VERIFY_FAILED"
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


def _yes_no(value: bool) -> str:
    """Return a bool as the PBX's "yes"/"no"."""
    return "yes" if value else "no"


def _number_list(numbers: Iterable[str] | None) -> str:
    """Return extension numbers as the PBX's comma list, or "all" for None."""
    if numbers is None:
        return ALL
    return ",".join(numbers)


def _mappings(items: Iterable[Any]) -> list[Mapping[str, Any]]:
    """Return the entries of a PBX array that are objects."""
    return [item for item in items if isinstance(item, Mapping)]


def _failure_detail(err: BaseException) -> str:
    """Return why a request failed, in words (aiohttp's own text names its internals)."""
    if isinstance(err, TimeoutError):
        return "timed out"
    if isinstance(err, aiohttp.ClientConnectorError):
        cause = err.os_error
        if isinstance(cause, ConnectionRefusedError):
            return "the connection was refused"
        return cause.strerror or str(cause) or type(cause).__name__
    if isinstance(err, aiohttp.ServerDisconnectedError):
        return "the PBX closed the connection"
    return str(err) or type(err).__name__


def _is_verify_failure(err: aiohttp.ClientSSLError) -> bool:
    """Tell whether a TLS error is a failed certificate verification."""
    cause = err.os_error
    return isinstance(cause, ssl.SSLCertVerificationError) or (
        getattr(cause, "reason", None) == _VERIFY_FAILED
    )


class YeastarClient:
    """Client of one Yeastar S-Series PBX, owning its API token."""

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
        self.host = host
        self.port = port
        self.ssl = ssl
        self.username = username
        self.request_timeout = request_timeout
        self.report_destination = report_destination
        self._password_hash = hashlib.md5(
            password.encode(), usedforsecurity=False
        ).hexdigest()
        self._session = session
        self._on_login = on_login
        self._token: str | None = None
        # Whether the PBX has accepted the current token in a request yet.
        self._token_proven = False
        self._login_lock = asyncio.Lock()
        self._login_attempts = 0
        self._login_failure: YeastarError | None = None
        self._ssl_mode: bool | aiohttp.Fingerprint = True
        self.tls_fingerprint: str | None = None
        if ssl and tls_fingerprint is not None:
            self.tls_fingerprint = normalise_fingerprint(tls_fingerprint)
            self._ssl_mode = aiohttp.Fingerprint(bytes.fromhex(self.tls_fingerprint))

    @property
    def token(self) -> str | None:
        """Return the current API token, None when logged out."""
        return self._token

    @property
    def base_url(self) -> str:
        """Return the PBX's web address, e.g. ``https://192.168.1.150:8088``."""
        return str(self._url(""))

    def _url(self, path: str, query: Mapping[str, str] | None = None) -> URL:
        """Return an address on the PBX."""
        return URL.build(
            scheme="https" if self.ssl else "http",
            host=self.host,
            port=self.port,
            path=path,
            query=query,
        )

    # -- transport -----------------------------------------------------------

    async def _post(
        self, endpoint: str, body: Mapping[str, str], token: str | None
    ) -> dict[str, Any]:
        """POST one request and return the payload of a ``Success`` answer."""
        query = {"token": token} if token is not None else None
        url = self._url(f"{API_PATH}/{endpoint}", query)
        status, raw = await self._exchange(endpoint, url, body, token)
        return self._payload(endpoint, status, raw)

    async def _download(self, endpoint: str, query: Mapping[str, str]) -> bytes:
        """GET a download link (``query`` carries the token); return the file's bytes.

        The PBX answers a refused download with a JSON failure body instead of the
        file: that raises its error (a JSON success body is an empty file).
        """
        url = self._url(f"{API_PATH}/{endpoint}", query)
        status, raw = await self._exchange(endpoint, url, None, query.get("token"))
        if status != 200 or raw.lstrip()[:1] == b"{":
            self._payload(endpoint, status, raw)
            return b""
        return raw

    async def _exchange(
        self,
        endpoint: str,
        url: URL,
        body: Mapping[str, str] | None,
        token: str | None,
    ) -> tuple[int, bytes]:
        """Send a POST of ``body`` (a GET when None); return the HTTP status and body."""
        _LOGGER.debug(
            "%s %s on %s", "GET" if body is None else "POST", endpoint, self.host
        )
        try:
            async with asyncio.timeout(self.request_timeout):
                request = (
                    self._session.get(url, ssl=self._ssl_mode)
                    if body is None
                    else self._session.post(
                        url, data=json.dumps(body), headers=_HEADERS, ssl=self._ssl_mode
                    )
                )
                async with request as response:
                    status = response.status
                    raw = await response.read()
        except aiohttp.ServerFingerprintMismatch as err:
            raise YeastarCertificateMismatchError(
                f"The certificate of {self.host}:{self.port} is not the trusted one",
                fingerprint=err.got.hex(),
            ) from err
        except aiohttp.ClientConnectorCertificateError as err:
            raise self._untrusted() from err
        except aiohttp.ClientConnectorDNSError as err:
            raise YeastarHostNotFoundError(
                f"The host name {self.host} was not found"
            ) from err
        except aiohttp.ClientSSLError as err:
            if _is_verify_failure(err):
                raise self._untrusted() from err
            raise self._unreachable(err, token) from err
        except (TimeoutError, aiohttp.ClientError, OSError) as err:
            raise self._unreachable(err, token) from err
        return status, raw

    def _untrusted(self) -> YeastarUntrustedCertificateError:
        """Return the error for a certificate no trusted CA signed."""
        return YeastarUntrustedCertificateError(
            f"The certificate of {self.host}:{self.port} is not trusted",
            fingerprint=None,
        )

    def _unreachable(
        self, err: BaseException, token: str | None
    ) -> YeastarConnectionError:
        """Return the error for a PBX that cannot be reached, in words, token redacted.

        ``token`` is the one the failed request carried: the client may have forgotten
        it already (logout does so before it asks), and it must not appear in a log.
        """
        detail = _failure_detail(err)
        for secret in {token, self._token} - {None, ""}:
            detail = detail.replace(str(secret), "<token>")
        return YeastarConnectionError(
            f"Cannot reach the PBX at {self.host}:{self.port}: {detail}"
        )

    def _payload(self, endpoint: str, status: int, raw: bytes) -> dict[str, Any]:
        """Return the payload of an answer, or raise the error it stands for."""
        if status != 200:
            raise YeastarApiDisabledError(
                f"{self.host}:{self.port} answered HTTP {status}: not the PBX API"
            )
        try:
            data = json.loads(raw)
        except ValueError as err:  # also UnicodeDecodeError
            raise YeastarApiDisabledError(
                f"{self.host}:{self.port} did not answer JSON: not the PBX API"
            ) from err
        outcome = pick(data, "status").lower() if isinstance(data, dict) else ""
        if outcome == "success":
            return data  # type: ignore[no-any-return]
        if outcome != "failed":
            raise YeastarApiDisabledError(
                f"{self.host}:{self.port} answered JSON without a PBX status"
            )
        errno = pick(data, "errno")
        _LOGGER.debug("PBX refused %s with errno %s", endpoint, errno)
        raise api_error_for(errno, endpoint)

    # -- token care ----------------------------------------------------------

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

    # -- system, extensions, trunks -----------------------------------------

    async def device_info(self) -> DeviceInfo:
        """Return the PBX's model, serial number and firmware."""
        payload = await self._request("deviceinfo/query")
        lowered = {str(key).lower(): value for key, value in payload.items()}
        info = lowered.get("deviceinfo")
        return DeviceInfo.from_dict(info if isinstance(info, Mapping) else {})

    async def extensions(self) -> list[Extension]:
        """Return every extension with its status."""
        payload = await self._request("extension/list")
        return [
            Extension.from_dict(e) for e in _mappings(pick_list(payload, "extlist"))
        ]

    async def extension_settings(
        self, numbers: Iterable[str] | None = None
    ) -> list[ExtensionSettings]:
        """Return the settings of some extensions (None: all of them)."""
        number = _number_list(numbers)
        if not number:
            return []
        payload = await self._request("extension/query", {"number": number})
        return [
            ExtensionSettings.from_dict(entry)
            for entry in _mappings(pick_list(payload, "extinfos"))
        ]

    async def extension_calls(
        self, numbers: Iterable[str] | None = None
    ) -> dict[str, tuple[Call, ...]]:
        """Return the calls in progress of some extensions (None: all), by number."""
        number = _number_list(numbers)
        if not number:
            return {}
        payload = await self._request("extension/query_call", {"number": number})
        return {
            pick(entry, "number", "extnumber", "extid"): tuple(
                Call.from_dict(call)
                for call in _mappings(pick_list(entry, "numbercalls", "calls"))
            )
            for entry in _mappings(pick_list(payload, "calllist"))
        }

    async def update_extension(self, number: str, **settings: str) -> None:
        """Change settings of an extension (``extension/update`` field names)."""
        await self._request("extension/update", {"number": number} | settings)

    async def set_do_not_disturb(self, number: str, enabled: bool) -> None:
        """Switch an extension's do-not-disturb on or off."""
        await self.update_extension(number, dnd="on" if enabled else "off")

    async def trunks(self) -> list[Trunk]:
        """Return every trunk with its status."""
        payload = await self._request("trunk/list")
        return [Trunk.from_dict(t) for t in _mappings(pick_list(payload, "trunklist"))]

    async def company_contacts(
        self, contact_id: str | None = None
    ) -> list[CompanyContact]:
        """Return the PBX's company contacts: all of them, or the one with that id."""
        payload = await self._request(
            "companycontacts/query", {"id": ALL if contact_id is None else contact_id}
        )
        return [
            CompanyContact.from_dict(entry)
            for entry in _mappings(pick_list(payload, "companycontacts", "contacts"))
        ]

    # -- call control --------------------------------------------------------

    async def dial(
        self,
        caller: str,
        callee: str,
        *,
        auto_answer: bool = False,
        dial_permission: str | None = None,
    ) -> str:
        """Ring ``caller``, then connect it to ``callee``; return the call id."""
        body = {"caller": caller, "callee": callee, "autoanswer": _yes_no(auto_answer)}
        if dial_permission is not None:
            body["dialpermission"] = dial_permission
        payload = await self._request("call/dial", body)
        return pick(payload, "callid")

    async def query_calls(
        self, *, call_id: str | None = None, call_type: str | None = None
    ) -> list[Call]:
        """Return calls in progress: one by id, those of a type, or all."""
        body: dict[str, str] = {}
        if call_id is not None:
            body["callid"] = call_id
        if call_type is not None:
            body["type"] = call_type
        payload = await self._request("call/query", body)
        return [Call.from_dict(c) for c in _mappings(pick_list(payload, "calls"))]

    async def hangup(self, channel_id: str) -> None:
        """End the call leg of a channel."""
        await self._request("call/hangup", {"channelid": channel_id})

    async def hold(self, channel_id: str) -> None:
        """Put the call leg of a channel on hold."""
        await self._request("call/hold", {"channelid": channel_id})

    async def unhold(self, channel_id: str) -> None:
        """Take the call leg of a channel off hold."""
        await self._request("call/unhold", {"channelid": channel_id})

    async def transfer(
        self, channel_id: str, number: str, *, dial_permission: str | None = None
    ) -> None:
        """Blind-transfer the party on a channel to ``number``."""
        body = {"channelid": channel_id, "number": number}
        if dial_permission is not None:
            body["dialpermission"] = dial_permission
        await self._request("call/transfer", body)

    async def accept_inbound(self, channel_id: str) -> None:
        """Let an inbound call announced by an Invite report through."""
        await self._request("call/accept_inbound", {"channelid": channel_id})

    async def refuse_inbound(self, channel_id: str) -> None:
        """Refuse an inbound call announced by an Invite report."""
        await self._request("call/refuse_inbound", {"channelid": channel_id})

    async def play_prompt(
        self,
        number: str,
        prompt: str,
        *,
        count: int = 1,
        dial_permission: str | None = None,
        auto_answer: bool | None = None,
        volume: int | None = None,
    ) -> None:
        """Call ``number`` and play custom prompts (``promptA+promptB``)."""
        body = {"number": number, "prompt": prompt, "count": str(count)}
        if dial_permission is not None:
            body["dialpermission"] = dial_permission
        if auto_answer is not None:
            body["autoanswer"] = _yes_no(auto_answer)
        if volume is not None:
            body["volume"] = str(volume)
        await self._request("call/playprompt", body)

    # -- SMS and recordings --------------------------------------------------

    async def send_sms(self, trunk: str, phone_number: str, message: str) -> str:
        """Send a text message through a GSM/LTE trunk; return the SMS id."""
        body = {
            "trunk": trunk,
            "phonenumber": phone_number,
            "message": quote(message, safe=""),
        }
        payload = await self._request("sms/send", body)
        return pick(payload, "smsid")

    async def recording_download_url(self, recording: str) -> str:
        """Return a short-lived, single-use address to download a recording."""
        payload = await self._request("recording/get_random", {"recording": recording})
        query = {
            "recording": recording,
            "random": pick(payload, "random"),
            "token": self._token or "",
        }
        return str(self._url(f"{API_PATH}/recording/download", query))

    async def cdr_records(
        self, start: datetime, end: datetime, number: str = ALL
    ) -> list[Cdr]:
        """Return the records of the calls that started from ``start`` to ``end``.

        ``number``: "all" (default), an extension or an outside number. The times are
        the PBX's local time: their date and time are sent as they are (a time zone is
        not converted). Asks for a download random, then downloads the CSV; a window
        without calls (errno 20021) is an empty list.
        """
        window = {
            "number": number,
            "starttime": start.strftime(PBX_TIME_FORMAT),
            "endtime": end.strftime(PBX_TIME_FORMAT),
        }
        try:
            payload = await self._request("cdr/get_random", window)
            query = window | {
                "random": pick(payload, "random"),
                "token": self._token or "",
            }
            raw = await self._download("cdr/download", query)
        except YeastarApiError as err:
            if err.errno == ERRNO_NO_CDR:
                return []
            raise
        return parse_cdr_csv(raw)
