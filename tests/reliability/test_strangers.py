"""Strangers, wrong webhook ids and every HTTP method: the answers, and no state touched."""

from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.yeastar.webhook import MAX_REPORT_BYTES
from tests.integration.conftest import SERIAL, WEBHOOK_ID

from .helpers import (
    PBX_ADDRESS,
    Poster,
    StateWrites,
    error_records,
    extension_report,
    figure,
    status_entity,
)

STRANGER = "127.0.0.2"
RINGING = extension_report("1000", "Ringing")

STRANGER_BODIES: list[bytes | dict[str, Any]] = [
    RINGING,
    extension_report("1000", "Unregistered"),
    extension_report("1000", "Ringing", serial="000000000000"),
    {"event": "BootUp", "sn": SERIAL},
    {"event": "ConfigChange", "type": "extension", "operation": "add", "sn": SERIAL},
    b"",
    b"not json",
    b"\xff\xfe\x00",
    b"[" * 100_000,
    b'{"event":"ExtensionStatus","sn":"'
    + SERIAL.encode()
    + b'","x":'
    + b"[" * 900
    + b"]" * 900
    + b"}",
    b'{"event":"X","sn":"'
    + SERIAL.encode()
    + b'","pad":"'
    + b"a" * (MAX_REPORT_BYTES + 10)
    + b'"}',
]


def picture(hass: HomeAssistant) -> dict[str, tuple[str, dict[str, Any]]]:
    """Return every state and its attributes."""
    return {
        current.entity_id: (current.state, dict(current.attributes))
        for current in hass.states.async_all()
    }


def counters(entry: MockConfigEntry) -> Any:
    """Return the report path's counters."""
    return entry.runtime_data.reports.counters


async def test_strangers_are_refused(
    hass: HomeAssistant,
    ha_http: TestClient,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every POST from another loopback address gets 403, whatever it carries; nothing
    changes, and the refusal is logged once as a warning (never an error)."""
    before = picture(hass)
    writes = StateWrites(hass)
    async with Poster(ha_http.server.port, source=STRANGER) as stranger:
        statuses = [await stranger.send(body) for body in STRANGER_BODIES * 3]
    await hass.async_block_till_done(wait_background_tasks=True)
    writes.stop()
    assert statuses == [403] * len(STRANGER_BODIES) * 3
    assert writes.total == 0
    assert picture(hass) == before
    seen = counters(init_integration)
    assert seen.refused_senders == len(statuses)
    assert (seen.accepted, seen.unparsable, seen.other_serial) == (0, 0, 0)
    assert error_records(caplog.records) == []
    refusals = [
        record
        for record in caplog.records
        if record.getMessage().startswith(f"Refused a report from {STRANGER}")
        and record.levelname == "WARNING"
    ]
    assert len(refusals) == 1
    figure("strangers", posts=len(statuses), answers=sorted(set(statuses)))


WRONG_IDS = [
    "0" * 64,
    WEBHOOK_ID[:-1],
    WEBHOOK_ID + "0",
    WEBHOOK_ID.upper(),
    WEBHOOK_ID[::-1],
    "yeastar",
    "a" * 300,
]


@pytest.mark.parametrize("source", [PBX_ADDRESS, STRANGER])
async def test_wrong_webhook_ids(
    hass: HomeAssistant,
    ha_http: TestClient,
    init_integration: MockConfigEntry,
    source: str,
) -> None:
    """A report to a webhook id that is not ours: Home Assistant answers 200 (it never
    tells whether a webhook exists), and the report goes nowhere."""
    before = picture(hass)
    writes = StateWrites(hass)
    async with Poster(ha_http.server.port, source=source) as poster:
        statuses = [
            await poster.send(RINGING, path=f"/api/webhook/{wrong}")
            for wrong in WRONG_IDS
        ]
    await hass.async_block_till_done()
    writes.stop()
    assert statuses == [200] * len(WRONG_IDS)
    assert writes.total == 0
    assert picture(hass) == before
    seen = counters(init_integration)
    assert (seen.accepted, seen.refused_senders, seen.unparsable) == (0, 0, 0)
    figure(f"wrong webhook ids from {source}", posts=len(statuses), answers=[200])


# Home Assistant's own answers: HEAD is 200 for any webhook ("the URL exists"), GET and
# PUT are refused by the webhook component (the integration allows POST only), DELETE
# and PATCH by the HTTP server (the webhook view has no handler for them), OPTIONS by
# its CORS layer (a preflight without an Origin).
EXPECTED = {
    "GET": 405,
    "HEAD": 200,
    "PUT": 405,
    "DELETE": 405,
    "PATCH": 405,
    "OPTIONS": 403,
}


@pytest.mark.parametrize("source", [PBX_ADDRESS, STRANGER])
async def test_every_method(
    hass: HomeAssistant,
    ha_http: TestClient,
    init_integration: MockConfigEntry,
    source: str,
) -> None:
    """Every method but POST is refused before it reaches the integration; POST works
    from the PBX's address (200, applied) and is refused from a stranger's (403)."""
    before = picture(hass)
    writes = StateWrites(hass)
    async with Poster(ha_http.server.port, source=source) as poster:
        answers = {
            method: await poster.send(RINGING, method=method) for method in EXPECTED
        }
        await hass.async_block_till_done()
        assert picture(hass) == before
        assert writes.total == 0
        assert answers == EXPECTED
        seen = counters(init_integration)
        assert (seen.accepted, seen.refused_senders, seen.unparsable) == (0, 0, 0)
        answers["POST"] = await poster.send(RINGING)
    await hass.async_block_till_done()
    writes.stop()
    reception = hass.states.get(status_entity(hass, "1000"))
    assert reception is not None
    if source == PBX_ADDRESS:
        assert answers["POST"] == 200
        assert reception.state == "ringing"
        assert counters(init_integration).accepted == 1
    else:
        assert answers["POST"] == 403
        assert reception.state == "idle"
        assert writes.total == 0
    figure(f"methods from {source}", **answers)
