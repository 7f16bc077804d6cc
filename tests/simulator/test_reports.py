"""Event report delivery (section 7.1): headers, destination, retries, order, expiry."""

import asyncio

import aiohttp
import pytest
import pytest_socket

from simulator import PbxSimulator
from simulator.reports import source_address
from tests.common import FakeClock, Receiver

from .conftest import Api


async def test_reports_are_plain_http_posts_with_the_webapi_headers(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    sim.register_extension("1000")
    await sim.wait_for_reports()
    (report,) = receiver.received
    assert report.method == "POST"
    assert report.path == "/yeastar/events"
    assert report.headers["User-Agent"] == "WebAPI"
    assert report.headers["Content-Type"] == "application/json"
    assert report.headers["Accept"] == "application/json"
    assert report.headers["Host"] == f"127.0.0.1:{receiver.port}"
    assert "Accept-Encoding" not in report.headers
    assert report.body == {
        "event": "ExtensionStatus",
        "extension": "1000",
        "status": "Registered",
        "registeredIP": "192.168.1.100",
        "sn": "369451090405",
    }
    (record,) = sim.reports
    assert (record.delivered, record.attempts, record.dropped) == (True, 1, False)
    assert record.url == f"http://127.0.0.1:{receiver.port}/yeastar/events"


async def test_urltag_1_gives_an_absolute_destination(
    api: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    await api.login(
        url=f"127.0.0.1:{receiver.port}/absolute/path", urltag="1", port="1"
    )
    sim.unregister_extension("1001")
    await sim.wait_for_reports()
    assert [r.path for r in receiver.received] == ["/absolute/path"]
    assert receiver.events() == [
        {
            "event": "ExtensionStatus",
            "extension": "1001",
            "status": "Unregistered",
            "sn": "369451090405",
        }
    ]


async def test_heartbeat_moves_the_destination(
    api: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    await api.login(port="9")
    assert (
        await api.post(
            "heartbeat",
            {
                "ipaddr": "127.0.0.1",
                "port": str(receiver.port),
                "url": "moved",
                "version": "2.0.0",
            },
        )
    )["status"] == "Success"
    sim.register_extension("1000")
    await sim.wait_for_reports()
    assert [r.path for r in receiver.received] == ["/moved"]


async def test_reports_are_retried_until_200_then_delivered_once(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    receiver.statuses = [500, 404]
    sim.register_extension("1000")
    await sim.wait_for_reports()
    assert len(receiver.received) == 3
    assert all(r.body == receiver.received[0].body for r in receiver.received)
    (record,) = sim.reports
    assert (record.attempts, record.delivered, record.statuses) == (
        3,
        True,
        [500, 404, 200],
    )


async def test_order_is_kept_behind_a_failing_report(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    receiver.statuses = [503, 503]
    sim.unregister_extension("1000")
    sim.register_extension("1000")
    sim.unregister_extension("1001")
    await sim.wait_for_reports()
    delivered = [(r.body["extension"], r.body["status"]) for r in receiver.received]
    assert delivered == [("1000", "Unregistered")] * 3 + [
        ("1000", "Registered"),
        ("1001", "Unregistered"),
    ]


async def test_unreachable_receiver_is_retried_and_reports_drop_when_the_token_expires(
    api: Api, sim: PbxSimulator, clock: FakeClock
) -> None:
    await api.login(port="1")
    sim.register_extension("1000")
    sim.register_extension("1001")
    await asyncio.sleep(0.2)
    first, second = sim.reports
    assert first.attempts >= 2
    assert second.attempts == 0
    assert not first.delivered
    clock.advance(1801)
    await sim.wait_for_reports()
    assert first.dropped and second.dropped
    assert not first.delivered and not second.delivered


async def test_hung_receiver_times_out_and_is_retried(
    api: Api, sim: PbxSimulator
) -> None:
    async def silent(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while await reader.read(65536):
            pass
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        await api.login(port=str(port))
        sim.register_extension("1000")
        await asyncio.sleep(0.7)
        (record,) = sim.reports
        assert record.statuses[0] == "TimeoutError"
        assert not record.delivered
        await api.post("logout")
        await sim.wait_for_reports()
        assert record.dropped
    finally:
        server.close()
        server.close_clients()
        await server.wait_closed()


async def test_no_reports_without_a_valid_token(
    connected: Api, sim: PbxSimulator, receiver: Receiver, clock: FakeClock
) -> None:
    clock.advance(1801)
    sim.register_extension("1000")
    await sim.wait_for_reports()
    assert receiver.received == []
    assert sim.reports == []


async def test_logout_stops_reports(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    await connected.post("logout")
    sim.register_extension("1000")
    await sim.wait_for_reports()
    assert receiver.received == []


async def test_every_session_gets_every_report(
    api: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    await api.login(receiver, url="first")
    await api.login(receiver, url="second")
    sim.register_extension("1000")
    await sim.wait_for_reports()
    assert sorted(r.path for r in receiver.received) == ["/first", "/second"]


async def test_without_version_reports_use_the_legacy_action_shape(
    api: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    await api.login(receiver, version="")
    sim.register_extension("1000")
    await sim.wait_for_reports()
    assert receiver.events("ExtensionStatus") == []
    assert receiver.received[0].body == {
        "action": "ExtensionStatus",
        "extension": "1000",
        "status": "Registered",
        "registeredIP": "192.168.1.100",
    }


async def test_wait_for_reports_times_out_while_reports_wait(
    api: Api, sim: PbxSimulator
) -> None:
    await api.login(port="1")
    sim.register_extension("1000")
    with pytest.raises(TimeoutError):
        await sim.wait_for_reports(timeout=0.1)


async def test_reports_come_from_the_pbx_address(
    sim_factory, receiver: Receiver
) -> None:
    pytest_socket.socket_allow_hosts(["127.0.0.1", "127.0.0.2"])
    async with sim_factory(host="127.0.0.2", ssl=False) as pbx:
        async with aiohttp.ClientSession() as session:
            client = Api(pbx, session)
            await client.login(receiver)
            pbx.register_extension("1000")
            await pbx.wait_for_reports()
        assert receiver.received[0].remote == "127.0.0.2"


def test_reports_source_address() -> None:
    assert source_address("127.0.0.2") == ("127.0.0.2", 0)
    assert source_address("0.0.0.0") is None  # noqa: S104
    assert source_address("pbx.local") is None


async def test_unusable_absolute_destination_is_retried(
    api: Api, sim: PbxSimulator
) -> None:
    await api.login(urltag="1", url="127.0.0.1:99999/x")
    sim.register_extension("1000")
    await asyncio.sleep(0.1)
    assert not sim.reports[0].delivered
    assert sim.reports[0].attempts >= 1
    await api.post("logout")
    await sim.wait_for_reports()
