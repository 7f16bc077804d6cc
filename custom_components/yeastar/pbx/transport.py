"""HTTP to the PBX API: requests, answers, and what their failures mean.

The first layer of the client (``auth.py`` adds the token, ``client.py`` the endpoints):
JSON POSTs and GET downloads through an injected ``aiohttp.ClientSession``, TLS against the
system's authorities or a pinned certificate fingerprint, and every failure turned into the
library's errors, in words, with the request's token never in them.
"""

import asyncio
from collections.abc import Mapping
import json
import logging
import ssl
from typing import Any

import aiohttp
from yarl import URL

from .errors import (
    YeastarApiDisabledError,
    YeastarCertificateMismatchError,
    YeastarConnectionError,
    YeastarHostNotFoundError,
    YeastarUntrustedCertificateError,
    api_error_for,
)
from .text import pick
from .tls import normalise_fingerprint

_LOGGER = logging.getLogger(__name__)

API_VERSION = "2.0.0"
API_PATH = f"/api/v{API_VERSION}"
DEFAULT_PORT = 8088
_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
_VERIFY_FAILED = "CERTIFICATE_VERIFY_FAILED"


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


class PbxTransport:
    """The HTTP side of a client of one PBX."""

    def __init__(
        self,
        host: str,
        port: int = DEFAULT_PORT,
        *,
        ssl: bool = True,
        session: aiohttp.ClientSession,
        tls_fingerprint: str | None = None,
        request_timeout: float = 10.0,
    ) -> None:
        """Prepare the transport; nothing is sent before the first request."""
        self.host = host
        self.port = port
        self.ssl = ssl
        self.request_timeout = request_timeout
        self._session = session
        self._ssl_mode: bool | aiohttp.Fingerprint = True
        self.tls_fingerprint: str | None = None
        if ssl and tls_fingerprint is not None:
            self.tls_fingerprint = normalise_fingerprint(tls_fingerprint)
            self._ssl_mode = aiohttp.Fingerprint(bytes.fromhex(self.tls_fingerprint))

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
        if token:
            detail = detail.replace(token, "<token>")
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
