"""Diagnostics of a PBX entry set up against the simulator: content and redaction."""

import json
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.components.diagnostics import REDACTED
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.yeastar.const import (
    CONF_PHONE_BOOK,
    CONF_POLL_INTERVAL,
    CONF_TLS_FINGERPRINT,
)
from simulator import PbxSimulator

from .conftest import PASSWORD, USERNAME, WEBHOOK_ID

FINGERPRINT = "ab" * 32
OUTSIDE_NUMBER = "0612345678"
BOOK_NUMBER, BOOK_NAME = "0699000000", "Dentist"


@pytest.fixture(autouse=True)
async def diagnostics_component(hass: HomeAssistant, socket_enabled: None) -> None:
    """Set diagnostics up before ha_http starts serving (the router freezes then)."""
    assert await async_setup_component(hass, "diagnostics", {})


@pytest.fixture
def mock_config_entry(mock_config_entry: MockConfigEntry) -> MockConfigEntry:
    """Return the simulator's entry with a pinned fingerprint and an option, to redact."""
    return MockConfigEntry(
        domain=mock_config_entry.domain,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data={**mock_config_entry.data, CONF_TLS_FINGERPRINT: FINGERPRINT},
        options={CONF_POLL_INTERVAL: 120, CONF_PHONE_BOOK: {BOOK_NUMBER: BOOK_NAME}},
    )


async def diagnostics(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, entry: MockConfigEntry
) -> tuple[dict[str, Any], str]:
    """Return an entry's diagnostics as served, and their JSON text."""
    result = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    return result, json.dumps(result)


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    ha_http: TestClient,
    init_integration: MockConfigEntry,
    simulator: PbxSimulator,
    snapshot: SnapshotAssertion,
) -> None:
    """The PBX, its office, calls in progress and the event path; secrets and private data out."""
    runtime = init_integration.runtime_data
    call_id = await simulator.inbound_call(
        trunk="SIPTrunk1", caller=OUTSIDE_NUMBER, extension="1000"
    )
    await simulator.answer(call_id, "1000")
    await simulator.wait_for_reports()
    channel = simulator.calls[call_id].member_by_party("1000")
    assert channel is not None
    # Reports come from 127.0.0.1, the PBX's address: an unreadable one is counted.
    response = await ha_http.post(
        f"/api/webhook/{WEBHOOK_ID}", data=f"not json {OUTSIDE_NUMBER}".encode()
    )
    assert response.status == 200
    token = runtime.backend.session.client.token
    assert token

    result, text = await diagnostics(hass, hass_client, init_integration)

    for secret in (PASSWORD, USERNAME, WEBHOOK_ID, FINGERPRINT, token):
        assert secret not in text
    for private in (
        OUTSIDE_NUMBER,
        "5551234",
        "Reception",
        "Sales",
        "Warehouse",
        BOOK_NUMBER,
        BOOK_NAME,
    ):
        assert private not in text
    assert result["entry"]["options"][CONF_PHONE_BOOK] == REDACTED
    assert result["names"] == {"contact_numbers": 0, "phone_book_numbers": 1}
    assert result["entry"]["data"] == {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: simulator.port,
        CONF_SSL: False,
        "username": REDACTED,
        "password": REDACTED,
        "webhook_id": REDACTED,
        CONF_TLS_FINGERPRINT: REDACTED,
    }
    assert result["extensions"]["1000"]["state"] == "busy"
    assert result["active_calls"]["1000"][0]["channel_id"] == channel.channel
    assert result["active_calls"]["1000"][0]["call_id"] == call_id
    event_path = result["event_path"]
    assert event_path["report_destination"]["port"] == ha_http.server.port
    reports = event_path["reports"]
    assert reports["accepted"] == runtime.reports.counters.accepted > 0
    assert reports["unparsable"] == 1
    assert reports["last_report"] is not None
    connection = result["connection"]
    assert connection["last_login"] is not None
    assert connection["last_heartbeat"] is not None
    assert without_volatile(result) == snapshot


def without_volatile(result: dict[str, Any]) -> dict[str, Any]:
    """Return diagnostics with what changes from run to run (ports, times, ids) fixed."""
    stable = json.loads(json.dumps(result))
    stable["entry"]["data"][CONF_PORT] = "<port>"
    stable["event_path"]["report_destination"]["port"] = "<port>"
    stable["event_path"]["reports"]["last_report"] = "<time>"
    stable["history"]["records_until"] = "<time>"
    for key in ("last_login", "last_heartbeat"):
        stable["connection"][key] = "<time>"
    for calls in stable["active_calls"].values():
        for call in calls:
            call["call_id"] = call["channel_id"] = "<id>"
    return stable


async def test_diagnostics_without_report_destination(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
) -> None:
    """No destination for reports (no usable URL) shows as none; idle office, no calls."""
    init_integration.runtime_data.backend.session.client.report_destination = None

    result, text = await diagnostics(hass, hass_client, init_integration)

    assert result["event_path"]["report_destination"] is None
    assert result["active_calls"] == {}
    assert WEBHOOK_ID not in text
