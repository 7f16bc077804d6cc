"""Certificate helpers: fingerprint normalising and reading a server's certificate."""

import asyncio
from collections.abc import AsyncGenerator
from unittest.mock import AsyncMock, MagicMock, patch

import pytest

from custom_components.yeastar.pbx.errors import YeastarConnectionError
from custom_components.yeastar.pbx.tls import (
    fetch_certificate_fingerprint,
    format_fingerprint,
    normalise_fingerprint,
)

from .conftest import FakePbx

HEX = "0123456789abcdef" * 4


@pytest.mark.parametrize(
    "text",
    [
        HEX,
        HEX.upper(),
        ":".join(HEX[i : i + 2] for i in range(0, 64, 2)).upper(),
        " ".join(HEX[i : i + 2] for i in range(0, 64, 2)),
        f"  {HEX}\n",
    ],
)
def test_normalise_fingerprint(text: str) -> None:
    """Colons, spaces and upper case fold to 64 lower-case hex digits."""
    assert normalise_fingerprint(text) == HEX


@pytest.mark.parametrize(
    "text",
    ["", HEX[:-2], HEX + "00", HEX[:-1] + "g", "sha256:" + HEX, HEX.replace("0", "-")],
)
def test_normalise_fingerprint_rejects(text: str) -> None:
    """Anything but 32 bytes of hex is refused."""
    with pytest.raises(ValueError, match="64 hexadecimal digits"):
        normalise_fingerprint(text)


async def test_fetch_fingerprint(tls_fake_pbx: FakePbx) -> None:
    """The fingerprint of a self-signed certificate is read without trusting it."""
    assert tls_fake_pbx.certificate is not None
    fingerprint = await fetch_certificate_fingerprint("127.0.0.1", tls_fake_pbx.port)
    assert fingerprint == tls_fake_pbx.certificate.fingerprint
    assert normalise_fingerprint(fingerprint) == fingerprint


async def test_fetch_fingerprint_closed_port(fake_pbx: FakePbx) -> None:
    """A closed port is a connection error."""
    await fake_pbx.stop()
    with pytest.raises(YeastarConnectionError):
        await fetch_certificate_fingerprint("127.0.0.1", fake_pbx.port)


async def test_fetch_fingerprint_plain_http(fake_pbx: FakePbx) -> None:
    """A server that does not speak TLS is a connection error."""
    with pytest.raises(YeastarConnectionError):
        await fetch_certificate_fingerprint("127.0.0.1", fake_pbx.port, timeout=2)


@pytest.fixture
async def silent_port() -> AsyncGenerator[int]:
    """Return the port of a TCP server that accepts and never says anything."""
    writers: list[asyncio.StreamWriter] = []

    async def keep(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)

    server = await asyncio.start_server(keep, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in writers:
        writer.close()
    server.close()
    await server.wait_closed()


async def test_fetch_fingerprint_timeout(silent_port: int) -> None:
    """A handshake that never completes times out as a connection error."""
    with pytest.raises(YeastarConnectionError) as excinfo:
        await fetch_certificate_fingerprint("127.0.0.1", silent_port, timeout=0.05)
    assert isinstance(excinfo.value.__cause__, TimeoutError)


async def test_fetch_fingerprint_without_certificate() -> None:
    """A TLS peer without a certificate is a connection error."""
    writer = MagicMock()
    writer.get_extra_info.return_value = None
    writer.wait_closed = AsyncMock()
    with (
        patch(
            "custom_components.yeastar.pbx.tls.asyncio.open_connection",
            AsyncMock(return_value=(MagicMock(), writer)),
        ),
        pytest.raises(YeastarConnectionError, match="no certificate"),
    ):
        await fetch_certificate_fingerprint("127.0.0.1", 8088)
    writer.close.assert_called_once()


def test_format_fingerprint() -> None:
    """A fingerprint is shown as browsers show it: colon-separated upper-case pairs."""
    assert format_fingerprint("ab01" * 16) == ":".join(["AB", "01"] * 16)
