"""Concurrency: 50 dials at once, reports during a reload, an unload while reports arrive."""

import asyncio
from collections import Counter
import time
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.yeastar.const import DOMAIN
from simulator import Office, PbxSimulator
from tests.common import FakeClock
from tests.integration.conftest import TOKEN_LIFE, WEBHOOK_ID

from .helpers import (
    Poster,
    big_office,
    error_records,
    extension_report,
    figure,
    logins,
    mismatches,
    tracebacks,
    yeastar_tasks,
    yeastar_timers,
)

DIALS = 50
WIDE = 50


@pytest.fixture
def office() -> Office:
    """Serve an office of fifty extensions."""
    return big_office(WIDE)


async def dial(hass: HomeAssistant, caller: str, callee: str) -> Any:
    """Call yeastar.dial; return its response."""
    return await hass.services.async_call(
        DOMAIN,
        "dial",
        {"caller": caller, "callee": callee},
        blocking=True,
        return_response=True,
    )


@pytest.mark.parametrize("token", ["valid", "expired"])
async def test_fifty_dials_at_once(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    clock: FakeClock,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    token: str,
) -> None:
    """50 dials at once: each ends with a call id or a clear error, none hangs; with an
    expired token they share one re-login.

    40 callers dial once; 10 of them dial twice: the PBX takes one of the two (the phone
    rings) and refuses the other (the extension is not idle).
    """
    numbers = [extension.number for extension in simulator.office.extensions]
    callers = numbers[:40] + numbers[:10]
    if token == "expired":
        clock.advance(TOKEN_LIFE + 1)
    before = logins(simulator)
    started = time.monotonic()
    async with asyncio.timeout(30):
        results = await asyncio.gather(
            *(
                dial(hass, caller, numbers[-1 - index % 10])
                for index, caller in enumerate(callers)
            ),
            return_exceptions=True,
        )
    elapsed = time.monotonic() - started
    call_ids = [result["call_id"] for result in results if isinstance(result, dict)]
    errors = [result for result in results if not isinstance(result, dict)]
    assert all(isinstance(error, HomeAssistantError) for error in errors), errors
    keys = Counter(error.translation_key for error in errors)  # type: ignore[union-attr]
    assert len(call_ids) == 40
    assert len(set(call_ids)) == 40
    assert set(call_ids) <= simulator.calls.keys()
    assert keys == {"dial_refused": 10}
    assert all("not idle" in str(error) for error in errors)
    assert logins(simulator) - before == (1 if token == "expired" else 0)
    assert error_records(caplog.records) == []
    assert tracebacks(caplog.records) == []
    figure(
        f"concurrency 50 dials, token {token}",
        call_ids=len(call_ids),
        errors=dict(keys),
        logins=logins(simulator) - before,
        seconds=round(elapsed, 2),
    )


async def toggle_registrations(
    sim: PbxSimulator, numbers: list[str], count: int
) -> int:
    """Unregister and register phones on the PBX, one change every 2 ms."""
    for index in range(count):
        number = numbers[index % len(numbers)]
        if sim.office.extension(number).registered:  # type: ignore[union-attr]
            sim.unregister_extension(number)
        else:
            sim.register_extension(number)
        await asyncio.sleep(0.002)
    return count


async def post_steadily(poster: Poster, numbers: list[str], count: int) -> list[int]:
    """POST reports that agree with the PBX (these phones stay registered)."""
    statuses = []
    for index in range(count):
        statuses.append(
            await poster.send(
                extension_report(numbers[index % len(numbers)], "Registered")
            )
        )
        await asyncio.sleep(0.001)
    return statuses


async def test_reports_during_a_reload(
    hass: HomeAssistant,
    ha_http: TestClient,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Reports keep coming while the entry reloads: every POST is answered 200, nothing
    logs an error, and afterwards every state is the PBX's."""
    numbers = [extension.number for extension in simulator.office.extensions]
    async with Poster(ha_http.server.port) as poster:
        toggling = asyncio.create_task(
            toggle_registrations(simulator, numbers[:20], 300)
        )
        posting = asyncio.create_task(post_steadily(poster, numbers[40:], 200))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        assert await hass.config_entries.async_reload(init_integration.entry_id)
        reload_seconds = time.monotonic() - started
        toggles = await toggling
        statuses = await posting
    await simulator.wait_for_reports(timeout=10)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert init_integration.state is ConfigEntryState.LOADED
    assert statuses == [200] * len(statuses)
    assert mismatches(hass, simulator) == {}
    assert error_records(caplog.records) == []
    assert tracebacks(caplog.records) == []
    assert len(simulator.tokens) == 1
    figure(
        "concurrency reports during a reload",
        pbx_changes=toggles,
        posts=len(statuses),
        reload_seconds=round(reload_seconds, 2),
        accepted_after_reload=init_integration.runtime_data.reports.counters.accepted,
    )


async def test_unload_while_reports_arrive(
    hass: HomeAssistant,
    ha_http: TestClient,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The entry unloads while the PBX and a poster keep reporting: no traceback, no
    error log, every POST answered 200, and nothing of the entry is left."""
    numbers = [extension.number for extension in simulator.office.extensions]
    async with Poster(ha_http.server.port) as poster:
        toggling = asyncio.create_task(
            toggle_registrations(simulator, numbers[:20], 200)
        )
        posting = asyncio.create_task(post_steadily(poster, numbers[40:], 150))
        await asyncio.sleep(0.1)
        assert await hass.config_entries.async_unload(init_integration.entry_id)
        toggles = await toggling
        statuses = await posting
    await simulator.wait_for_reports(timeout=10)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert init_integration.state is ConfigEntryState.NOT_LOADED
    assert statuses == [200] * len(statuses)
    assert error_records(caplog.records) == []
    assert tracebacks(caplog.records) == []
    assert WEBHOOK_ID not in hass.data["webhook"]
    assert simulator.tokens == {}
    assert yeastar_tasks(hass) == []
    timers = yeastar_timers(hass)
    assert timers == []
    figure(
        "concurrency unload while reports arrive",
        pbx_changes=toggles,
        posts=len(statuses),
        sessions_left=len(simulator.tokens),
        yeastar_timers_left=len(timers),
    )
