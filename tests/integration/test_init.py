"""Set-up and unload of a PBX entry against the simulator, and every reason setup stops."""

from collections.abc import Awaitable, Callable
from unittest.mock import patch

from aiohttp.test_utils import TestClient
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_SSL, EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.yeastar.const import CONF_TLS_FINGERPRINT, DOMAIN
from custom_components.yeastar.office import PbxIdentity
from custom_components.yeastar.sseries import SSeriesBackend
from simulator import PbxSimulator

from .conftest import (
    SERIAL,
    entry_device,
    lock_out,
    logins,
    pbx_simulator,
    settle,
    state,
    stored_entry,
)


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Try to set the entry up."""
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def test_setup_and_unload(
    hass: HomeAssistant, simulator: PbxSimulator, added_entry: MockConfigEntry
) -> None:
    """Setup logs in once, tells the PBX where to report, and unload logs out."""
    await setup_entry(hass, added_entry)
    assert added_entry.state is ConfigEntryState.LOADED
    assert logins(simulator) == 1
    login = next(r for r in simulator.requests if r.endpoint == "login")
    assert login.body["version"] == "2.0.0"
    assert login.body["url"] == f"api/webhook/{added_entry.data['webhook_id']}"
    heartbeat = next(r for r in simulator.requests if r.endpoint == "heartbeat")
    assert heartbeat.body["ipaddr"] == "127.0.0.1"

    device = entry_device(hass, added_entry, SERIAL)
    assert device is not None
    assert device.model == "Yeastar S100"
    assert device.sw_version == "30.13.0.30"
    assert device.serial_number == SERIAL
    assert device.configuration_url == f"http://127.0.0.1:{simulator.port}"

    assert await hass.config_entries.async_unload(added_entry.entry_id)
    await hass.async_block_till_done()
    assert added_entry.state is ConfigEntryState.NOT_LOADED
    assert simulator.requests[-1].endpoint == "logout"
    assert not simulator.tokens


async def test_unload_when_pbx_is_gone(
    hass: HomeAssistant, simulator: PbxSimulator, added_entry: MockConfigEntry
) -> None:
    """Unload succeeds even when the PBX cannot be told about the logout."""
    await setup_entry(hass, added_entry)
    await simulator.take_offline("refuse")
    assert await hass.config_entries.async_unload(added_entry.entry_id)
    await hass.async_block_till_done()
    assert added_entry.state is ConfigEntryState.NOT_LOADED
    await simulator.bring_online()


async def refuse_connections(sim: PbxSimulator) -> None:
    """Make the PBX unreachable (its port refuses connections)."""
    await sim.take_offline("refuse")


async def switch_the_api_off(sim: PbxSimulator) -> None:
    """Switch the PBX's API off (its web server answers 404)."""
    sim.api_enabled = False


async def refuse_every_token(sim: PbxSimulator) -> None:
    """Make the PBX refuse the token of every login."""
    sim.refuse_tokens = True


async def change_the_password(sim: PbxSimulator) -> None:
    """Change the API password on the PBX."""
    sim.credentials.password = "changed-on-the-pbx"


@pytest.mark.parametrize(
    ("fault", "expected_state", "expected_key"),
    [
        (refuse_connections, ConfigEntryState.SETUP_RETRY, "communication_error"),
        (switch_the_api_off, ConfigEntryState.SETUP_RETRY, "api_disabled"),
        (refuse_every_token, ConfigEntryState.SETUP_RETRY, "token_refused"),
        (lock_out, ConfigEntryState.SETUP_RETRY, "locked_out"),
        (change_the_password, ConfigEntryState.SETUP_ERROR, "authentication_error"),
    ],
)
async def test_why_setup_stops(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    added_entry: MockConfigEntry,
    fault: Callable[[PbxSimulator], Awaitable[None]],
    expected_state: ConfigEntryState,
    expected_key: str,
) -> None:
    """Each reason a set-up stops: retried or not, with the reason in translated words."""
    await fault(simulator)
    await setup_entry(hass, added_entry)
    assert added_entry.state is expected_state
    assert added_entry.error_reason_translation_key == expected_key
    assert added_entry.reason
    assert "{" not in added_entry.reason  # every placeholder filled
    await simulator.bring_online()


async def test_not_ready_when_the_host_name_is_unknown(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    ha_http: TestClient,
    unresolvable_host: str,
) -> None:
    """A PBX host name that no longer resolves leaves the entry retrying, saying so."""
    entry = stored_entry(simulator, host=unresolvable_host)
    entry.add_to_hass(hass)
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.error_reason_translation_key == "communication_error"
    assert entry.reason is not None
    assert f"The host name {unresolvable_host} was not found" in entry.reason


# localhost also resolves to ::1, which the harness lets no test connect to (it warns, and
# the client goes on to 127.0.0.1, where the simulator listens).
@pytest.mark.filterwarnings(
    "ignore:A test tried to use socket.socket.connect:UserWarning"
)
async def test_pbx_given_by_host_name(
    hass: HomeAssistant, simulator: PbxSimulator, ha_http: TestClient
) -> None:
    """A PBX set up as localhost works end to end: setup, reports from its address, unload."""
    entry = stored_entry(simulator, host="localhost")
    entry.add_to_hass(hass)
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert "127.0.0.1" in entry.runtime_data.reports.pbx_addresses
    simulator.unregister_extension("1000")
    await settle(hass, simulator)
    assert state(hass, "sensor.reception_1000_status") == "offline"
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert simulator.requests[-1].endpoint == "logout"


async def test_wrong_password_starts_reauth(
    hass: HomeAssistant, simulator: PbxSimulator, added_entry: MockConfigEntry
) -> None:
    """Rejected credentials stop setup and ask the user for new ones, after one login."""
    hass.config_entries.async_update_entry(
        added_entry, data={**added_entry.data, CONF_PASSWORD: "not-the-password"}
    )
    await setup_entry(hass, added_entry)
    assert added_entry.state is ConfigEntryState.SETUP_ERROR
    assert logins(simulator) == 1
    flows = hass.config_entries.flow.async_progress()
    assert len(flows) == 1
    assert flows[0]["step_id"] == "reauth_confirm"
    assert flows[0]["context"]["source"] == SOURCE_REAUTH


async def test_locked_out_waits_ten_minutes(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    added_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A lock-out raises a repair issue, and setup retries do not log in meanwhile."""
    await lock_out(simulator)
    before = logins(simulator)
    await setup_entry(hass, added_entry)
    assert added_entry.state is ConfigEntryState.SETUP_RETRY
    assert added_entry.error_reason_translation_key == "locked_out"
    assert logins(simulator) == before + 1
    issue = issue_registry.async_get_issue(DOMAIN, f"locked_out_{added_entry.entry_id}")
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.ERROR

    # A retry within the ten minutes does not touch the PBX.
    await hass.config_entries.async_reload(added_entry.entry_id)
    await hass.async_block_till_done()
    assert added_entry.state is ConfigEntryState.SETUP_RETRY
    assert logins(simulator) == before + 1


async def test_other_pbx_at_the_address(
    hass: HomeAssistant, simulator: PbxSimulator, added_entry: MockConfigEntry
) -> None:
    """A PBX with another serial number is not taken for the configured one."""
    hass.config_entries.async_update_entry(added_entry, unique_id="999999999999")
    await setup_entry(hass, added_entry)
    assert added_entry.state is ConfigEntryState.SETUP_ERROR
    assert added_entry.error_reason_translation_key == "wrong_device"


async def test_changed_certificate(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    added_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A certificate other than the trusted one stops setup with a repair issue."""
    async with pbx_simulator(
        simulator.office, ssl=True, password=added_entry.data[CONF_PASSWORD]
    ) as https:
        hass.config_entries.async_update_entry(
            added_entry,
            data={
                **added_entry.data,
                "port": https.port,
                CONF_SSL: True,
                CONF_TLS_FINGERPRINT: "ab" * 32,
            },
        )
        await setup_entry(hass, added_entry)
        assert added_entry.state is ConfigEntryState.SETUP_ERROR
        assert added_entry.error_reason_translation_key == "certificate_changed"
        assert issue_registry.async_get_issue(
            DOMAIN, f"certificate_changed_{added_entry.entry_id}"
        )

        # Trusting the presented certificate (what Reconfigure does) lets it load.
        hass.config_entries.async_update_entry(
            added_entry,
            data={
                **added_entry.data,
                CONF_TLS_FINGERPRINT: https.certificate_fingerprint,
            },
        )
        await hass.config_entries.async_reload(added_entry.entry_id)
        await hass.async_block_till_done()
        assert added_entry.state is ConfigEntryState.LOADED
        assert not issue_registry.async_get_issue(
            DOMAIN, f"certificate_changed_{added_entry.entry_id}"
        )
        await hass.config_entries.async_unload(added_entry.entry_id)
        await hass.async_block_till_done()


async def test_logout_when_home_assistant_stops(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """Home Assistant does not unload entries when it stops: the PBX is told anyway."""
    assert simulator.tokens
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert simulator.requests[-1].endpoint == "logout"
    assert not simulator.tokens


async def test_reports_during_setup_are_not_lost(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    added_entry: MockConfigEntry,
) -> None:
    """Reports the PBX posts between the login and the end of setup are applied.

    Here a call rings and is given up on while the entry sets up: its missed call
    still fires once the entities exist.
    """
    fired: list[str] = []

    @callback
    def collect(event: Event[EventStateChangedData]) -> None:
        if event.data["entity_id"] == "event.reception_1000_call" and (
            new := event.data["new_state"]
        ):
            fired.append(new.attributes["event_type"])

    hass.bus.async_listen("state_changed", collect)
    connect = SSeriesBackend.async_connect

    async def connect_then_call(backend: SSeriesBackend) -> PbxIdentity:
        identity = await connect(backend)
        call_id = await simulator.inbound_call(
            trunk="SIPTrunk1", caller="0699999999", extension="1000"
        )
        await simulator.hangup(call_id)
        await simulator.wait_for_reports()
        return identity

    with patch.object(SSeriesBackend, "async_connect", connect_then_call):
        await setup_entry(hass, added_entry)
    assert added_entry.state is ConfigEntryState.LOADED
    assert fired[-2:] == ["ringing", "missed"]


async def test_session_left_open_is_ended_at_setup(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    ha_http: TestClient,
    added_entry: MockConfigEntry,
) -> None:
    """A session whose logout could not reach the PBX is ended at the next setup.

    Otherwise it would keep posting, and every report would arrive twice.
    """
    await setup_entry(hass, added_entry)
    await simulator.take_offline("refuse")
    assert await hass.config_entries.async_unload(added_entry.entry_id)
    await hass.async_block_till_done()
    await simulator.bring_online()
    assert len(simulator.tokens) == 1  # the PBX never heard of the logout

    await setup_entry(hass, added_entry)
    assert len(simulator.tokens) == 1
    first = len(simulator.reports)
    simulator.unregister_extension("1000")
    await settle(hass, simulator)
    delivered = [r for r in simulator.reports[first:] if r.delivered]
    assert len(delivered) == 1
    assert state(hass, "sensor.reception_1000_status") == "offline"
