"""Every endpoint of the client and its documented error paths, against the simulator."""

import aiohttp
import pytest

from custom_components.yeastar.pbx.callmodels import Call, MemberKind, MemberStatus
from custom_components.yeastar.pbx.client import YeastarClient
from custom_components.yeastar.pbx.errors import YeastarApiError
from simulator import PbxSimulator, SimulatorTiming
from tests.common import FakeClock

from .conftest import ClientFactory, SimFactory


@pytest.fixture
def client(sim: PbxSimulator, sim_client: ClientFactory) -> YeastarClient:
    """Return a client of the plain-HTTP simulator."""
    return sim_client(sim)


def channel_of(call: Call, kind: MemberKind, number: str = "") -> str:
    """Return the channel of the member of a kind (and extension number)."""
    return next(
        m.channel_id
        for m in call.members
        if m.kind is kind and (not number or m.number == number)
    )


async def answered_inbound(sim: PbxSimulator, client: YeastarClient) -> Call:
    """Return an inbound call on SIPTrunk1 answered by extension 1000."""
    call_id = await sim.inbound_call(
        trunk="SIPTrunk1", caller="0612345678", extension="1000"
    )
    await sim.answer(call_id, "1000")
    (call,) = await client.query_calls(call_id=call_id)
    return call


async def expect_errno(errno: str, awaitable: object) -> YeastarApiError:
    """Await a client call and check the PBX refused it with an errno."""
    with pytest.raises(YeastarApiError) as excinfo:
        await awaitable  # type: ignore[misc]
    assert excinfo.value.errno == errno
    return excinfo.value


async def test_device_info(client: YeastarClient) -> None:
    """``deviceinfo/query`` describes the simulated S100."""
    info = await client.device_info()
    assert info.model == "Yeastar S100"
    assert info.serial_number == "369451090405"
    assert info.firmware_version == "30.13.0.30"
    assert info.extension_status == "14/100"
    assert info.system_time.endswith("UTC+1")


async def test_extensions(client: YeastarClient) -> None:
    """``extension/list`` lists SIP and FXS extensions with their PBX status."""
    extensions = {e.number: e for e in await client.extensions()}
    assert len(extensions) == 14
    assert extensions["1000"].name == "Reception"
    assert extensions["1000"].status == "Registered"
    assert extensions["1006"].status == "Unavailable"
    assert extensions["1008"].type == "FXS"
    assert extensions["1008"].port == "Port1"
    assert extensions["1013"].status == "Fxsnoport"


async def test_extension_settings(client: YeastarClient) -> None:
    """``extension/query`` for some extensions or all of them."""
    assert len(await client.extension_settings()) == 14
    settings = await client.extension_settings(["1001", "1008"])
    assert [s.number for s in settings] == ["1001", "1008"]
    assert settings[0].name == "Sales"
    assert settings[0].do_not_disturb is False
    assert settings[0].email == "sales@example.com"
    assert "registerpassword" not in settings[0].raw
    await expect_errno("10006", client.extension_settings(["1999"]))


async def test_update_extension(client: YeastarClient, sim: PbxSimulator) -> None:
    """DND and forwarding are written with ``extension/update`` and read back."""
    await client.set_do_not_disturb("1001", True)
    await client.update_extension(
        "1001", alwaysforward="on", atransferto="Extension", atransferext="1002"
    )
    (settings,) = await client.extension_settings(["1001"])
    assert settings.do_not_disturb is True
    assert settings.always_forward is True
    assert settings.raw["atransferext"] == "1002"
    await client.set_do_not_disturb("1001", False)
    assert (await client.extension_settings(["1001"]))[0].do_not_disturb is False

    await expect_errno("10006", client.set_do_not_disturb("1999", True))
    await expect_errno("10017", client.update_extension("1001", dnd="maybe"))
    await expect_errno(
        "10017", client.update_extension("1001", ringtimeout="20", busyforward="on")
    )


async def test_update_too_often(
    sim_factory: SimFactory, sim_client: ClientFactory, clock: FakeClock
) -> None:
    """Writes closer together than the PBX applies them are refused with 10025."""
    timing = SimulatorTiming(config_apply_interval=5.0, report_retry_interval=0.05)
    async with sim_factory(timing=timing) as sim:
        client = sim_client(sim)
        await client.set_do_not_disturb("1000", True)
        await expect_errno("10025", client.set_do_not_disturb("1000", False))
        clock.advance(5)
        await client.set_do_not_disturb("1000", False)


async def test_trunks(client: YeastarClient) -> None:
    """``trunk/list`` lists every trunk with its status."""
    trunks = {t.name: t for t in await client.trunks()}
    assert set(trunks) == {"SIPTrunk1", "SIPTrunk2", "FXO1", "GSM1"}
    assert trunks["SIPTrunk1"].status == "Registered"
    assert trunks["GSM1"].type == "GSM"
    assert trunks["GSM1"].port == "Port4"
    assert trunks["SIPTrunk1"].id


async def test_dial_and_query(client: YeastarClient, sim: PbxSimulator) -> None:
    """``call/dial`` starts a click-to-call that ``call/query`` and ``query_call`` see."""
    call_id = await client.dial("1000", "1001")
    assert call_id in sim.calls
    assert sim.requests[-1].body["autoanswer"] == "no"

    (call,) = await client.query_calls(call_id=call_id)
    assert call.call_id == call_id
    (caller,) = call.extension_members()
    assert caller.number == "1000"
    assert caller.status is MemberStatus.RING
    assert await client.query_calls(call_type="inbound") == []
    assert [c.call_id for c in await client.query_calls()] == [call_id]

    calls = await client.extension_calls(["1000", "1001"])
    assert [c.call_id for c in calls["1000"]] == [call_id]
    assert calls["1001"] == ()
    assert set(await client.extension_calls()) == {
        e.number for e in sim.office.extensions
    }

    await client.hangup(caller.channel_id)
    assert sim.calls == {}
    await expect_errno("10005", client.query_calls(call_id=call_id))


async def test_dial_errors(client: YeastarClient) -> None:
    """Dialling errors: unknown numbers, no permission, a busy caller."""
    await expect_errno("10011", client.dial("1000", "1999"))
    await expect_errno("10006", client.dial("1999", "1000"))
    await expect_errno("10024", client.dial("1005", "0612345678"))
    await expect_errno("10008", client.dial("1006", "1000"))  # not registered
    await client.dial("1001", "0612345678", auto_answer=True, dial_permission="1000")
    await expect_errno("10008", client.dial("1001", "1002"))


async def test_query_calls_capital_key(
    sim_factory: SimFactory, sim_client: ClientFactory
) -> None:
    """A PBX answering ``Calls`` (capital C) is understood."""
    async with sim_factory(calls_key="Calls") as sim:
        client = sim_client(sim)
        call_id = await client.dial("1000", "1001")
        assert [c.call_id for c in await client.query_calls()] == [call_id]
        assert "Calls" in (sim.requests[-1].response or {})
        (call,) = await client.query_calls(call_id=call_id)
        assert call.extension_members()[0].number == "1000"


async def test_hold_unhold_transfer_hangup(
    client: YeastarClient, sim: PbxSimulator
) -> None:
    """Channel operations on an answered inbound call."""
    call = await answered_inbound(sim, client)
    extension = channel_of(call, MemberKind.EXTENSION, "1000")
    outside = channel_of(call, MemberKind.INBOUND)

    await client.hold(extension)
    (held,) = await client.query_calls(call_id=call.call_id)
    assert held.extension_members()[0].status is MemberStatus.HOLD
    await expect_errno("10015", client.hold(extension))
    await client.unhold(extension)
    await expect_errno("10015", client.unhold(extension))

    await client.transfer(outside, "1002")
    (moved,) = await client.query_calls(call_id=call.call_id)
    assert [m.number for m in moved.extension_members()] == ["1002"]
    await expect_errno("10007", client.hangup("PJSIP/9999-00000000"))
    await client.hangup(outside)
    assert sim.calls == {}


async def test_transfer_errors(client: YeastarClient, sim: PbxSimulator) -> None:
    """Transfers to unknown numbers or out without permission are refused."""
    call = await answered_inbound(sim, client)
    outside = channel_of(call, MemberKind.INBOUND)
    await expect_errno("10011", client.transfer(outside, "1999"))
    await expect_errno(
        "10024", client.transfer(outside, "0698765432", dial_permission="1005")
    )
    await client.transfer(outside, "0698765432", dial_permission="1000")


async def test_accept_and_refuse_inbound(
    client: YeastarClient, sim: PbxSimulator, clock: FakeClock
) -> None:
    """Invited calls on a controlled trunk are accepted or refused inside the window."""
    accepted = await sim.inbound_call(
        trunk="SIPTrunk2", caller="0611111111", extension="1000"
    )
    (call,) = await client.query_calls(call_id=accepted)
    await client.accept_inbound(channel_of(call, MemberKind.INBOUND))
    (ringing,) = await client.query_calls(call_id=accepted)
    assert ringing.extension_members()[0].status is MemberStatus.RING
    await expect_errno(
        "10016", client.accept_inbound(channel_of(call, MemberKind.INBOUND))
    )

    refused = await sim.inbound_call(
        trunk="SIPTrunk2", caller="0622222222", extension="1001"
    )
    (call,) = await client.query_calls(call_id=refused)
    await client.refuse_inbound(channel_of(call, MemberKind.INBOUND))
    assert refused not in sim.calls

    late = await sim.inbound_call(
        trunk="SIPTrunk2", caller="0633333333", extension="1002"
    )
    (call,) = await client.query_calls(call_id=late)
    clock.advance(11)
    await expect_errno(
        "10016", client.refuse_inbound(channel_of(call, MemberKind.INBOUND))
    )


async def test_play_prompt(client: YeastarClient, sim: PbxSimulator) -> None:
    """``call/playprompt`` calls a number to play prompts; unknown prompts are 10023."""
    await client.play_prompt("1000", "welcome+goodbye", count=2, volume=10)
    (call,) = sim.calls.values()
    assert call.prompt == "welcome+goodbye"
    await expect_errno("10023", client.play_prompt("1001", "nope"))
    await expect_errno("10004", client.play_prompt("0612345678", "welcome"))
    await expect_errno(
        "10024", client.play_prompt("0612345678", "welcome", dial_permission="1005")
    )
    await client.play_prompt(
        "0612345678", "holiday", dial_permission="1001", auto_answer=True
    )
    assert len(sim.calls) == 2


async def test_send_sms(client: YeastarClient, sim: PbxSimulator) -> None:
    """``sms/send`` delivers the exact text through the GSM trunk."""
    message = "Door bell: 5 € & 10% off? Ja/nein"
    smsid = await client.send_sms("GSM1", "0612345678", message)
    (sent,) = sim.sms
    assert sent == {
        "smsid": smsid,
        "trunk": "GSM1",
        "phonenumber": "0612345678",
        "message": message,
    }
    await expect_errno("10026", client.send_sms("SIPTrunk1", "0612345678", "hi"))
    await expect_errno("10028", client.send_sms("GSM1", "", "hi"))
    await expect_errno("10030", client.send_sms("GSM1", "0612345678", ""))
    sim.set_trunk_status("GSM1", "Busy")
    await expect_errno("10027", client.send_sms("GSM1", "0612345678", "hi"))


async def test_recording_download(
    client: YeastarClient, sim: PbxSimulator, session: aiohttp.ClientSession
) -> None:
    """A recording's download address serves the WAV once; unknown ones are 20014."""
    call = await answered_inbound(sim, client)
    await sim.hangup(call.call_id)
    (recording,) = sim.recordings

    url = await client.recording_download_url(recording)
    assert url.startswith(f"{sim.base_url}/api/v2.0.0/recording/download?")
    async with session.get(url) as response:
        assert response.status == 200
        assert (await response.read())[:4] == b"RIFF"
    async with session.get(url) as response:  # the random is single-use
        assert (await response.json(content_type=None))["errno"] == "20012"

    await expect_errno("20014", client.recording_download_url("missing.wav"))
