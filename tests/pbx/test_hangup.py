"""Ending calls (pbx/hangup.py) against the simulator: known channels, asked ones, gone ones."""

import pytest

from custom_components.yeastar.pbx.callmodels import Call, CallMember, MemberKind
from custom_components.yeastar.pbx.client import YeastarClient
from custom_components.yeastar.pbx.errors import YeastarApiError
from custom_components.yeastar.pbx.hangup import (
    hang_up_call,
    hang_up_channels,
    hang_up_extension,
    live_channels,
)
from simulator import PbxSimulator
from tests.common import endpoints

from .conftest import ClientFactory, FakePbx


@pytest.fixture
def client(sim: PbxSimulator, sim_client: ClientFactory) -> YeastarClient:
    """Return a client of the plain-HTTP simulator."""
    return sim_client(sim)


async def answered(sim: PbxSimulator, extension: str = "1000") -> str:
    """Return the id of an inbound call answered by an extension."""
    call_id = await sim.inbound_call(
        trunk="SIPTrunk1", caller="0612345678", extension=extension
    )
    await sim.answer(call_id, extension)
    return call_id


async def test_extension_with_known_channels(
    client: YeastarClient, sim: PbxSimulator
) -> None:
    """The channels a caller knows are hung up without asking the PBX for them."""
    call_id = await answered(sim)
    member = sim.calls[call_id].member_by_party("1000")
    assert member is not None
    assert await hang_up_extension(client, "1000", [member.channel])
    assert sim.calls == {}
    assert "extension/query_call" not in endpoints(sim)


async def test_extension_asks_the_pbx(client: YeastarClient, sim: PbxSimulator) -> None:
    """Without known channels, or with stale ones, the extension's calls are asked."""
    await answered(sim)
    assert await hang_up_extension(client, "1000", ["PJSIP/1000-deadbeef"])
    assert sim.calls == {}
    assert endpoints(sim)[-2:] == ["extension/query_call", "call/hangup"]
    assert not await hang_up_extension(client, "1000")


async def test_call_asks_the_pbx(client: YeastarClient, sim: PbxSimulator) -> None:
    """A call is found by id when its channels are not known; a gone one is False."""
    call_id = await answered(sim)
    assert await hang_up_call(client, call_id)
    assert sim.calls == {}
    assert not await hang_up_call(client, call_id)


async def test_other_refusals_are_raised(
    fake_pbx: FakePbx, make_client: ClientFactory
) -> None:
    """Only "the call is gone" is expected; any other refusal is an error."""
    client = make_client(fake_pbx)
    fake_pbx.answer("call/query", {"status": "Failed", "errno": "30001"})
    with pytest.raises(YeastarApiError) as excinfo:
        await hang_up_call(client, "1.1")
    assert excinfo.value.errno == "30001"
    fake_pbx.answer("call/hangup", {"status": "Failed", "errno": "10004"})
    with pytest.raises(YeastarApiError):
        await hang_up_channels(client, ["PJSIP/1000-00000001"])


def member(kind: MemberKind, number: str, channel: str, status: str) -> CallMember:
    """Return a call member."""
    parsed = CallMember.from_dict(
        {
            kind.value: {
                "number": number,
                "from": number,
                "channelid": channel,
                "memberstatus": status,
            }
        }
    )
    assert parsed is not None
    return parsed


def test_live_channels_order_and_filter() -> None:
    """Extension legs come first, trunk legs after, ended legs and duplicates left out."""
    call = Call(
        call_id="1.1",
        members=(
            member(MemberKind.INBOUND, "0612345678", "trunk-1", "ANSWERED"),
            member(MemberKind.EXTENSION, "1000", "ext-1000", "ANSWER"),
            member(MemberKind.EXTENSION, "1001", "ext-1001", "BYE"),
            member(MemberKind.EXTENSION, "1000", "ext-1000", "ANSWER"),
        ),
    )
    assert live_channels([call]) == ["ext-1000", "trunk-1"]
    assert live_channels([call], "1000") == ["ext-1000"]
    assert live_channels([call], "1001") == []


async def test_no_channels(client: YeastarClient) -> None:
    """Nothing to hang up is no hang-up at all."""
    assert not await hang_up_channels(client, [])


async def test_call_with_known_channels(
    client: YeastarClient, sim: PbxSimulator
) -> None:
    """A call whose channels are known is ended without asking the PBX for them."""
    call_id = await answered(sim)
    channels = [member.channel for member in sim.calls[call_id].members]
    assert await hang_up_call(client, call_id, channels)
    assert sim.calls == {}
    assert "call/query" not in endpoints(sim)
