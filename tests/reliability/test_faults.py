"""A fault matrix over simulated time: no request storm, the login discipline, recovery.

Each fault runs over simulated minutes: the freezer moves Home Assistant's clock and
the event loop's, and the simulator's clock moves with them (helpers.walk); polls and
heartbeats fire as they would. Every request Home Assistant's client sends is counted,
reached or not (helpers.RequestSpy), minute by minute. For each fault:

- no storm: at most PEAK requests in any simulated minute (a poll is 4 requests, a
  re-login with what follows it under 16), and the fault's own bound;
- the login discipline (README "How data updates", session.py): one re-login for a lost
  token, none while the PBX cannot be reached, none during a lock-out, one failed
  login for a changed password and none after it (reauthentication), a few and then a
  growing wait for refused tokens;
- recovery: every extension's state is the PBX's again, and pushed reports work.
"""

import logging

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.yeastar.const import (
    CONF_POLL_INTERVAL,
    CONF_REPORT_ADDRESSES,
    DOMAIN,
)
from simulator import PbxSimulator, SimulatorTiming
from tests.common import FakeClock
from tests.integration.conftest import (
    TOKEN_LIFE,
    USERNAME,
    lock_out,
    open_options,
    stored_entry,
)

from .helpers import (
    RequestSpy,
    Traffic,
    allow_loopback,
    deliver,
    error_records,
    figure,
    mismatches,
    status_entity,
    tracebacks,
    walk,
)

# The faults run with a poll every minute (the default is five): a fast setting, where
# a storm would show most. The most requests Home Assistant may send the PBX in one
# simulated minute, whatever happens: a poll is 4 requests (extensions, trunks,
# contacts, calls). The minute of a re-login is the busiest: the poll's refused first
# request, the login, the poll again with the PBX's identity and the call records since
# (7), the heartbeat that tells the PBX where to report, the poll the re-login asks for
# (4, run beside the first), and after a reboot the poll the PBX's BootUp asks for (4):
# 17.
POLL_EVERY_MINUTE = 60
PEAK = 18
# While the PBX cannot answer, at most a poll's first request and a heartbeat a minute.
DOWN_PEAK = 2


@pytest.fixture
def timing() -> SimulatorTiming:
    """A reboot takes 90 s (of the event loop's clock, which the freezer moves)."""
    return SimulatorTiming(report_retry_interval=0.05, reboot_duration=90)


@pytest.fixture
def mock_config_entry(simulator: PbxSimulator) -> MockConfigEntry:
    """The entry for the simulated PBX, polling every minute."""
    return stored_entry(simulator, options={CONF_POLL_INTERVAL: POLL_EVERY_MINUTE})


def state(hass: HomeAssistant, number: str) -> str:
    """Return an extension's status sensor state."""
    current = hass.states.get(status_entity(hass, number))
    assert current is not None
    return current.state


async def assert_recovered(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, sim: PbxSimulator
) -> None:
    """Every state is the PBX's, and the PBX's reports are applied again."""
    assert mismatches(hass, sim) == {}
    sim.unregister_extension("1000")
    await deliver(hass, freezer, sim)
    assert state(hass, "1000") == "offline"
    sim.register_extension("1000")
    await deliver(hass, freezer, sim)
    assert state(hass, "1000") == "idle"


def frozen_access_log(record: logging.LogRecord) -> bool:
    """Tell aiohttp's access log failing under the freezer (Python 3.14).

    Its time zone comes from time.localtime(), whose frozen result has no tm_gmtoff:
    "Error in logging" (TypeError) when the access log computes its time zone again,
    after simulated hours. The harness's, not the integration's.
    """
    return (
        record.name == "aiohttp.access"
        and record.getMessage() == "Error in logging"
        and record.exc_info is not None
        and isinstance(record.exc_info[1], TypeError)
    )


def assert_logged_once(caplog: pytest.LogCaptureFixture, most: int = 1) -> None:
    """No traceback; at ERROR only the poll's failure, once per outage (Home Assistant's
    coordinator logs the first failed poll and then nothing until one succeeds).

    Home Assistant 2026.x's coordinator also logs the failure's exception chain at
    DEBUG ("Full error:"); tracebacks count from INFO up.
    """
    records = [record for record in caplog.records if not frozen_access_log(record)]
    assert tracebacks(records) == []
    errors = error_records(records)
    assert len(errors) <= most, errors
    for line in errors:
        assert line.startswith(
            (
                "custom_components.yeastar: Error fetching Yeastar",
                "custom_components.yeastar: Authentication failed while fetching",
            )
        ), line


def assert_no_storm(
    traffic: Traffic, *, down: slice | None = None, down_peak: int = DOWN_PEAK
) -> None:
    """No minute above PEAK; none above `down_peak` while the PBX could not answer."""
    assert traffic.peak <= PEAK, traffic.show()
    if down is not None:
        assert max(traffic.requests[down]) <= down_peak, traffic.show()


async def test_reboot_mid_call(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: PbxSimulator,
    clock: FakeClock,
    spy: RequestSpy,
    loaded: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A PBX that reboots (90 s) during a call: unavailable, then one re-login; the
    call is over and every phone is idle again."""
    call_id = await simulator.inbound_call(
        trunk="SIPTrunk1", caller="0612345678", extension="1000"
    )
    await simulator.answer(call_id, "1000")
    await deliver(hass, freezer, simulator)
    tracker = loaded.runtime_data.backend.tracker
    assert state(hass, "1000") == "busy"
    assert tracker.active_calls("1000")

    traffic = await walk(hass, freezer, clock, simulator, spy, 2)
    await simulator.reboot()
    await walk(hass, freezer, clock, simulator, spy, 1, traffic=traffic)
    assert state(hass, "1000") == STATE_UNAVAILABLE
    await walk(hass, freezer, clock, simulator, spy, 4, traffic=traffic)
    assert simulator.online

    assert traffic.total_logins == 1
    assert not tracker.active_calls("1000")
    await assert_recovered(hass, freezer, simulator)
    assert_no_storm(traffic)
    assert_logged_once(caplog)
    figure("fault reboot mid-call", **traffic.figures())


@pytest.mark.parametrize("mode", ["refuse", "hang"])
async def test_outage(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: PbxSimulator,
    clock: FakeClock,
    spy: RequestSpy,
    loaded: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    """Five minutes without an answer (connections refused, or accepted and never
    answered): unavailable, a request or two a minute, no login; then all is back."""
    traffic = await walk(hass, freezer, clock, simulator, spy, 2)
    await simulator.take_offline(mode)
    await walk(
        hass, freezer, clock, simulator, spy, 5, traffic=traffic, wait=mode != "hang"
    )
    assert state(hass, "1000") == STATE_UNAVAILABLE
    await simulator.bring_online()
    await walk(hass, freezer, clock, simulator, spy, 3, traffic=traffic)

    assert traffic.total_logins == 0  # the token outlived the outage
    await assert_recovered(hass, freezer, simulator)
    assert_no_storm(traffic, down=slice(2, 7))
    assert_logged_once(caplog)
    figure(f"fault outage {mode}", **traffic.figures())


async def test_token_expiry(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: PbxSimulator,
    clock: FakeClock,
    spy: RequestSpy,
    loaded: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The PBX forgets the token (its clock past 30 idle minutes): one re-login."""
    traffic = await walk(hass, freezer, clock, simulator, spy, 2)
    clock.advance(TOKEN_LIFE + 1)
    await walk(hass, freezer, clock, simulator, spy, 5, traffic=traffic)

    assert traffic.total_logins == 1
    assert traffic.failed_logins_in_any(60) == 0
    await assert_recovered(hass, freezer, simulator)
    assert_no_storm(traffic)
    assert_logged_once(caplog)
    figure("fault token expiry", **traffic.figures())


@pytest.mark.parametrize("minutes", [3, 40])
async def test_api_switched_off(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: PbxSimulator,
    clock: FakeClock,
    spy: RequestSpy,
    loaded: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    minutes: int,
) -> None:
    """The API switched off on the PBX: unavailable, no login while it is off. Back
    after 3 minutes the token still works; after 40 it has expired: one re-login."""
    traffic = await walk(hass, freezer, clock, simulator, spy, 2)
    simulator.api_enabled = False
    await walk(hass, freezer, clock, simulator, spy, minutes, traffic=traffic)
    assert state(hass, "1000") == STATE_UNAVAILABLE
    assert sum(traffic.logins[2:]) == 0
    simulator.api_enabled = True
    await walk(hass, freezer, clock, simulator, spy, 3, traffic=traffic)

    assert traffic.total_logins == (1 if minutes * 60 > TOKEN_LIFE else 0)
    await assert_recovered(hass, freezer, simulator)
    assert_no_storm(traffic, down=slice(2, 2 + minutes))
    assert_logged_once(caplog)
    figure(f"fault API off {minutes} min", **traffic.figures())


async def test_password_changed_on_the_pbx(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: PbxSimulator,
    clock: FakeClock,
    spy: RequestSpy,
    loaded: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A password changed on the PBX: one failed login, reauthentication, and no login
    for half an hour; the new password typed in, all is back."""
    traffic = await walk(hass, freezer, clock, simulator, spy, 2)
    simulator.credentials.password = "changed-on-the-pbx"
    clock.advance(TOKEN_LIFE + 1)
    await walk(hass, freezer, clock, simulator, spy, 30, traffic=traffic)

    assert sum(traffic.failed_logins) == 1
    assert traffic.failed_logins_in_any(10) <= 1
    assert traffic.total_logins == 1
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]

    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"],
        {CONF_USERNAME: USERNAME, CONF_PASSWORD: "changed-on-the-pbx"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert loaded.state is ConfigEntryState.LOADED
    await walk(hass, freezer, clock, simulator, spy, 3, traffic=traffic)

    assert sum(traffic.failed_logins) == 1
    await assert_recovered(hass, freezer, simulator)
    assert_no_storm(traffic)
    assert_logged_once(caplog)
    figure("fault password changed", **traffic.figures())


async def test_lock_out(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: PbxSimulator,
    clock: FakeClock,
    spy: RequestSpy,
    loaded: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Home Assistant's address locked out when it must log in again: that one refused
    login, then none for the ten minutes of the lock-out, then one that works."""
    traffic = await walk(hass, freezer, clock, simulator, spy, 2)
    clock.advance(TOKEN_LIFE + 1)
    await lock_out(simulator)  # five wrong passwords from 127.0.0.1 (not HA's)
    await walk(hass, freezer, clock, simulator, spy, 16, traffic=traffic)

    assert traffic.total_logins == 2
    assert traffic.logins_in_any(10) == 1  # none during the lock-out
    assert sum(traffic.failed_logins) == 1
    assert not issue_registry.async_get_issue(DOMAIN, f"locked_out_{loaded.entry_id}")
    await assert_recovered(hass, freezer, simulator)
    assert_no_storm(traffic, down=slice(3, 12))
    assert_logged_once(caplog)
    figure("fault lock-out", **traffic.figures())


async def test_tokens_refused_after_login(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: PbxSimulator,
    clock: FakeClock,
    spy: RequestSpy,
    loaded: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A PBX that accepts logins but refuses every token: a few logins, then a growing
    wait (no storm); once tokens work again, one login recovers everything."""
    traffic = await walk(hass, freezer, clock, simulator, spy, 2)
    simulator.refuse_tokens = True
    await walk(hass, freezer, clock, simulator, spy, 20, traffic=traffic)
    refused_logins = traffic.total_logins
    assert 1 <= refused_logins <= 5
    assert traffic.logins_in_any(10) <= 3
    assert state(hass, "1000") == STATE_UNAVAILABLE
    simulator.refuse_tokens = False
    await walk(hass, freezer, clock, simulator, spy, 32, traffic=traffic)

    assert traffic.total_logins == refused_logins + 1
    await assert_recovered(hass, freezer, simulator)
    # While tokens are refused: one explicit login and the requests it allows (login,
    # the refused request, the heartbeat, a poll's first request) per wait, no more.
    assert_no_storm(traffic, down=slice(3, 22), down_peak=5)
    assert_logged_once(caplog)
    figure("fault tokens refused", **traffic.figures())


async def test_reports_from_a_second_address(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: PbxSimulator,
    clock: FakeClock,
    spy: RequestSpy,
    loaded: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The PBX posts from another address: refused (the PBX keeps resending), a repair
    issue after a minute, the poll keeps states right; the address accepted in the
    options, the waiting report and every later one are taken."""
    allow_loopback()
    traffic = await walk(hass, freezer, clock, simulator, spy, 2)
    simulator.report_source = "127.0.0.3"
    simulator.unregister_extension("1000")
    await walk(hass, freezer, clock, simulator, spy, 3, traffic=traffic)
    counters = loaded.runtime_data.reports.counters
    assert counters.refused_senders >= 3
    issue_id = f"unexpected_report_address_{loaded.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id)
    assert state(hass, "1000") == "offline"  # from the poll

    result = await open_options(hass, loaded)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_POLL_INTERVAL: 60, CONF_REPORT_ADDRESSES: ["127.0.0.3"]},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    accepted = counters.accepted
    await deliver(hass, freezer, simulator)
    assert counters.accepted == accepted + 1  # the report the PBX kept resending
    await walk(hass, freezer, clock, simulator, spy, 2, traffic=traffic)

    assert traffic.total_logins == 0
    await assert_recovered(hass, freezer, simulator)
    assert_no_storm(traffic)
    assert_logged_once(caplog)
    figure(
        "fault reports from a second address",
        **traffic.figures(),
        refused_reports=counters.refused_senders,
    )


async def test_stale_session_after_an_unreachable_logout(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: PbxSimulator,
    clock: FakeClock,
    spy: RequestSpy,
    ha_http: TestClient,
    added_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A logout that could not reach the PBX leaves its session open; the next set-up
    ends it first, so every report arrives once, and the PBX keeps one session."""
    assert await hass.config_entries.async_setup(added_entry.entry_id)
    await hass.async_block_till_done()
    await simulator.take_offline("refuse")
    assert await hass.config_entries.async_unload(added_entry.entry_id)
    await hass.async_block_till_done()
    await simulator.bring_online()
    assert len(simulator.tokens) == 1  # the PBX never heard of the logout

    assert await hass.config_entries.async_setup(added_entry.entry_id)
    await hass.async_block_till_done()
    assert len(simulator.tokens) == 1
    traffic = await walk(hass, freezer, clock, simulator, spy, 6)
    first = len(simulator.reports)
    await assert_recovered(hass, freezer, simulator)
    delivered = [report for report in simulator.reports[first:] if report.delivered]
    assert len(delivered) == 2  # offline, then idle: each once

    assert spy.logins == 2  # one per set-up
    assert traffic.total_logins == 0
    assert len(simulator.tokens) == 1
    assert_no_storm(traffic)
    assert_logged_once(caplog)
    figure("fault stale session", **traffic.figures(), sessions=len(simulator.tokens))


async def test_lost_end_of_call_is_corrected_by_the_poll(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: PbxSimulator,
    clock: FakeClock,
    spy: RequestSpy,
    loaded: MockConfigEntry,
) -> None:
    """The reports of a call's end never arrive: the poll shows the phone idle again.

    The reference leaves undocumented how often a PBX resends a report before it gives
    up; here it gives up on the end of a call (BYE, the phone idle, the record) while
    its reports could not be delivered, as a real one may during a network blip.
    """
    allow_loopback()
    call_id = await simulator.inbound_call(
        trunk="SIPTrunk1", caller="0612345678", extension="1000"
    )
    await deliver(hass, freezer, simulator)
    assert state(hass, "1000") == "ringing"
    simulator.report_source = "127.0.0.3"  # the PBX's reports cannot get through
    await simulator.hangup(call_id)
    (token,) = simulator.tokens
    simulator._reports.drop(token)  # and the PBX gives up resending them
    simulator.report_source = "127.0.0.1"
    assert mismatches(hass, simulator) == {"1000": ("ringing", "idle")}

    traffic = await walk(hass, freezer, clock, simulator, spy, 3)
    figure("fault lost end of call", **traffic.figures(), shown=state(hass, "1000"))
    assert mismatches(hass, simulator) == {}
