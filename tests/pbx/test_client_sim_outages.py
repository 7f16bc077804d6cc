"""Reboots, outages and a switched-off API, against the simulator."""

import pytest

from custom_components.yeastar.pbx.errors import (
    YeastarApiDisabledError,
    YeastarConnectionError,
)
from custom_components.yeastar.pbx.models import LoginResult
from simulator import PbxSimulator
from tests.common import endpoints

from .conftest import ClientFactory, SimFactory


async def test_reboot(sim: PbxSimulator, sim_client: ClientFactory) -> None:
    """While rebooting the PBX is unreachable; afterwards the client logs in again by itself."""
    logins: list[LoginResult] = []
    client = sim_client(sim, on_login=logins.append)
    await client.trunks()
    stale = client.token

    await sim.reboot()
    with pytest.raises(YeastarConnectionError):
        await client.trunks()
    await sim.wait_online()
    await client.trunks()

    assert client.token != stale
    assert len(logins) == 2
    assert endpoints(sim)[-3:] == ["trunk/list", "login", "trunk/list"]
    assert [(r.response or {}).get("errno") for r in sim.requests[-3:]] == [
        "20004",
        None,
        None,
    ]


async def test_refused_connection(sim: PbxSimulator, sim_client: ClientFactory) -> None:
    """A PBX that refuses connections is a connection error; the token survives."""
    client = sim_client(sim)
    await client.login()
    await sim.take_offline("refuse")
    with pytest.raises(YeastarConnectionError) as excinfo:
        await client.extensions()
    assert type(excinfo.value) is YeastarConnectionError
    await sim.bring_online()
    await client.extensions()
    assert endpoints(sim) == ["login", "extension/list"]


@pytest.mark.parametrize("ssl", [False, True])
async def test_hanging_pbx_times_out(
    sim_factory: SimFactory, sim_client: ClientFactory, ssl: bool
) -> None:
    """A PBX that accepts but never answers times out after request_timeout."""
    async with sim_factory(ssl=ssl) as sim:
        client = sim_client(
            sim, request_timeout=0.1, tls_fingerprint=sim.certificate_fingerprint
        )
        await client.login()
        await sim.take_offline("hang")
        with pytest.raises(YeastarConnectionError, match="timed out") as excinfo:
            await client.device_info()
        assert isinstance(excinfo.value.__cause__, TimeoutError)
        await sim.bring_online()
        assert (await client.device_info()).serial_number == "369451090405"


async def test_api_disabled(sim: PbxSimulator, sim_client: ClientFactory) -> None:
    """With the API switched off the PBX answers a 404 page: not the API."""
    client = sim_client(sim)
    sim.api_enabled = False
    with pytest.raises(YeastarApiDisabledError):
        await client.login()
    assert client.token is None
    sim.api_enabled = True
    await client.trunks()
    sim.api_enabled = False
    with pytest.raises(YeastarApiDisabledError):
        await client.heartbeat()
    assert client.token is not None
