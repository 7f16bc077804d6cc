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

from custom_components.yeastar.const import CONF_POLL_INTERVAL, CONF_TLS_FINGERPRINT
from custom_components.yeastar.coordinator import YeastarCoordinator
from simulator import PbxSimulator

from .conftest import PASSWORD, SERIAL, USERNAME, WEBHOOK_ID

FINGERPRINT = "ab" * 32
OUTSIDE_NUMBER = "0612345678"


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
        options={CONF_POLL_INTERVAL: 120},
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
) -> None:
    """The PBX, its office, calls in progress and the event path, secrets redacted."""
    coordinator: YeastarCoordinator = init_integration.runtime_data
    call_id = await simulator.inbound_call(
        trunk="SIPTrunk1", caller=OUTSIDE_NUMBER, extension="1000"
    )
    await simulator.answer(call_id, "1000")
    await simulator.wait_for_reports()
    channel = simulator.calls[call_id].member_by_party("1000")
    assert channel is not None
    # Reports come from 127.0.0.1, the PBX's address: an unreadable one is counted.
    response = await ha_http.post(f"/api/webhook/{WEBHOOK_ID}", data=b"not json")
    assert response.status == 200
    token = coordinator.client.token
    assert token

    result, text = await diagnostics(hass, hass_client, init_integration)

    for secret in (PASSWORD, USERNAME, WEBHOOK_ID, FINGERPRINT, token):
        assert secret not in text
    assert result["entry"] == {
        "title": "Yeastar S100",
        "data": {
            CONF_HOST: "127.0.0.1",
            CONF_PORT: simulator.port,
            CONF_SSL: False,
            "username": REDACTED,
            "password": REDACTED,
            "webhook_id": REDACTED,
            CONF_TLS_FINGERPRINT: REDACTED,
        },
        "options": {CONF_POLL_INTERVAL: 120},
    }
    assert result["device"] == {
        "model": "Yeastar S100",
        "serial_number": SERIAL,
        "hardware_version": "V1.10 0000-0000",
        "firmware_version": "30.13.0.30",
        "system_time": result["device"]["system_time"],
        "uptime": result["device"]["uptime"],
        "extension_status": "5/100",
    }
    assert set(result["extensions"]) == {"1000", "1001", "1002", "1003", "1008"}
    assert result["extensions"]["1000"] == {
        "number": "1000",
        "name": "Reception",
        "type": "SIP",
        "status": "Busy",
        "agent_id": "",
        "port": "",
    }
    assert result["extensions"]["1008"]["port"] == "Port1"
    assert result["trunks"]["SIPTrunk1"] == {
        "name": "SIPTrunk1",
        "id": "1",
        "type": "SIP",
        "status": "Registered",
        "port": "",
    }
    assert set(result["trunks"]) == {"SIPTrunk1", "GSM1"}
    assert result["active_calls"] == {
        "1000": [
            {
                "call_id": call_id,
                "extension": "1000",
                "channel_id": channel.channel,
                "direction": "inbound",
                "peer_number": OUTSIDE_NUMBER,
                "trunk_name": "SIPTrunk1",
                "did_number": "5551234",
                "state": "talking",
                "answered": True,
            }
        ]
    }
    event_path = result["event_path"]
    assert event_path["report_destination"] == {
        "port": ha_http.server.port,
        "url": REDACTED,
        "ip_address": "127.0.0.1",
        "url_tag": "0",
    }
    assert event_path["pbx_addresses"] == ["127.0.0.1"]
    reports = event_path["reports"]
    assert reports["accepted"] == coordinator.reports.accepted > 0
    assert reports["unparsable"] == 1
    assert reports["last_unparsable"] == "not json"
    assert reports["refused_senders"] == 0
    assert reports["last_report"] is not None
    connection = result["connection"]
    assert connection["logged_in"] is True
    assert connection["last_update_success"] is True
    assert connection["logins"] == 1
    assert connection["last_login"] is not None
    assert connection["last_heartbeat"] is not None


async def test_diagnostics_without_report_destination(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
) -> None:
    """No destination for reports (no usable URL) shows as none; idle office, no calls."""
    coordinator: YeastarCoordinator = init_integration.runtime_data
    coordinator.client.report_destination = None

    result, text = await diagnostics(hass, hass_client, init_integration)

    assert result["event_path"]["report_destination"] is None
    assert result["active_calls"] == {}
    assert WEBHOOK_ID not in text
