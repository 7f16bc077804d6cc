"""Recovery without a reload: token expiry, PBX reboot, lock-out, rejected credentials."""

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.yeastar.const import (
    CONF_POLL_INTERVAL,
    DOMAIN,
    HEARTBEAT_INTERVAL,
)
from custom_components.yeastar.pbx.client import YeastarClient
from simulator import PbxSimulator
from tests.common import FakeClock

from .conftest import PASSWORD, TOKEN_LIFE, USERNAME, lock_out, logins, settle, state

RECEPTION = "sensor.reception_1000_status"


async def refresh(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Run the reconciliation poll now and wait for what it starts."""
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)


async def fire_heartbeat(hass: HomeAssistant) -> None:
    """Let the heartbeat timer run once."""
    async_fire_time_changed(
        hass, dt_util.utcnow() + HEARTBEAT_INTERVAL + timedelta(seconds=1)
    )
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_heartbeat_keeps_the_token(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """A heartbeat goes out every few minutes, with where to post the reports."""
    before = sum(1 for r in simulator.requests if r.endpoint == "heartbeat")
    await fire_heartbeat(hass)
    heartbeats = [r for r in simulator.requests if r.endpoint == "heartbeat"]
    assert len(heartbeats) == before + 1
    assert (
        heartbeats[-1].body["url"]
        == f"api/webhook/{init_integration.data['webhook_id']}"
    )


async def test_token_expiry_relogs_in_once(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    clock: FakeClock,
    init_integration: MockConfigEntry,
) -> None:
    """When the PBX forgot the token, one login and the poll carries on."""
    clock.advance(TOKEN_LIFE + 1)
    await refresh(hass, init_integration)
    assert logins(simulator) == 2
    assert state(hass, RECEPTION) == "idle"
    # The new token works for reports again.
    simulator.unregister_extension("1000")
    await settle(hass, simulator)
    assert state(hass, RECEPTION) == "offline"


async def test_reboot(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """A rebooting PBX makes entities unavailable, then all comes back by itself."""
    call_id = await simulator.inbound_call(
        trunk="SIPTrunk1", caller="0612345678", extension="1000"
    )
    await simulator.answer(call_id, "1000")
    await settle(hass, simulator)
    tracker = init_integration.runtime_data.backend.tracker
    assert tracker.active_calls("1000")

    await simulator.reboot()
    await refresh(hass, init_integration)
    assert state(hass, RECEPTION) == STATE_UNAVAILABLE

    await simulator.wait_online()
    await refresh(hass, init_integration)
    await settle(hass, simulator)
    assert state(hass, RECEPTION) == "idle"
    assert logins(simulator) == 2
    assert not tracker.active_calls("1000")


async def test_lockout_backs_off_ten_minutes(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: PbxSimulator,
    clock: FakeClock,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A lock-out met on re-login stops every login for ten minutes, then one succeeds."""
    clock.advance(TOKEN_LIFE + 1)
    await lock_out(simulator)
    before = logins(simulator)
    await refresh(hass, init_integration)
    assert logins(simulator) == before + 1
    assert state(hass, RECEPTION) == STATE_UNAVAILABLE
    issue_id = f"locked_out_{init_integration.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id)

    # Nine minutes of polls and heartbeats later, still no login.
    for _ in range(9):
        freezer.tick(timedelta(minutes=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert logins(simulator) == before + 1

    freezer.tick(timedelta(minutes=2))
    clock.advance(601)
    await refresh(hass, init_integration)
    assert logins(simulator) == before + 2
    assert state(hass, RECEPTION) == "idle"
    assert not issue_registry.async_get_issue(DOMAIN, issue_id)


async def test_rejected_credentials_start_reauth_and_stop_logins(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    clock: FakeClock,
    init_integration: MockConfigEntry,
) -> None:
    """A password changed on the PBX asks the user, and nothing logs in blindly again."""
    simulator.credentials.password = "changed-on-the-pbx"
    clock.advance(TOKEN_LIFE + 1)
    before = logins(simulator)
    await refresh(hass, init_integration)
    assert logins(simulator) == before + 1
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]

    await refresh(hass, init_integration)
    await fire_heartbeat(hass)
    assert logins(simulator) == before + 1


async def test_heartbeat_while_pbx_unreachable(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """A heartbeat that cannot reach the PBX is no error: the poll reports the outage."""
    times = init_integration.runtime_data.backend.session.times
    last = times.last_heartbeat
    await simulator.take_offline("refuse")
    await fire_heartbeat(hass)
    assert times.last_heartbeat == last
    await simulator.bring_online()
    await fire_heartbeat(hass)
    assert times.last_heartbeat is not None
    assert last is not None
    assert times.last_heartbeat >= last


async def test_heartbeat_meets_rejected_credentials(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    clock: FakeClock,
    init_integration: MockConfigEntry,
) -> None:
    """A heartbeat whose re-login is refused starts reauthentication."""
    simulator.credentials.password = "changed-on-the-pbx"
    clock.advance(TOKEN_LIFE + 1)
    await fire_heartbeat(hass)
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_heartbeat_meets_lockout(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    clock: FakeClock,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A heartbeat whose re-login meets a lock-out raises the repair issue."""
    clock.advance(TOKEN_LIFE + 1)
    await lock_out(simulator)
    await fire_heartbeat(hass)
    assert issue_registry.async_get_issue(
        DOMAIN, f"locked_out_{init_integration.entry_id}"
    )


async def test_api_switched_off_while_running(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """An API switched off on the PBX makes the entities unavailable until it is back."""
    simulator.api_enabled = False
    await refresh(hass, init_integration)
    assert state(hass, RECEPTION) == STATE_UNAVAILABLE
    simulator.api_enabled = True
    await refresh(hass, init_integration)
    assert state(hass, RECEPTION) == "idle"


async def walk(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: int, step: int = 10
) -> None:
    """Let simulated time pass in steps of `step` seconds: polls and heartbeats run."""
    for _ in range(minutes * 60 // step):
        freezer.tick(timedelta(seconds=step))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


async def test_refused_tokens_do_not_start_a_login_storm(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A PBX that accepts logins but refuses their tokens gets a few logins, not a storm.

    The wait grows after each refusal (2, 4, 8 ... minutes); a repair issue says that
    another client may use the same API account. Once tokens work again, one login
    recovers everything.
    """
    simulator.refuse_tokens = True
    before = logins(simulator)
    await walk(hass, freezer, minutes=10)
    storm = logins(simulator) - before
    assert 1 <= storm <= 3
    assert state(hass, RECEPTION) == STATE_UNAVAILABLE
    issue_id = f"token_refused_{init_integration.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id)
    heartbeats = [r for r in simulator.requests if r.endpoint == "heartbeat"]
    assert len(heartbeats) <= 2 * storm + 2

    simulator.refuse_tokens = False
    await walk(hass, freezer, minutes=15)
    assert logins(simulator) - before == storm + 1
    assert state(hass, RECEPTION) == "idle"
    assert not issue_registry.async_get_issue(DOMAIN, issue_id)


async def test_another_client_on_the_same_account(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Tokens ended again and again by another client's logins: back off, say so.

    With a PBX where a login ends the account's other sessions, two clients would take
    the session from each other at every request. Home Assistant logs in again a few
    times, then waits, longer each time. (Polling every minute: at the default five,
    fewer requests find their token gone.)
    """
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_POLL_INTERVAL: 60}
    )
    await hass.async_block_till_done()
    simulator.single_session = True
    other = YeastarClient(
        "127.0.0.1",
        simulator.port,
        ssl=False,
        username=USERNAME,
        password=PASSWORD,
        session=async_get_clientsession(hass),
    )
    before = logins(simulator)
    for _ in range(20):  # the other client logs in every 30 s for 10 minutes
        await other.login()
        for _ in range(3):
            freezer.tick(timedelta(seconds=10))
            async_fire_time_changed(hass)
            await hass.async_block_till_done(wait_background_tasks=True)
    ours = logins(simulator) - before - 20
    assert ours <= 5
    assert issue_registry.async_get_issue(
        DOMAIN, f"token_refused_{init_integration.entry_id}"
    )
