"""The yeastar.dial and yeastar.hangup actions against the simulated PBX."""

from collections.abc import AsyncGenerator
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    ConfigEntryDisabler,
    ConfigEntryState,
)
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, ServiceResponse, SupportsResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.yeastar.const import DOMAIN
from custom_components.yeastar.pbx.errors import YeastarApiError
from custom_components.yeastar.pbx.events import parse_report
from custom_components.yeastar.sseries import SSeriesBackend
from simulator import PbxSimulator, SimulatorTiming
from tests.common import FakeClock

from .conftest import TOKEN_LIFE, pbx_simulator, settle, small_office, stored_entry

OUTSIDE_NUMBER = "0612345678"
SECOND_SERIAL = "369451090406"


async def dial(hass: HomeAssistant, **data: Any) -> ServiceResponse:
    """Call yeastar.dial and return its response."""
    return await hass.services.async_call(
        DOMAIN, "dial", data, blocking=True, return_response=True
    )


async def hangup(hass: HomeAssistant, **data: Any) -> None:
    """Call yeastar.hangup."""
    await hass.services.async_call(DOMAIN, "hangup", data, blocking=True)


def sent(sim: PbxSimulator, endpoint: str, since: int = 0) -> list[dict[str, Any]]:
    """Return the bodies of the requests of one endpoint, from the ``since``-th request on."""
    return [
        request.body for request in sim.requests[since:] if request.endpoint == endpoint
    ]


def answers(sim: PbxSimulator, endpoint: str) -> list[dict[str, Any] | None]:
    """Return the simulator's answers to the requests of one endpoint."""
    return [
        request.response for request in sim.requests if request.endpoint == endpoint
    ]


def backend_of(entry: MockConfigEntry) -> SSeriesBackend:
    """Return the PBX backend of a loaded entry."""
    backend: SSeriesBackend = entry.runtime_data.backend
    return backend


async def talking(sim: PbxSimulator, extension: str = "1000") -> str:
    """Start an answered inbound call to an extension; wait until HA saw it."""
    call_id = await sim.inbound_call(
        trunk="SIPTrunk1", caller=OUTSIDE_NUMBER, extension=extension
    )
    await sim.answer(call_id, extension)
    await sim.wait_for_reports()
    return call_id


def channel_of(sim: PbxSimulator, call_id: str, extension: str) -> str:
    """Return the channel of an extension's leg of a live call, as the PBX knows it."""
    member = sim.calls[call_id].member_by_party(extension)
    assert member is not None
    return member.channel


# ---------------------------------------------------------------------- dial


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("extra", "autoanswer"),
    [({}, "no"), ({"auto_answer": False}, "no"), ({"auto_answer": True}, "yes")],
)
async def test_dial(
    hass: HomeAssistant, simulator: PbxSimulator, extra: dict[str, Any], autoanswer: str
) -> None:
    """Dial sends call/dial and returns the call id the PBX gave."""
    response = await dial(hass, caller="1000", callee=OUTSIDE_NUMBER, **extra)

    assert sent(simulator, "call/dial") == [
        {"caller": "1000", "callee": OUTSIDE_NUMBER, "autoanswer": autoanswer}
    ]
    (answer,) = answers(simulator, "call/dial")
    assert answer is not None
    assert response == {"call_id": answer["callid"]}
    assert response["call_id"] in simulator.calls


@pytest.mark.usefixtures("init_integration")
async def test_dial_auto_answer_connects_the_callee(
    hass: HomeAssistant, simulator: PbxSimulator
) -> None:
    """With auto answer the caller's phone picks up and the PBX rings the callee."""
    response = await dial(hass, caller="1000", callee="1001", auto_answer=True)
    await simulator.wait_for_reports()

    call = simulator.calls[str(response["call_id"])]
    assert {m.number: m.state.value for m in call.ext_members()} == {
        "1000": "ALERT",
        "1001": "RING",
    }


@pytest.mark.usefixtures("init_integration")
async def test_dial_without_response(
    hass: HomeAssistant, simulator: PbxSimulator
) -> None:
    """Dial works as a plain action too; numbers given as integers are accepted."""
    assert (
        await hass.services.async_call(
            DOMAIN, "dial", {"caller": 1000, "callee": 1001}, blocking=True
        )
        is None
    )
    assert sent(simulator, "call/dial") == [
        {"caller": "1000", "callee": "1001", "autoanswer": "no"}
    ]


@pytest.mark.usefixtures("init_integration")
async def test_dial_unknown_caller(
    hass: HomeAssistant, simulator: PbxSimulator
) -> None:
    """An extension the PBX does not have is refused before the PBX is asked."""
    with pytest.raises(
        ServiceValidationError, match="Extension 1999 does not exist on Yeastar S100"
    ) as excinfo:
        await dial(hass, caller="1999", callee="1001")

    assert excinfo.value.translation_domain == DOMAIN
    assert excinfo.value.translation_key == "unknown_extension"
    assert excinfo.value.translation_placeholders == {
        "extension": "1999",
        "title": "Yeastar S100",
    }
    assert not sent(simulator, "call/dial")


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize("data", [{"caller": "", "callee": "1001"}, {"caller": "1000"}])
async def test_dial_schema(hass: HomeAssistant, data: dict[str, Any]) -> None:
    """A blank or missing number fails the schema."""
    with pytest.raises(vol.Invalid):
        await dial(hass, **data)


@pytest.mark.usefixtures("init_integration")
async def test_dial_caller_busy(hass: HomeAssistant, simulator: PbxSimulator) -> None:
    """A caller already in a call: the PBX's 10008 in words."""
    await simulator.internal_call("1000", "1001")

    await settle(hass, simulator)
    with pytest.raises(
        HomeAssistantError,
        match=r"could not call 1002 from extension 1000: the extension is on a call "
        r"\(PBX error 10008\)",
    ) as excinfo:
        await dial(hass, caller="1000", callee="1002")

    assert not isinstance(excinfo.value, ServiceValidationError)
    assert excinfo.value.translation_domain == DOMAIN
    assert excinfo.value.translation_key == "dial_refused"
    assert excinfo.value.translation_placeholders == {
        "caller": "1000",
        "callee": "1002",
        "errno": "10008",
        "reason": "the extension is on a call",
    }


@pytest.mark.usefixtures("init_integration")
async def test_dial_caller_offline(hass: HomeAssistant) -> None:
    """A caller whose phone is not registered: said so, not "not idle"."""
    with pytest.raises(
        HomeAssistantError,
        match=r"could not call 1000 from extension 1002: the extension is offline "
        r"\(its phone is not registered\) \(PBX error 10008\)",
    ):
        await dial(hass, caller="1002", callee="1000")


@pytest.mark.usefixtures("init_integration")
async def test_dial_no_outbound_permission(
    hass: HomeAssistant, simulator: PbxSimulator
) -> None:
    """An extension not allowed to call out: the PBX's 10024 in words."""
    simulator.update_extension("1001", outbound_permission=False)

    with pytest.raises(
        HomeAssistantError, match="no outbound call permission"
    ) as excinfo:
        await dial(hass, caller="1001", callee=OUTSIDE_NUMBER)

    assert excinfo.value.translation_key == "dial_refused"
    assert excinfo.value.translation_placeholders == {
        "caller": "1001",
        "callee": OUTSIDE_NUMBER,
        "errno": "10024",
        "reason": "the extension has no outbound call permission",
    }


@pytest.mark.usefixtures("init_integration")
async def test_dial_unknown_callee(hass: HomeAssistant) -> None:
    """An internal number nobody has: the PBX's 10011 in words."""
    with pytest.raises(HomeAssistantError) as excinfo:
        await dial(hass, caller="1000", callee="1009")

    assert excinfo.value.translation_key == "dial_refused"
    assert excinfo.value.translation_placeholders == {
        "caller": "1000",
        "callee": "1009",
        "errno": "10011",
        "reason": "the called number does not exist",
    }


@pytest.mark.usefixtures("init_integration")
async def test_dial_pbx_unreachable(
    hass: HomeAssistant, simulator: PbxSimulator
) -> None:
    """A PBX that cannot be reached is a communication error."""
    await simulator.take_offline("refuse")
    try:
        with pytest.raises(
            HomeAssistantError, match="Could not talk to the PBX"
        ) as excinfo:
            await dial(hass, caller="1000", callee="1001")
    finally:
        await simulator.bring_online()

    assert excinfo.value.translation_key == "communication_error"
    assert excinfo.value.translation_placeholders is not None
    assert (
        f"127.0.0.1:{simulator.port}" in excinfo.value.translation_placeholders["error"]
    )


@pytest.mark.usefixtures("init_integration")
async def test_dial_api_switched_off(
    hass: HomeAssistant, simulator: PbxSimulator
) -> None:
    """The API switched off on the PBX is said as such, with what to check."""
    simulator.api_enabled = False
    try:
        with pytest.raises(
            HomeAssistantError, match="Check that the API is enabled on the PBX"
        ) as excinfo:
            await dial(hass, caller="1000", callee="1001")
    finally:
        simulator.api_enabled = True

    assert excinfo.value.translation_key == "api_disabled"


async def test_dial_rejected_credentials_start_reauth(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PbxSimulator,
    clock: FakeClock,
) -> None:
    """Credentials the PBX no longer takes: an authentication error and a reauth flow."""
    simulator.credentials.password = "changed-on-the-pbx"
    clock.advance(TOKEN_LIFE + 1)
    with pytest.raises(
        HomeAssistantError, match="rejected the API username"
    ) as excinfo:
        await dial(hass, caller="1000", callee="1001")
    await hass.async_block_till_done()

    assert excinfo.value.translation_key == "authentication_error"
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert flow["context"]["entry_id"] == init_integration.entry_id


# ------------------------------------------------------------ config entries


@pytest.fixture
async def second_simulator(socket_enabled: None) -> AsyncGenerator[PbxSimulator]:
    """Run a second PBX (another serial number) on another loopback port."""
    office = small_office()
    office.serial_number = SECOND_SERIAL
    async with pbx_simulator(
        office, timing=SimulatorTiming(report_retry_interval=0.05)
    ) as sim:
        yield sim


def second_entry(sim: PbxSimulator) -> MockConfigEntry:
    """Return a config entry for the second PBX."""
    return stored_entry(
        sim,
        title="Branch office",
        unique_id=SECOND_SERIAL,
        **{CONF_WEBHOOK_ID: "fedcba9876543210" * 4},
    )


@pytest.fixture
async def two_pbxs(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    second_simulator: PbxSimulator,
) -> AsyncGenerator[tuple[MockConfigEntry, MockConfigEntry]]:
    """Set up a second PBX beside the first; unload it before its simulator stops."""
    entry = second_entry(second_simulator)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield init_integration, entry
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def test_two_pbxs_need_an_entry_id(
    hass: HomeAssistant,
    two_pbxs: tuple[MockConfigEntry, MockConfigEntry],
    simulator: PbxSimulator,
    second_simulator: PbxSimulator,
) -> None:
    """With two PBXs the action must say which; each id reaches its own PBX."""
    first, second = two_pbxs
    with pytest.raises(
        ServiceValidationError, match="More than one Yeastar PBX"
    ) as excinfo:
        await dial(hass, caller="1000", callee="1001")
    assert excinfo.value.translation_key == "multiple_entries"
    assert excinfo.value.translation_placeholders == {}

    await dial(hass, caller="1000", callee="1001", config_entry_id=second.entry_id)
    assert not sent(simulator, "call/dial")
    assert len(sent(second_simulator, "call/dial")) == 1

    await dial(hass, caller="1001", callee="1000", config_entry_id=first.entry_id)
    assert sent(simulator, "call/dial") == [
        {"caller": "1001", "callee": "1000", "autoanswer": "no"}
    ]


async def test_second_pbx_not_loaded(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    second_simulator: PbxSimulator,
) -> None:
    """A PBX that is set up but not loaded still counts, and cannot be used."""
    entry = second_entry(second_simulator)
    entry.add_to_hass(hass)

    with pytest.raises(ServiceValidationError) as excinfo:
        await dial(hass, caller="1000", callee="1001")
    assert excinfo.value.translation_key == "multiple_entries"

    with pytest.raises(
        ServiceValidationError, match="The PBX Branch office is not ready"
    ) as excinfo:
        await dial(hass, caller="1000", callee="1001", config_entry_id=entry.entry_id)
    assert excinfo.value.translation_key == "entry_not_loaded"
    assert excinfo.value.translation_placeholders == {"title": "Branch office"}
    assert not sent(second_simulator, "call/dial")


async def test_disabled_pbx_does_not_count(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PbxSimulator
) -> None:
    """A PBX the user disabled does not make the entry id necessary."""
    MockConfigEntry(
        domain=DOMAIN, title="Old PBX", disabled_by=ConfigEntryDisabler.USER
    ).add_to_hass(hass)

    await dial(hass, caller="1000", callee="1001")

    assert len(sent(simulator, "call/dial")) == 1


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize("foreign", [False, True])
async def test_unknown_entry_id(hass: HomeAssistant, foreign: bool) -> None:
    """An id that is not a Yeastar entry is refused."""
    entry_id = "not-an-entry"
    if foreign:
        other = MockConfigEntry(domain="other_integration")
        other.add_to_hass(hass)
        entry_id = other.entry_id

    with pytest.raises(ServiceValidationError, match=entry_id) as excinfo:
        await hangup(hass, extension="1000", config_entry_id=entry_id)

    assert excinfo.value.translation_key == "entry_not_found"
    assert excinfo.value.translation_placeholders == {"config_entry_id": entry_id}


async def test_only_pbx_unloaded(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PbxSimulator
) -> None:
    """The only PBX is set up but not loaded: the action says it is not ready."""
    await hass.config_entries.async_unload(init_integration.entry_id)
    assert init_integration.state is ConfigEntryState.NOT_LOADED

    with pytest.raises(ServiceValidationError) as excinfo:
        await dial(hass, caller="1000", callee="1001")

    assert excinfo.value.translation_key == "entry_not_loaded"
    assert excinfo.value.translation_placeholders == {"title": "Yeastar S100"}
    assert not sent(simulator, "call/dial")


@pytest.mark.usefixtures("ha_http")
async def test_no_pbx(hass: HomeAssistant) -> None:
    """The actions exist before any PBX is set up, and say that none is."""
    assert await async_setup_component(hass, DOMAIN, {})

    with pytest.raises(
        ServiceValidationError, match="No Yeastar PBX is set up"
    ) as excinfo:
        await dial(hass, caller="1000", callee="1001")

    assert excinfo.value.translation_key == "no_loaded_entry"


# -------------------------------------------------------------------- hangup


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    "data", [{}, {"extension": "1000", "call_id": "1709287200.12"}]
)
async def test_hangup_needs_extension_or_call_id(
    hass: HomeAssistant, simulator: PbxSimulator, data: dict[str, str]
) -> None:
    """Exactly one of extension and call id must be given."""
    requests = len(simulator.requests)

    with pytest.raises(
        ServiceValidationError, match="one of them, not both"
    ) as excinfo:
        await hangup(hass, **data)

    assert excinfo.value.translation_key == "extension_or_call_id"
    assert excinfo.value.translation_placeholders == {}
    assert len(simulator.requests) == requests


@pytest.mark.usefixtures("init_integration")
async def test_hangup_unknown_extension(
    hass: HomeAssistant, simulator: PbxSimulator
) -> None:
    """An extension the PBX does not have is refused before the PBX is asked."""
    requests = len(simulator.requests)

    with pytest.raises(ServiceValidationError) as excinfo:
        await hangup(hass, extension="1999")

    assert excinfo.value.translation_key == "unknown_extension"
    assert excinfo.value.translation_placeholders == {
        "extension": "1999",
        "title": "Yeastar S100",
    }
    assert len(simulator.requests) == requests


async def test_hangup_extension_from_reports(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PbxSimulator
) -> None:
    """The channel known from CallStatus reports is hung up without asking the PBX."""
    call_id = await talking(simulator)
    channel = channel_of(simulator, call_id, "1000")
    assert backend_of(init_integration).tracker.channels_for_extension("1000") == (
        channel,
    )

    since = len(simulator.requests)
    await hangup(hass, extension="1000")

    assert sent(simulator, "call/hangup") == [{"channelid": channel}]
    assert not sent(simulator, "extension/query_call", since)
    assert call_id not in simulator.calls
    await simulator.wait_for_reports()
    assert not backend_of(init_integration).tracker.channels_for_extension("1000")


async def test_hangup_extension_asks_the_pbx(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PbxSimulator
) -> None:
    """When no report told the channel, the PBX is asked for the extension's calls."""
    call_id = await talking(simulator)
    channel = channel_of(simulator, call_id, "1000")
    backend_of(init_integration).tracker.clear()

    since = len(simulator.requests)
    await hangup(hass, extension="1000")

    assert sent(simulator, "extension/query_call", since) == [{"number": "1000"}]
    assert sent(simulator, "call/hangup") == [{"channelid": channel}]
    assert call_id not in simulator.calls


async def test_hangup_extension_stale_report(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PbxSimulator
) -> None:
    """A channel the tracker still holds but the PBX ended: the PBX is asked for the live one."""
    call_id = await talking(simulator)
    channel = channel_of(simulator, call_id, "1000")
    tracker = backend_of(init_integration).tracker
    tracker.clear()
    stale = "PJSIP/1000-0000dead"
    tracker.handle(
        parse_report(
            {
                "event": "CallStatus",
                "callid": "1700000000.1",
                "members": [
                    {
                        "ext": {
                            "number": "1000",
                            "channelid": stale,
                            "memberstatus": "ANSWER",
                        }
                    }
                ],
            }
        )
    )

    since = len(simulator.requests)
    await hangup(hass, extension="1000")

    assert sent(simulator, "call/hangup") == [
        {"channelid": stale},
        {"channelid": channel},
    ]
    assert answers(simulator, "call/hangup")[0] == {
        "status": "Failed",
        "errno": "10007",
    }
    assert sent(simulator, "extension/query_call", since) == [{"number": "1000"}]
    assert call_id not in simulator.calls


async def test_hangup_extension_without_call(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PbxSimulator
) -> None:
    """An idle extension: nothing to hang up."""
    since = len(simulator.requests)
    with pytest.raises(
        ServiceValidationError, match="Extension 1001 is not in a call"
    ) as excinfo:
        await hangup(hass, extension="1001")

    assert excinfo.value.translation_key == "no_active_call"
    assert excinfo.value.translation_placeholders == {"extension": "1001"}
    assert sent(simulator, "extension/query_call", since) == [{"number": "1001"}]
    assert not sent(simulator, "call/hangup")


async def test_hangup_extension_deleted_on_the_pbx(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PbxSimulator
) -> None:
    """An extension deleted on the PBX since the last poll: the PBX's 10006 in words."""
    simulator.office.remove_extension("1008")

    with pytest.raises(HomeAssistantError) as excinfo:
        await hangup(hass, extension="1008")

    assert not isinstance(excinfo.value, ServiceValidationError)
    assert excinfo.value.translation_key == "hangup_refused"
    assert excinfo.value.translation_placeholders == {
        "errno": "10006",
        "reason": "the extension does not exist",
    }


async def test_hangup_call_id_from_reports(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PbxSimulator
) -> None:
    """Every leg of the call is hung up; the legs that ended with the first are no error."""
    call_id = await simulator.internal_call("1000", "1001")
    await simulator.answer(call_id, "1001")
    await simulator.wait_for_reports()
    channels = [channel_of(simulator, call_id, number) for number in ("1000", "1001")]
    assert sorted(
        backend_of(init_integration).tracker.channels_for_call(call_id)
    ) == sorted(channels)

    await hangup(hass, call_id=call_id)

    assert sorted(
        body["channelid"] for body in sent(simulator, "call/hangup")
    ) == sorted(channels)
    assert [
        answer and answer["status"] for answer in answers(simulator, "call/hangup")
    ] == [
        "Success",
        "Failed",
    ]
    assert not sent(simulator, "call/query")
    assert call_id not in simulator.calls


async def test_hangup_call_id_asks_the_pbx(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PbxSimulator
) -> None:
    """When no report told the call's channels, the PBX is asked for them."""
    call_id = await talking(simulator)
    channel = channel_of(simulator, call_id, "1000")
    backend_of(init_integration).tracker.clear()

    await hangup(hass, call_id=call_id)

    assert sent(simulator, "call/query") == [{"callid": call_id}]
    # Extension legs first; the trunk leg ended with it.
    assert sent(simulator, "call/hangup")[0] == {"channelid": channel}
    assert len(sent(simulator, "call/hangup")) == 2
    assert call_id not in simulator.calls


async def test_hangup_unknown_call_id(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A call the PBX does not have (10005): nothing to hang up."""
    with pytest.raises(
        ServiceValidationError, match="no call with ID 1700000000.9"
    ) as excinfo:
        await hangup(hass, call_id="1700000000.9")

    assert excinfo.value.translation_key == "no_such_call"
    assert excinfo.value.translation_placeholders == {"call_id": "1700000000.9"}


async def test_hangup_call_query_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Any other refusal of call/query is reported in words."""
    client = backend_of(init_integration).session.client
    with (
        patch.object(
            client, "query_calls", side_effect=YeastarApiError("30001", "call/query")
        ),
        pytest.raises(HomeAssistantError) as excinfo,
    ):
        await hangup(hass, call_id="1700000000.9")

    assert excinfo.value.translation_key == "hangup_refused"
    assert excinfo.value.translation_placeholders == {
        "errno": "30001",
        "reason": "internal PBX API error",
    }


async def test_hangup_rejected_credentials(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PbxSimulator,
    clock: FakeClock,
) -> None:
    """Credentials refused while hanging up: authentication error and reauth."""
    await talking(simulator)
    simulator.credentials.password = "changed-on-the-pbx"
    clock.advance(TOKEN_LIFE + 1)
    with pytest.raises(HomeAssistantError) as excinfo:
        await hangup(hass, extension="1000")
    await hass.async_block_till_done()

    assert excinfo.value.translation_key == "authentication_error"
    assert len(hass.config_entries.flow.async_progress_by_handler(DOMAIN)) == 1


@pytest.mark.usefixtures("init_integration")
async def test_hangup_pbx_unreachable(
    hass: HomeAssistant, simulator: PbxSimulator
) -> None:
    """A PBX that cannot be reached is a communication error."""
    await simulator.take_offline("refuse")
    try:
        with pytest.raises(HomeAssistantError) as excinfo:
            await hangup(hass, call_id="1700000000.9")
    finally:
        await simulator.bring_online()

    assert excinfo.value.translation_key == "communication_error"


@pytest.mark.usefixtures("ha_http")
async def test_actions_registered(hass: HomeAssistant) -> None:
    """Both actions are registered by the integration's setup, with their response kind."""
    assert await async_setup_component(hass, DOMAIN, {})

    assert hass.services.has_service(DOMAIN, "dial")
    assert hass.services.has_service(DOMAIN, "hangup")
    assert hass.services.supports_response(DOMAIN, "dial") is SupportsResponse.OPTIONAL
    assert hass.services.supports_response(DOMAIN, "hangup") is SupportsResponse.NONE
