"""HTTPS of the client: CA verification, pinned fingerprints, mixed-up schemes."""

from collections.abc import Callable

import pytest

from custom_components.yeastar.pbx.client import YeastarClient
from custom_components.yeastar.pbx.errors import (
    YeastarCertificateMismatchError,
    YeastarConnectionError,
    YeastarUntrustedCertificateError,
)
from custom_components.yeastar.pbx.tls import fetch_certificate_fingerprint

from .conftest import FakePbx

OTHER_FINGERPRINT = "ab" * 32


async def test_self_signed_is_untrusted(
    tls_fake_pbx: FakePbx, make_client: Callable[..., YeastarClient]
) -> None:
    """Without a pin, a self-signed certificate fails verification against the CAs."""
    client = make_client(tls_fake_pbx)
    with pytest.raises(YeastarUntrustedCertificateError) as excinfo:
        await client.login()
    assert excinfo.value.fingerprint is None
    assert tls_fake_pbx.requests == []


async def test_trust_after_fetching_fingerprint(
    tls_fake_pbx: FakePbx, make_client: Callable[..., YeastarClient]
) -> None:
    """The fetched fingerprint, pinned in any notation, makes HTTPS work."""
    fingerprint = await fetch_certificate_fingerprint("127.0.0.1", tls_fake_pbx.port)
    spelled = ":".join(fingerprint[i : i + 2] for i in range(0, 64, 2)).upper()
    client = make_client(tls_fake_pbx, tls_fingerprint=spelled)
    assert client.tls_fingerprint == fingerprint
    assert client.base_url.startswith("https://")
    await client.trunks()
    assert tls_fake_pbx.endpoints == ["login", "trunk/list"]


async def test_pinned_mismatch(
    tls_fake_pbx: FakePbx, make_client: Callable[..., YeastarClient]
) -> None:
    """A certificate other than the pinned one is refused with its fingerprint."""
    assert tls_fake_pbx.certificate is not None
    client = make_client(tls_fake_pbx, tls_fingerprint=OTHER_FINGERPRINT)
    with pytest.raises(YeastarCertificateMismatchError) as excinfo:
        await client.login()
    assert excinfo.value.fingerprint == tls_fake_pbx.certificate.fingerprint
    assert tls_fake_pbx.requests == []


def test_invalid_pin_is_refused(
    fake_pbx: FakePbx, make_client: Callable[..., YeastarClient]
) -> None:
    """A malformed fingerprint is a programming error, caught at construction."""
    with pytest.raises(ValueError, match="64 hexadecimal digits"):
        make_client(fake_pbx, ssl=True, tls_fingerprint="abc")


async def test_pin_ignored_over_plain_http(
    fake_pbx: FakePbx, make_client: Callable[..., YeastarClient]
) -> None:
    """With ``ssl=False`` the client speaks plain HTTP and ignores any pin."""
    client = make_client(fake_pbx, ssl=False, tls_fingerprint=OTHER_FINGERPRINT)
    assert client.tls_fingerprint is None
    assert client.base_url.startswith("http://")
    await client.login()
    assert fake_pbx.endpoints == ["login"]


async def test_https_to_plain_server(
    fake_pbx: FakePbx, make_client: Callable[..., YeastarClient]
) -> None:
    """Speaking HTTPS to a plain HTTP port is a connection error."""
    client = make_client(fake_pbx, ssl=True, tls_fingerprint=OTHER_FINGERPRINT)
    with pytest.raises(YeastarConnectionError) as excinfo:
        await client.login()
    assert not isinstance(excinfo.value, YeastarUntrustedCertificateError)


async def test_plain_http_to_https_server(
    tls_fake_pbx: FakePbx, make_client: Callable[..., YeastarClient]
) -> None:
    """Speaking plain HTTP to the HTTPS port is a connection error."""
    client = make_client(tls_fake_pbx, ssl=False)
    with pytest.raises(YeastarConnectionError):
        await client.login()
