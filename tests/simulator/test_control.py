"""The unauthenticated test-bench control routes (/control/...)."""

import asyncio
from typing import Any

import aiohttp
import pytest

from simulator import PbxSimulator
from tests.common import Receiver

from .conftest import Api


class Control:
    """Drive /control/<action>."""

    def __init__(self, sim: PbxSimulator, session: aiohttp.ClientSession) -> None:
        self.sim = sim
        self.session = session

    async def __call__(
        self, action: str, body: Any = None, *, expect: int = 200
    ) -> dict[str, Any]:
        data = b"" if body is None else aiohttp.JsonPayload(body)
        async with self.session.post(
            f"{self.sim.base_url}/control/{action}", data=data, ssl=False
        ) as response:
            assert response.status == expect
            return await response.json()

    async def state(self) -> dict[str, Any]:
        async with self.session.get(
            f"{self.sim.base_url}/control/state", ssl=False
        ) as response:
            assert response.status == 200
            return await response.json()


@pytest.fixture
def control(sim: PbxSimulator, http: aiohttp.ClientSession) -> Control:
    return Control(sim, http)


async def test_call_controls(
    control: Control, connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    callid = (
        await control(
            "inbound_call",
            {
                "trunk": "SIPTrunk1",
                "caller": "0612345678",
                "extension": ["1000", "1001"],
                "group": "6300",
            },
        )
    )["callid"]
    await control("dtmf", {"callid": callid, "keys": "1"})
    await control("answer", {"callid": callid, "number": "1001"})
    await control("hold", {"callid": callid, "number": "1001"})
    await control("unhold", {"callid": callid, "number": "1001"})
    await control("transfer", {"callid": callid, "by": "1001", "to": "1002"})
    await control("hangup", {"callid": callid})
    outbound = (
        await control(
            "outbound_call",
            {"extension": "1000", "number": "0612345678", "trunk": "SIPTrunk1"},
        )
    )["callid"]
    await control("fail", {"callid": outbound})
    internal = (await control("internal_call", {"caller": "1000", "callee": "1001"}))[
        "callid"
    ]
    await control("voicemail", {"callid": internal})
    await control("hangup", {"callid": internal, "number": "1000"})
    single = (
        await control(
            "inbound_call",
            {"trunk": "SIPTrunk1", "caller": "0611111111", "extension": "1000"},
        )
    )["callid"]
    await control("hangup", {"callid": single})
    await sim.wait_for_reports()
    assert [cdr["status"] for cdr in receiver.events("NewCdr")] == [
        "ANSWERED",
        "BUSY",
        "VOICEMAIL",
        "NO ANSWER",
    ]
    assert len(receiver.events("Transfer")) == 1
    assert len(receiver.events("DTMF")) == 1


async def test_office_controls(
    control: Control, connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    await control("unregister", {"number": "1000"})
    await control("register", {"number": "1000"})
    await control("add_extension", {"number": "1030", "name": "Temp"})
    await control("update_extension", {"number": "1030", "dnd": "on"})
    await control("remove_extension", {"number": "1030"})
    await control("add_trunk", {"name": "T9", "type": "SIP"})
    await control("trunk_status", {"name": "T9", "status": "Failure"})
    assert sim.office.trunk("T9").status == "Failure"
    await control("remove_trunk", {"name": "T9"})
    await sim.wait_for_reports()
    assert [body["event"] for body in receiver.events()] == ["ExtensionStatus"] * 2 + [
        "ConfigChange"
    ] * 5


async def test_state(control: Control, connected: Api, sim: PbxSimulator) -> None:
    await sim.internal_call("1000", "1001")
    state = await control.state()
    assert state["ok"] is True
    assert state["online"] is True
    assert state["extensions"]["1000"] == "Busy"
    assert len(state["calls"]) == 1
    assert state["sessions"][0]["version"] == "2.0.0"
    assert state["office"]["serial_number"] == "369451090405"
    assert state["requests"] == 1


async def test_api_switch_and_traffic(
    control: Control, sim: PbxSimulator, api: Api
) -> None:
    assert (await control("api", {"enabled": False}))["enabled"] is False
    assert (await api.raw("POST", "login")).status == 404
    await control("api", {"enabled": True})
    assert (
        await control("traffic", {"on": True, "rate": 600, "seed": 3, "max_calls": 1})
    )["running"] is True
    assert (await control("traffic", {"on": False}))["running"] is False


async def test_reboot_and_offline(control: Control, sim: PbxSimulator) -> None:
    assert (await control("reboot"))["reboot_duration"] == 0.2
    await asyncio.sleep(0.15)
    assert not sim.online
    await sim.wait_online(timeout=2)
    assert (await control("offline", {"mode": "hang", "duration": 0.1}))[
        "mode"
    ] == "hang"
    await asyncio.sleep(0.15)
    assert not sim.online
    await sim.wait_online(timeout=2)
    await control("offline", {"mode": "sideways"}, expect=400)


async def test_control_errors(control: Control) -> None:
    assert (await control("nope", {}, expect=404))["error"] == "unknown action"
    assert (await control("answer", {}, expect=400))["error"] == "missing callid"
    assert (
        "errno 10005"
        in (await control("answer", {"callid": "1.1"}, expect=400))["error"]
    )
    assert (await control("answer", [1], expect=400))["ok"] is False
    assert (await control("register", None, expect=400))["ok"] is False


async def test_token_controls(control: Control, connected: Api) -> None:
    """Tokens refused after login, and a login that ends the account's other sessions."""
    answer = await control("tokens", {"refuse": True})
    assert (answer["refuse"], answer["single_session"]) == (True, False)
    assert (await connected.post("extension/list"))["errno"] == "20004"
    assert (await connected.login())["status"] == "Success"
    assert (await connected.post("extension/list"))["errno"] == "20004"
    await control("tokens", {"refuse": False, "single_session": True})
    first = connected.token
    assert (await connected.post("extension/list"))["status"] == "Success"
    await connected.login()
    assert (await connected.post("extension/list", token=first))["errno"] == "20004"
    assert (await connected.post("extension/list"))["status"] == "Success"


async def test_report_source_control(
    control: Control, connected: Api, sim: PbxSimulator, receiver: Receiver
) -> None:
    """Reports can leave from another loopback address, as from a second interface."""
    sim.unregister_extension("1000")
    await receiver.wait_for("ExtensionStatus")
    assert receiver.received[-1].remote == "127.0.0.1"
    assert (await control("report_source", {"address": "127.0.0.3"}))["address"] == (
        "127.0.0.3"
    )
    sim.register_extension("1000")
    await receiver.wait_for("ExtensionStatus", count=2)
    assert receiver.received[-1].remote == "127.0.0.3"
