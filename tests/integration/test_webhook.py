"""The webhook's checks: strangers refused, every PBX report answered, resends dropped."""

import asyncio
import json
import logging
from typing import Any
from unittest.mock import AsyncMock, Mock

import aiohttp
from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import pytest_socket

from custom_components.yeastar.addresses import plain_address
from custom_components.yeastar.const import (
    CONF_CALLBACK_HOST,
    CONF_CALLBACK_PORT,
    DOMAIN,
)
from custom_components.yeastar.webhook import _read_bounded
from simulator import PbxSimulator

from .conftest import SERIAL, WEBHOOK_ID, open_options, settle

RECEPTION = "sensor.reception_1000_status"
URL = f"/api/webhook/{WEBHOOK_ID}"


def report(
    status: str, extension: str = "1000", serial: str = SERIAL
) -> dict[str, Any]:
    """Return an ExtensionStatus report as the PBX would post it."""
    return {
        "event": "ExtensionStatus",
        "extension": extension,
        "status": status,
        "sn": serial,
    }


async def post(ha_http: TestClient, body: bytes | dict[str, Any], source: str) -> int:
    """POST a body to the webhook from a chosen loopback address; return the HTTP status."""
    pytest_socket.socket_allow_hosts(["127.0.0.1", "127.0.0.2"])
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    connector = aiohttp.TCPConnector(local_addr=(source, 0))
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        session.post(
            f"http://127.0.0.1:{ha_http.server.port}{URL}",
            data=data,
            headers={"User-Agent": "WebAPI", "Content-Type": "application/json"},
        ) as response,
    ):
        return response.status


def counters(entry: MockConfigEntry) -> Any:
    """Return the event path's counters."""
    return entry.runtime_data.reports.counters


async def test_report_from_the_pbx_is_applied(
    hass: HomeAssistant, ha_http: TestClient, init_integration: MockConfigEntry
) -> None:
    """A well-formed report from the PBX's address changes the state at once."""
    assert await post(ha_http, report("Ringing"), "127.0.0.1") == 200
    await hass.async_block_till_done()
    assert hass.states.get(RECEPTION).state == "ringing"
    assert counters(init_integration).accepted >= 1


async def test_stranger_is_refused(
    hass: HomeAssistant,
    ha_http: TestClient,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A report from another address is refused with 403, logged once, and not applied."""
    assert await post(ha_http, report("Ringing"), "127.0.0.2") == 403
    assert await post(ha_http, report("Busy"), "127.0.0.2") == 403
    await hass.async_block_till_done()
    assert hass.states.get(RECEPTION).state == "idle"
    assert counters(init_integration).refused_senders == 2
    warnings = [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING
    ]
    assert [line for line in warnings if "Refused a report from 127.0.0.2" in line] == [
        "Refused a report from 127.0.0.2: it does not come from the PBX's address"
    ]


async def test_report_naming_another_pbx_is_answered_and_dropped(
    hass: HomeAssistant, ha_http: TestClient, init_integration: MockConfigEntry
) -> None:
    """A report from the PBX's address naming another serial: 200, dropped, counted.

    Refusing it would make the PBX resend it forever at the head of its queue.
    """
    assert (
        await post(ha_http, report("Ringing", serial="000000000000"), "127.0.0.1")
        == 200
    )
    await hass.async_block_till_done()
    assert hass.states.get(RECEPTION).state == "idle"
    assert counters(init_integration).other_serial == 1
    assert counters(init_integration).accepted == 0


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[1, 2]", b"\xff\xfe", b'"a string"'],
    ids=["empty", "not-json", "list", "bad-utf8", "string"],
)
async def test_unreadable_report_is_answered_and_counted(
    hass: HomeAssistant,
    ha_http: TestClient,
    init_integration: MockConfigEntry,
    body: bytes,
) -> None:
    """An unreadable report is answered 200 (a resend would not fix it) and counted."""
    assert await post(ha_http, body, "127.0.0.1") == 200
    assert counters(init_integration).unparsable == 1
    assert hass.states.get(RECEPTION).state == "idle"


async def test_unknown_report_is_answered_and_counted(
    hass: HomeAssistant, ha_http: TestClient, init_integration: MockConfigEntry
) -> None:
    """A report of an unknown kind is answered 200 and counted."""
    body = {"event": "SomethingNew", "sn": SERIAL, "detail": "x"}
    assert await post(ha_http, body, "127.0.0.1") == 200
    assert counters(init_integration).unknown_events == 1


async def test_resent_report_is_dropped(
    hass: HomeAssistant, ha_http: TestClient, init_integration: MockConfigEntry
) -> None:
    """A report identical to the one before it is a resend: counted, not applied twice."""
    assert await post(ha_http, report("Ringing"), "127.0.0.1") == 200
    assert await post(ha_http, report("Ringing"), "127.0.0.1") == 200
    assert counters(init_integration).duplicates == 1
    # The same status again after another one is a real change, not a resend.
    assert await post(ha_http, report("Registered"), "127.0.0.1") == 200
    assert await post(ha_http, report("Ringing"), "127.0.0.1") == 200
    await hass.async_block_till_done()
    assert counters(init_integration).duplicates == 1
    assert hass.states.get(RECEPTION).state == "ringing"


async def test_resend_in_another_shape_is_dropped(
    hass: HomeAssistant, ha_http: TestClient, init_integration: MockConfigEntry
) -> None:
    """A resend with other key order and spacing is the same report; 1 is not true."""
    first = b'{"event":"ExtensionStatus","extension":"1000","status":"Ringing","x":1}'
    again = b'{ "x": 1, "status": "Ringing",\n "extension": "1000", "event": "ExtensionStatus" }'
    other = (
        b'{"event":"ExtensionStatus","extension":"1000","status":"Ringing","x":true}'
    )
    for body in (first, again, other):
        assert await post(ha_http, body, "127.0.0.1") == 200
    await hass.async_block_till_done()
    assert counters(init_integration).duplicates == 1
    assert counters(init_integration).accepted == 2
    assert hass.states.get(RECEPTION).state == "ringing"


async def test_get_is_not_allowed(
    ha_http: TestClient, init_integration: MockConfigEntry
) -> None:
    """The webhook accepts POST only."""
    response = await ha_http.get(URL)
    assert response.status == 405


async def test_pbx_retries_until_answered(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """Reports sent while the webhook is gone are delivered once it is back."""
    await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    simulator.unregister_extension("1000")
    await settle(hass, simulator)
    assert hass.states.get(RECEPTION).state == "offline"


async def test_no_local_url_raises_issue_and_polls(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    ha_http: TestClient,
    added_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Without a local URL the PBX cannot report: a repair issue, but the entry works."""
    hass.config.internal_url = None
    hass.config.api = None
    assert await hass.config_entries.async_setup(added_entry.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(
        DOMAIN, f"no_report_url_{added_entry.entry_id}"
    )
    login = next(r for r in simulator.requests if r.endpoint == "login")
    assert "url" not in login.body
    assert hass.states.get(RECEPTION).state == "idle"


async def test_https_local_url_raises_issue(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    ha_http: TestClient,
    added_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """An HTTPS-only local URL cannot receive the PBX's plain HTTP reports."""
    await async_process_ha_core_config(hass, {"internal_url": "https://127.0.0.1:8123"})
    assert await hass.config_entries.async_setup(added_entry.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(
        DOMAIN, f"report_url_https_{added_entry.entry_id}"
    )


async def test_callback_override(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    ha_http: TestClient,
    added_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The options' callback host and port win over the local URL, and clear the issue."""
    await async_process_ha_core_config(hass, {"internal_url": "https://127.0.0.1:8123"})
    hass.config_entries.async_update_entry(
        added_entry,
        options={
            CONF_CALLBACK_HOST: "127.0.0.1",
            CONF_CALLBACK_PORT: ha_http.server.port,
        },
    )
    assert await hass.config_entries.async_setup(added_entry.entry_id)
    await hass.async_block_till_done()
    assert not issue_registry.async_get_issue(
        DOMAIN, f"report_url_https_{added_entry.entry_id}"
    )
    heartbeat = next(r for r in simulator.requests if r.endpoint == "heartbeat")
    assert heartbeat.body["port"] == str(ha_http.server.port)
    simulator.unregister_extension("1000")
    await settle(hass, simulator)
    assert hass.states.get(RECEPTION).state == "offline"


async def test_options_take_effect_at_once(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    ha_http: TestClient,
    init_integration: MockConfigEntry,
) -> None:
    """New options change the poll interval and the report address without a reload."""
    coordinator = init_integration.runtime_data.coordinator
    result = await open_options(hass, init_integration)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "poll_interval": 120,
            CONF_CALLBACK_HOST: "127.0.0.1",
            CONF_CALLBACK_PORT: ha_http.server.port,
        },
    )
    await hass.async_block_till_done()
    assert init_integration.options["poll_interval"] == 120
    assert coordinator.update_interval is not None
    assert coordinator.update_interval.total_seconds() == 120
    assert init_integration.runtime_data.coordinator is coordinator  # not reloaded
    heartbeat = [r for r in simulator.requests if r.endpoint == "heartbeat"][-1]
    assert heartbeat.body["ipaddr"] == "127.0.0.1"
    assert heartbeat.body["port"] == str(ha_http.server.port)


async def test_options_stored_while_the_pbx_hangs(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    ha_http: TestClient,
    init_integration: MockConfigEntry,
) -> None:
    """Saving the options waits for no PBX: they are stored, then applied."""
    await simulator.take_offline("hang")
    result = await open_options(hass, init_integration)
    async with asyncio.timeout(1):
        result = await hass.config_entries.options.async_configure(
            result["flow_id"],
            {
                "poll_interval": 300,
                CONF_CALLBACK_HOST: "127.0.0.1",
                CONF_CALLBACK_PORT: ha_http.server.port,
            },
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options["poll_interval"] == 300
    coordinator = init_integration.runtime_data.coordinator
    assert coordinator.update_interval is not None
    assert coordinator.update_interval.total_seconds() == 300
    await simulator.bring_online()
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("::ffff:192.168.1.150", "192.168.1.150"),
        ("fe80::1", "fe80::1"),
        ("not-an-address", "not-an-address"),
        (None, ""),
    ],
)
def test_sender_address_forms(remote: str | None, expected: str) -> None:
    """Sender addresses are compared in one form (IPv4-mapped IPv6 as IPv4)."""
    assert plain_address(remote) == expected


async def test_unknown_extension_status_word(
    hass: HomeAssistant, ha_http: TestClient, init_integration: MockConfigEntry
) -> None:
    """A status word the PBX has not documented leaves the state unknown, not an error."""
    assert await post(ha_http, report("Dancing"), "127.0.0.1") == 200
    await hass.async_block_till_done()
    assert hass.states.get(RECEPTION).state == "unknown"


async def test_deeply_nested_report(
    hass: HomeAssistant,
    ha_http: TestClient,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """JSON nested thousands of levels deep is unreadable: 200, counted, no traceback."""
    for body in (
        b'{"event":"ExtensionStatus","x":' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"event":"X","sn":"'
        + SERIAL.encode()
        + b'","x":'
        + b"[" * 900
        + b"]" * 900
        + b"}",
        b"[" * 100_000,
    ):
        assert await post(ha_http, body, "127.0.0.1") == 200
    assert counters(init_integration).unparsable >= 2
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert await post(ha_http, report("Ringing"), "127.0.0.1") == 200
    await hass.async_block_till_done()
    assert hass.states.get(RECEPTION).state == "ringing"


async def test_oversized_report(
    hass: HomeAssistant,
    ha_http: TestClient,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A body larger than Home Assistant's 16 MB limit is answered 200 and counted.

    Nothing logs the webhook id (Home Assistant's own error would).
    """
    body = b'{"event":"X","pad":"' + b"a" * (17 * 1024 * 1024) + b'"}'
    assert await post(ha_http, body, "127.0.0.1") == 200
    assert counters(init_integration).unparsable == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [
        r
        for r in caplog.records
        if r.levelno >= logging.INFO and WEBHOOK_ID in r.getMessage().replace(URL, "")
    ]
    assert await post(ha_http, report("Ringing"), "127.0.0.1") == 200
    await hass.async_block_till_done()
    assert hass.states.get(RECEPTION).state == "ringing"


async def test_large_unknown_report_is_logged_as_an_excerpt(
    hass: HomeAssistant,
    ha_http: TestClient,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Neither a 1 MB report nor a 60 KB unknown one goes whole into the log."""
    caplog.set_level(logging.DEBUG, logger="custom_components.yeastar")
    for size in (1024 * 1024, 60 * 1024):
        body = {"event": "SomethingNew", "sn": SERIAL, "pad": "x" * size}
        assert await post(ha_http, body, "127.0.0.1") == 200
    ours = [r for r in caplog.records if r.name.startswith("custom_components.yeastar")]
    assert ours
    assert max(len(r.getMessage()) for r in ours) < 1000
    assert counters(init_integration).unknown_events == 1
    assert counters(init_integration).unparsable == 1


async def test_lone_surrogate_in_a_number(
    hass: HomeAssistant, ha_http: TestClient, init_integration: MockConfigEntry
) -> None:
    """Half a surrogate pair in a caller's number is replaced, so states stay storable."""
    body = (
        '{"event":"CallStatus","callid":"1.1","sn":"' + SERIAL + '","members":['
        '{"inbound":{"from":"06\\ud800","to":"5551234","trunkname":"SIPTrunk1",'
        '"channelid":"c1","memberstatus":"ALERT"}},'
        '{"ext":{"number":"1000","channelid":"c2","memberstatus":"RING"}}]}'
    ).encode()
    assert await post(ha_http, body, "127.0.0.1") == 200
    await hass.async_block_till_done()
    fired = hass.states.get("event.reception_1000_call")
    assert fired is not None
    assert fired.attributes["peer_number"] == "06\ufffd"
    for current in hass.states.async_all():
        assert current.as_dict_json  # every state serialises


async def test_report_address_re_resolved_after_a_reboot(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """The PBX's address is looked up again when it may have changed (a re-login)."""
    runtime = init_integration.runtime_data
    runtime.reports.pbx_addresses = frozenset({"192.0.2.1"})  # what an old lookup gave
    await simulator.reboot()
    await simulator.wait_online()
    await runtime.coordinator.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert "127.0.0.1" in runtime.reports.pbx_addresses
    simulator.unregister_extension("1000")
    await settle(hass, simulator)
    assert hass.states.get(RECEPTION).state == "offline"


async def test_body_cut_short_is_what_came() -> None:
    """A connection that closes before the announced length gives what came."""
    request = Mock(content_length=10)
    request.content.readexactly = AsyncMock(
        side_effect=asyncio.IncompleteReadError(b'{"ev', 10)
    )
    assert await _read_bounded(request) == b'{"ev'
