"""Reboot, network outages and the API switch."""

import asyncio

import aiohttp
import pytest

from simulator import PbxSimulator
from tests.common import Receiver

from .conftest import Api


async def test_reboot_forgets_tokens_refuses_then_sends_bootup_once(
    connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    port = sim.port
    callid = await sim.inbound_call("SIPTrunk1", "0612345678", "1000")
    await sim.wait_for_reports()
    receiver.received.clear()
    await sim.reboot()
    assert not sim.online
    assert sim.calls == {}
    assert callid not in sim.calls
    with pytest.raises(aiohttp.ClientConnectionError):
        await connected.post("deviceinfo/query")
    await sim.wait_online(timeout=2)
    assert sim.port == port
    assert (await connected.post("deviceinfo/query"))["errno"] == "20004"
    info = await connected.login(receiver)
    assert info["status"] == "Success"
    await connected.login(receiver)
    await sim.wait_for_reports()
    assert receiver.events() == [{"event": "BootUp", "sn": "369451090405"}]
    assert (await connected.post("deviceinfo/query"))["deviceinfo"][
        "uptime"
    ] == "00:00:00"


async def test_bootup_only_goes_to_clients_known_before_the_reboot(
    api: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    await sim.reboot()
    await sim.wait_online(timeout=2)
    await api.login(receiver)
    await sim.wait_for_reports()
    assert receiver.events("BootUp") == []


async def test_reboot_stops_pending_reports(api: Api, sim: PbxSimulator) -> None:
    await api.login(port="1")
    sim.register_extension("1000")
    await sim.reboot()
    await sim.wait_for_reports(timeout=1)
    assert sim.reports[0].dropped
    await sim.wait_online(timeout=2)


async def test_offline_refusing_then_back_on_the_same_port(
    connected: Api, sim: PbxSimulator
) -> None:
    port = sim.port
    await sim.take_offline("refuse")
    with pytest.raises(aiohttp.ClientConnectionError):
        await connected.post("deviceinfo/query")
    await sim.bring_online()
    assert sim.port == port
    assert (await connected.post("deviceinfo/query"))["status"] == "Success"


async def test_offline_hanging_times_the_client_out(
    connected: Api, sim: PbxSimulator
) -> None:
    await sim.take_offline("hang")
    assert not sim.online
    timeout = aiohttp.ClientTimeout(total=0.3)
    with pytest.raises(TimeoutError):
        async with connected.session.post(
            connected.url("deviceinfo/query"),
            params={"token": connected.token},
            ssl=False,
            timeout=timeout,
        ):
            pass
    await sim.bring_online()
    assert (await connected.post("deviceinfo/query"))["status"] == "Success"


async def test_hang_mode_is_cleaned_up_on_stop(sim_factory) -> None:
    hung = sim_factory(ssl=False)
    await hung.start()
    await hung.take_offline("hang")
    reader, writer = await asyncio.open_connection(hung.host, hung.port)
    await asyncio.sleep(0.01)
    await hung.stop()
    assert await reader.read() == b""
    writer.close()
    await writer.wait_closed()


async def test_unknown_offline_mode(sim: PbxSimulator) -> None:
    with pytest.raises(ValueError, match="unknown offline mode"):
        await sim.take_offline("explode")


async def test_not_started(sim_factory) -> None:
    idle = sim_factory()
    assert not idle.online
    assert idle.port == 0
    with pytest.raises(RuntimeError, match="not started"):
        await idle.bring_online()


async def test_context_manager(sim_factory, http) -> None:
    async with sim_factory(ssl=False) as running:
        assert (await Api(running, http).login())["status"] == "Success"
    assert not running.online


async def test_bootup_follows_the_client_to_its_new_destination(
    api: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    await api.login(port="1", url="old")
    await sim.reboot()
    await sim.wait_online(timeout=2)
    await api.login(receiver)
    await sim.wait_for_reports()
    assert [r.path for r in receiver.received] == ["/yeastar/events"]
    assert receiver.events() == [{"event": "BootUp", "sn": "369451090405"}]
