"""HTTPS against the simulator's self-signed certificate: untrusted, pinned, mismatched."""

from collections.abc import AsyncGenerator

import pytest

from custom_components.yeastar.pbx.errors import (
    YeastarCertificateMismatchError,
    YeastarUntrustedCertificateError,
)
from custom_components.yeastar.pbx.tls import fetch_certificate_fingerprint
from simulator import PbxSimulator

from .conftest import ClientFactory, SimFactory


@pytest.fixture
async def tls_sim(sim_factory: SimFactory) -> AsyncGenerator[PbxSimulator]:
    """Return a running HTTPS simulator with a fresh self-signed certificate."""
    async with sim_factory(ssl=True) as simulator:
        yield simulator


async def test_untrusted_then_trusted(
    tls_sim: PbxSimulator, sim_client: ClientFactory
) -> None:
    """The factory certificate is untrusted; its fetched fingerprint, pinned, works."""
    with pytest.raises(YeastarUntrustedCertificateError) as excinfo:
        await sim_client(tls_sim).login()
    assert excinfo.value.fingerprint is None
    assert tls_sim.requests == []

    fingerprint = await fetch_certificate_fingerprint(tls_sim.host, tls_sim.port)
    assert fingerprint == tls_sim.certificate_fingerprint
    client = sim_client(tls_sim, tls_fingerprint=fingerprint)
    assert client.base_url == tls_sim.base_url
    assert (await client.device_info()).serial_number == "369451090405"
    assert [r.endpoint for r in tls_sim.requests] == ["login", "deviceinfo/query"]


async def test_pinned_certificate_changed(
    tls_sim: PbxSimulator, sim_client: ClientFactory
) -> None:
    """A pin of another certificate is refused, naming the one presented."""
    client = sim_client(tls_sim, tls_fingerprint="00" * 32)
    with pytest.raises(YeastarCertificateMismatchError) as excinfo:
        await client.login()
    assert excinfo.value.fingerprint == tls_sim.certificate_fingerprint
    assert tls_sim.requests == []
