"""Login, lock-out and token care of the client against the PBX simulator."""

import asyncio
import hashlib

import pytest

from custom_components.yeastar.pbx.client import ReportDestination
from custom_components.yeastar.pbx.errors import (
    YeastarAuthenticationError,
    YeastarLockedOutError,
    YeastarTokenRefusedError,
)
from custom_components.yeastar.pbx.models import LoginResult
from simulator import PbxSimulator, SimulatorTiming
from tests.common import FakeClock, Receiver, endpoints

from .conftest import ClientFactory, SimFactory


def errnos(sim: PbxSimulator, endpoint: str) -> list[str | None]:
    """Return the errno (None on success) of each request to an endpoint."""
    return [
        (record.response or {}).get("errno")
        for record in sim.requests
        if record.endpoint == endpoint
    ]


async def test_login_md5_and_destination(
    sim: PbxSimulator, sim_client: ClientFactory, receiver: Receiver
) -> None:
    """The simulator accepts the MD5 login and reports go where the client said."""
    client = sim_client(sim)
    result = await client.login()

    assert result.transport == "HTTP"
    assert len(result.token) == 32
    (login,) = sim.requests
    assert login.body["password"] == hashlib.md5(b"secret").hexdigest()  # noqa: S324
    assert login.body["version"] == "2.0.0"
    assert "token" not in login.query
    session = sim.tokens[result.token]
    assert session.destination == f"http://127.0.0.1:{receiver.port}/api/webhook/abc"

    await client.set_do_not_disturb("1000", True)
    report = (await receiver.wait_for("ConfigChange"))[0]
    assert report["sn"] == "369451090405"
    assert receiver.received[0].path == "/api/webhook/abc"


async def test_heartbeat_moves_destination(
    sim: PbxSimulator, sim_client: ClientFactory, receiver: Receiver
) -> None:
    """A heartbeat renews the token and sets ``ipaddr``, ``port`` and ``url``."""
    client = sim_client(sim)
    await client.login()
    client.report_destination = ReportDestination(
        port=receiver.port, url="moved", ip_address="127.0.0.1"
    )
    await client.heartbeat()
    assert client.token is not None
    session = sim.tokens[client.token]
    assert session.ipaddr == "127.0.0.1"
    assert session.destination == f"http://127.0.0.1:{receiver.port}/moved"
    assert endpoints(sim) == ["login", "heartbeat"]


async def test_logout_forgets_the_token(
    sim: PbxSimulator, sim_client: ClientFactory
) -> None:
    """After logout the PBX no longer knows the token; the next request logs in again."""
    client = sim_client(sim)
    first = (await client.login()).token
    await client.logout()
    assert first not in sim.tokens
    await client.trunks()
    assert client.token != first
    assert endpoints(sim) == ["login", "logout", "login", "trunk/list"]


async def test_wrong_password_is_never_retried(
    sim: PbxSimulator, sim_client: ClientFactory
) -> None:
    """A request with wrong credentials makes exactly one login attempt."""
    client = sim_client(sim, password="wrong")
    with pytest.raises(YeastarAuthenticationError):
        await client.trunks()
    assert endpoints(sim) == ["login"]
    assert errnos(sim, "login") == ["20003"]


async def test_lock_out_after_five_failures(
    sim: PbxSimulator, sim_client: ClientFactory, clock: FakeClock
) -> None:
    """Five wrong passwords lock the address for ten minutes, even for the right one."""
    wrong = sim_client(sim, password="wrong")
    for _ in range(5):
        with pytest.raises(YeastarAuthenticationError):
            await wrong.login()
    right = sim_client(sim)
    with pytest.raises(YeastarLockedOutError) as excinfo:
        await right.extensions()
    assert excinfo.value.errno == "20002"
    assert right.token is None
    assert endpoints(sim) == ["login"] * 6
    assert errnos(sim, "login") == ["20003"] * 5 + ["20002"]

    clock.advance(599)
    with pytest.raises(YeastarLockedOutError):
        await right.login()
    clock.advance(2)
    await right.login()
    assert endpoints(sim) == ["login"] * 8


@pytest.mark.parametrize("errno", ["20004", "20006"])
async def test_expired_token_one_login_one_retry(
    sim_factory: SimFactory, sim_client: ClientFactory, clock: FakeClock, errno: str
) -> None:
    """After 30 idle minutes the token is gone: one re-login, one retry, on_login told."""
    logins: list[LoginResult] = []
    async with sim_factory(expired_token_errno=errno) as sim:
        client = sim_client(sim, on_login=logins.append)
        await client.trunks()
        clock.advance(1799)
        await client.trunks()  # still valid, and refreshed
        clock.advance(1801)
        trunks = await client.trunks()

        assert [t.name for t in trunks] == ["SIPTrunk1", "SIPTrunk2", "FXO1", "GSM1"]
        assert endpoints(sim) == [
            "login",
            "trunk/list",
            "trunk/list",
            "trunk/list",
            "login",
            "trunk/list",
        ]
        assert errnos(sim, "trunk/list") == [None, None, errno, None]
        assert len(logins) == 2
        assert logins[1].token == client.token != logins[0].token


async def test_second_token_error_is_raised(
    sim_factory: SimFactory, sim_client: ClientFactory
) -> None:
    """A PBX whose tokens die at once: the first refusal is raised, with a single login."""
    ticks = iter(range(10**6))
    timing = SimulatorTiming(token_lifetime=0.5, report_retry_interval=0.05)
    async with sim_factory(clock=lambda: float(next(ticks)), timing=timing) as sim:
        client = sim_client(sim)
        with pytest.raises(YeastarTokenRefusedError):
            await client.extensions()
        assert endpoints(sim) == ["login", "extension/list"]


async def test_tokens_refused_after_login(
    sim: PbxSimulator, sim_client: ClientFactory
) -> None:
    """A PBX that accepts logins but refuses their tokens gets one login, not a storm."""
    client = sim_client(sim)
    await client.extensions()
    sim.refuse_tokens = True
    for _ in range(5):
        with pytest.raises(YeastarTokenRefusedError):
            await client.heartbeat()
    assert endpoints(sim) == [
        "login",
        "extension/list",
        "heartbeat",
        "login",
        "heartbeat",
    ]


async def test_concurrent_requests_on_stale_token_log_in_once(
    sim: PbxSimulator, sim_client: ClientFactory, clock: FakeClock
) -> None:
    """Many requests failing on the same expired token share a single re-login."""
    client = sim_client(sim)
    await client.login()
    await client.heartbeat()
    clock.advance(1801)
    results = await asyncio.gather(
        client.extensions(),
        client.trunks(),
        client.device_info(),
        client.query_calls(),
        client.extension_settings(["1000"]),
    )
    assert results[2].serial_number == "369451090405"
    assert endpoints(sim).count("login") == 2
    assert len(sim.tokens) == 1


async def test_concurrent_requests_with_wrong_password_log_in_once(
    sim: PbxSimulator, sim_client: ClientFactory
) -> None:
    """Concurrent first requests with a wrong password cost a single failed login."""
    client = sim_client(sim, password="wrong")
    results = await asyncio.gather(
        *(client.extensions() for _ in range(6)), return_exceptions=True
    )
    assert all(isinstance(r, YeastarAuthenticationError) for r in results)
    assert errnos(sim, "login") == ["20003"]
