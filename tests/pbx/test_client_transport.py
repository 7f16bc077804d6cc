"""Transport of the client against a scriptable fake PBX: wire format and failures."""

from collections.abc import Callable
import logging
import socket
import ssl
from typing import Any
from unittest.mock import MagicMock

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
import pytest

from custom_components.yeastar.pbx.client import YeastarClient
from custom_components.yeastar.pbx.errors import (
    YeastarApiDisabledError,
    YeastarApiError,
    YeastarConnectionError,
    YeastarHostNotFoundError,
    YeastarUntrustedCertificateError,
)

from .conftest import FakePbx


async def test_request_wire_format(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """A request is a JSON POST with string values and the token in the query."""
    await client.dial("1000", "0612345678")

    login, dial = fake_pbx.requests
    assert login.method == "POST"
    assert login.token is None
    assert login.content_type == "application/json; charset=utf-8"
    assert dial.method == "POST"
    assert dial.endpoint == "call/dial"
    assert dial.token == "token1"
    assert dial.content_type == "application/json; charset=utf-8"
    assert dial.body == {"caller": "1000", "callee": "0612345678", "autoanswer": "no"}


async def test_parameterless_request_sends_empty_object(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """Endpoints without parameters get an empty JSON object."""
    await client.trunks()
    assert fake_pbx.seen("trunk/list")[0].body == {}


def test_base_url(session: aiohttp.ClientSession) -> None:
    """The base URL names the scheme, host and port; IPv6 hosts are bracketed."""
    client = YeastarClient(
        "192.168.1.150", username="api", password="secret", session=session
    )
    assert client.base_url == "https://192.168.1.150:8088"
    plain = YeastarClient(
        "::1", ssl=False, username="api", password="secret", session=session
    )
    assert plain.base_url == "http://[::1]:8088"
    assert plain.token is None


@pytest.mark.parametrize(
    "answer",
    [
        web.Response(status=404, text="not found"),
        web.Response(status=500, text='{"status": "Failed", "errno": "30001"}'),
        web.Response(text="<html>Boa</html>", content_type="text/html"),
        web.Response(body=b"\xff\xfe\x00garbage"),
        web.json_response(["status", "Success"]),
        web.json_response({"result": "ok"}),
        web.json_response({"status": "Maybe"}),
    ],
    ids=["404", "500", "html", "binary", "json-list", "no-status", "odd-status"],
)
async def test_not_the_pbx_api(
    fake_pbx: FakePbx, client: YeastarClient, answer: web.Response
) -> None:
    """Anything but a JSON object with a PBX status means the API is not there."""
    fake_pbx.answer("login", answer)
    with pytest.raises(YeastarApiDisabledError):
        await client.login()
    assert client.token is None


async def test_status_is_case_insensitive(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """``success``/``FAILED`` in any case are understood."""
    fake_pbx.answer("login", {"status": "success", "token": "abc"})
    fake_pbx.answer("call/hangup", {"STATUS": "FAILED", "errno": 10007})
    assert (await client.login()).token == "abc"
    with pytest.raises(YeastarApiError) as excinfo:
        await client.hangup("PJSIP/1000-1")
    assert type(excinfo.value) is YeastarApiError
    assert excinfo.value.errno == "10007"
    assert excinfo.value.endpoint == "call/hangup"
    assert "the call does not exist" in str(excinfo.value)


async def test_login_without_token_is_not_the_api(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """A "successful" login without a token cannot be the PBX."""
    fake_pbx.answer("login", {"status": "Success"})
    with pytest.raises(YeastarApiDisabledError, match="no token"):
        await client.login()


async def test_refused_connection(
    make_client: Callable[..., YeastarClient], fake_pbx: FakePbx
) -> None:
    """A closed port is a connection error."""
    await fake_pbx.stop()
    with pytest.raises(YeastarConnectionError) as excinfo:
        await make_client(fake_pbx).login()
    assert type(excinfo.value) is YeastarConnectionError


async def test_timeout(
    make_client: Callable[..., YeastarClient], fake_pbx: FakePbx
) -> None:
    """A PBX that does not answer in time is a connection error."""
    fake_pbx.answer("login", fake_pbx.hang)
    client = make_client(fake_pbx, request_timeout=0.05)
    with pytest.raises(YeastarConnectionError, match="timed out") as excinfo:
        await client.login()
    assert isinstance(excinfo.value.__cause__, TimeoutError)


async def test_dropped_connection(fake_pbx: FakePbx, client: YeastarClient) -> None:
    """A connection closed without an answer is a connection error."""

    async def drop(request: web.Request) -> web.Response:
        assert request.transport is not None
        request.transport.close()
        return web.json_response({})

    fake_pbx.answer("login", drop)
    with pytest.raises(YeastarConnectionError):
        await client.login()


async def test_connection_error_message_hides_token(
    fake_pbx: FakePbx, client: YeastarClient
) -> None:
    """Connection error messages never show the token."""
    await client.login()
    fake_pbx.answer("trunk/list", fake_pbx.hang)
    client.request_timeout = 0.05
    with pytest.raises(YeastarConnectionError) as excinfo:
        await client.trunks()
    assert "token1" not in str(excinfo.value)


async def test_logout_error_hides_the_token(
    fake_pbx: FakePbx, client: YeastarClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A malformed answer to logout names no token, though logout forgets it first."""
    await client.login()

    async def malformed(request: web.Request) -> web.Response:
        assert request.transport is not None
        request.transport.write(b"HTTP/1.1 2x0 Nope\r\nContent-Length: 0\r\n\r\n")
        request.transport.close()
        return web.json_response({})

    fake_pbx.answer("logout", malformed)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(YeastarConnectionError) as excinfo:
        await client.logout()
    assert client.token is None
    assert "token1" not in str(excinfo.value)
    assert "<token>" in str(excinfo.value)
    client_lines = [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.yeastar")
    ]
    assert client_lines
    assert not [line for line in client_lines if "token1" in line]


async def test_connection_errors_in_words(
    make_client: Callable[..., YeastarClient], fake_pbx: FakePbx
) -> None:
    """A refused connection is said in words, not in aiohttp's internal terms."""
    await fake_pbx.stop()
    client = make_client(fake_pbx, tls_fingerprint="ab" * 32)
    with pytest.raises(YeastarConnectionError) as excinfo:
        await client.login()
    assert str(excinfo.value) == (
        f"Cannot reach the PBX at 127.0.0.1:{fake_pbx.port}: the connection was refused"
    )


class NameNotFoundResolver(AbstractResolver):
    """A resolver that knows no name, as c-ares answers for a missing one (no DNS asked)."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Answer that the name does not exist."""
        raise OSError(None, "Domain name not found")

    async def close(self) -> None:
        """Nothing to release."""


async def test_unknown_host_name() -> None:
    """A host name the resolver does not know is its own connection error."""
    connector = aiohttp.TCPConnector(resolver=NameNotFoundResolver())
    async with aiohttp.ClientSession(connector=connector) as session:
        client = YeastarClient(
            "pbx.example.invalid", username="api", password="pw", session=session
        )
        with pytest.raises(YeastarHostNotFoundError) as excinfo:
            await client.login()
    assert str(excinfo.value) == "The host name pbx.example.invalid was not found"


def client_whose_posts_raise(
    session: aiohttp.ClientSession, error: Exception, **kwargs: Any
) -> YeastarClient:
    """Return a client of a dead address whose every request raises this error."""
    client = YeastarClient(
        "127.0.0.1", 1, username="api", password="pw", session=session, **kwargs
    )
    failing = MagicMock()
    failing.post.side_effect = error
    client._session = failing
    return client


async def test_redacts_token_from_error_text(session: aiohttp.ClientSession) -> None:
    """Should an aiohttp error quote the URL, the token is replaced."""
    client = client_whose_posts_raise(
        session,
        aiohttp.InvalidURL(
            "http://127.0.0.1:1/api/v2.0.0/trunk/list?token=0123456789abcdef"
        ),
        ssl=False,
    )
    client._token = "0123456789abcdef"
    with pytest.raises(YeastarConnectionError) as excinfo:
        await client.trunks()
    assert "0123456789abcdef" not in str(excinfo.value)
    assert "<token>" in str(excinfo.value)


def tls_failure(message: str, reason: str) -> aiohttp.ClientConnectorSSLError:
    """Return aiohttp's error for a plain SSLError (not a certificate error)."""
    failure = ssl.SSLError(1, message)
    failure.reason = reason  # type: ignore[misc]
    return aiohttp.ClientConnectorSSLError(MagicMock(), failure)


async def test_ssl_verify_failure_without_certificate_error(
    session: aiohttp.ClientSession,
) -> None:
    """A plain SSLError that reports a failed verification means "untrusted"."""
    client = client_whose_posts_raise(
        session, tls_failure("certificate verify failed", "CERTIFICATE_VERIFY_FAILED")
    )
    with pytest.raises(YeastarUntrustedCertificateError) as excinfo:
        await client.login()
    assert excinfo.value.fingerprint is None


async def test_other_ssl_errors_are_connection_errors(
    session: aiohttp.ClientSession,
) -> None:
    """A TLS failure that is not about trust is a connection error."""
    client = client_whose_posts_raise(
        session, tls_failure("wrong version number", "WRONG_VERSION_NUMBER")
    )
    with pytest.raises(YeastarConnectionError) as excinfo:
        await client.login()
    assert type(excinfo.value) is YeastarConnectionError


async def test_debug_log_never_shows_secrets(
    fake_pbx: FakePbx, client: YeastarClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Debug logging names endpoints but never the password, its hash or the token."""
    caplog.set_level(logging.DEBUG, logger="custom_components.yeastar.pbx")
    await client.extensions()
    fake_pbx.answer("trunk/list", {"status": "Failed", "errno": "20004"})
    await client.trunks()
    text = "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.yeastar.pbx")
    )
    assert "trunk/list" in text
    assert "20004" in text
    assert "secret" not in text
    assert "5ebe2294ecd0e0f08eab7690d2a6ee69" not in text  # md5("secret")
    assert "token1" not in text
    assert "token2" not in text
