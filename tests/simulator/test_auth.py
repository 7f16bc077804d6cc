"""Login, lock-out, token life and logout (section 4)."""

import hashlib

import aiohttp

from simulator import PbxSimulator
from simulator.auth import Session
from tests.common import FakeClock, Receiver

from .conftest import PASSWORD_MD5, Api


async def test_login_answers_a_token_and_the_transport(
    api: Api, sim: PbxSimulator
) -> None:
    answer = await api.login()
    assert answer == {
        "status": "Success",
        "token": answer["token"],
        "transport": "HTTP",
    }
    assert set(sim.tokens) == {answer["token"]}
    assert sim.requests[-1].endpoint == "login"
    assert sim.requests[-1].source == "127.0.0.1"
    assert sim.requests[-1].response == answer


async def test_login_needs_the_md5_of_the_password(api: Api) -> None:
    assert (await api.login(password="secret"))["errno"] == "20003"
    assert (await api.login(password=PASSWORD_MD5.upper()))["status"] == "Success"
    assert (await api.login(username="admin"))["errno"] == "20003"
    assert (await api.post("login", {"username": "api"}, token=""))["errno"] == "10004"


async def test_custom_credentials(sim_factory, http) -> None:
    async with sim_factory(username="haapi", password="p@ss", ssl=False) as custom:
        client = Api(custom, http)
        md5 = hashlib.md5(b"p@ss", usedforsecurity=False).hexdigest()
        assert (await client.login(username="haapi", password=md5))[
            "status"
        ] == "Success"


async def test_five_failures_lock_the_address_until_the_lock_lapses(
    api: Api, clock: FakeClock
) -> None:
    for _ in range(5):
        assert (await api.login(password="0" * 32))["errno"] == "20003"
    assert (await api.login())["errno"] == "20002"
    clock.advance(599)
    assert (await api.login())["errno"] == "20002"
    clock.advance(2)
    assert (await api.login())["status"] == "Success"


async def test_a_success_resets_the_failure_count(api: Api) -> None:
    for _ in range(4):
        await api.login(password="0" * 32)
    assert (await api.login())["status"] == "Success"
    for _ in range(4):
        assert (await api.login(password="0" * 32))["errno"] == "20003"
    assert (await api.login())["status"] == "Success"


async def test_lockout_is_per_address(api: Api, sim: PbxSimulator) -> None:
    connector = aiohttp.TCPConnector(local_addr=("127.0.0.3", 0))
    async with aiohttp.ClientSession(connector=connector) as other_session:
        other = Api(sim, other_session)
        for _ in range(5):
            await other.login(password="0" * 32)
        assert (await other.login())["errno"] == "20002"
        assert sim.requests[-1].source == "127.0.0.3"
    assert (await api.login())["status"] == "Success"


async def test_token_errors(api: Api, clock: FakeClock) -> None:
    assert (await api.post("extension/list", token=""))["errno"] == "20005"
    assert (await api.post("extension/list", token="0" * 32))["errno"] == "20004"
    await api.login()
    clock.advance(1801)
    assert (await api.post("extension/list"))["errno"] == "20004"


async def test_expired_token_errno_20006_variant(
    sim_factory, http, clock: FakeClock
) -> None:
    async with sim_factory(expired_token_errno="20006", ssl=False) as variant:
        client = Api(variant, http)
        await client.login()
        clock.advance(1801)
        assert (await client.post("deviceinfo/query"))["errno"] == "20006"
        assert (await client.post("deviceinfo/query", token="f" * 32))[
            "errno"
        ] == "20004"


async def test_token_life_slides_with_every_request(
    api: Api, clock: FakeClock, sim: PbxSimulator
) -> None:
    await api.login()
    for _ in range(3):
        clock.advance(1700)
        assert (await api.post("deviceinfo/query"))["status"] == "Success"
    clock.advance(1700)
    assert (await api.post("heartbeat"))["status"] == "Success"
    clock.advance(1801)
    assert (await api.post("heartbeat"))["errno"] == "20004"
    assert sim.tokens == {}


async def test_a_failed_request_still_refreshes_the_token(
    api: Api, clock: FakeClock
) -> None:
    await api.login()
    clock.advance(1700)
    assert (await api.post("extension/query", {"number": "9999"}))["errno"] == "10006"
    clock.advance(1700)
    assert (await api.post("deviceinfo/query"))["status"] == "Success"


async def test_delivered_reports_refresh_the_token(
    connected: Api, clock: FakeClock, sim: PbxSimulator
) -> None:
    clock.advance(1700)
    sim.register_extension("1000")
    await sim.wait_for_reports()
    clock.advance(1700)
    assert (await connected.post("deviceinfo/query"))["status"] == "Success"


async def test_logout_forgets_the_token(api: Api, sim: PbxSimulator) -> None:
    await api.login()
    assert (await api.post("logout")) == {"status": "Success"}
    assert (await api.post("deviceinfo/query"))["errno"] == "20004"
    assert sim.tokens == {}


async def test_several_sessions_coexist_with_their_own_destination(
    api: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    first = (await api.login(receiver))["token"]
    second = (await api.login(port="9999", url="other"))["token"]
    assert first != second
    assert (
        sim.tokens[first].destination
        == f"http://127.0.0.1:{receiver.port}/yeastar/events"
    )
    assert sim.tokens[second].destination == "http://127.0.0.1:9999/other"
    assert (await api.post("deviceinfo/query", token=first))["status"] == "Success"


async def test_destination_defaults_and_bad_port(api: Api, sim: PbxSimulator) -> None:
    token = (await api.login())["token"]
    assert sim.tokens[token].destination == "http://127.0.0.1:8260/"
    assert sim.tokens[token].legacy_reports is False
    assert (await api.login(port="http"))["errno"] == "20008"
    assert (await api.post("heartbeat", {"port": "70000"}))["errno"] == "20008"
    assert (
        await api.post(
            "heartbeat", {"ipaddr": "127.0.0.9", "port": "8123", "url": "/hook"}
        )
    )["status"] == "Success"
    assert sim.tokens[token].destination == "http://127.0.0.9:8123/hook"
    assert (await api.post("heartbeat", {"urltag": "1", "url": "127.0.0.8:9000/abs"}))[
        "status"
    ] == "Success"
    assert sim.tokens[token].destination == "http://127.0.0.8:9000/abs"


def test_destination_forms() -> None:
    session = Session(token="t", source="::1", last_seen=0.0, port="8260", url="/hook")
    assert session.destination == "http://[::1]:8260/hook"
    session.configure({"urltag": "1", "url": "http://10.0.0.5:81/x"})
    assert session.destination == "http://10.0.0.5:81/x"
    assert session.legacy_reports


async def test_credentials_can_change_while_running(
    api: Api, sim: PbxSimulator
) -> None:
    sim.credentials.password = "changed"
    assert (await api.login())["errno"] == "20003"
    new_md5 = hashlib.md5(b"changed", usedforsecurity=False).hexdigest()
    assert (await api.login(password=new_md5))["status"] == "Success"
