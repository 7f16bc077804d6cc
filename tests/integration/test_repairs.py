"""Repairs: the integration's repairs platform, and the fixes it offers from the UI.

Fix flows are driven through Home Assistant's own repairs HTTP API, as the Repairs page
does.
"""

import asyncio
from collections.abc import Callable
from datetime import timedelta
from http import HTTPStatus
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.components.repairs import ConfirmRepairFlow
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    mock_integration,
    mock_platform,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.yeastar import reports
from custom_components.yeastar.const import (
    CONF_REPORT_ADDRESSES,
    CONF_TLS_FINGERPRINT,
    DOMAIN,
)
from simulator import PbxSimulator

from .conftest import pbx_simulator, settle, state

RECEPTION = "sensor.reception_1000_status"
OTHER_DOMAIN = "other_integration"


class RepairsApi:
    """Home Assistant's repairs HTTP API, as the Repairs page uses it."""

    def __init__(self, client: TestClient) -> None:
        """Use an authenticated client of Home Assistant."""
        self.client = client

    async def start(self, domain: str, issue_id: str) -> dict[str, Any]:
        """Open the fix flow of an issue; return its first step."""
        response = await self.client.post(
            "/api/repairs/issues/fix", json={"handler": domain, "issue_id": issue_id}
        )
        assert response.status == HTTPStatus.OK, await response.text()
        result: dict[str, Any] = await response.json()
        return result

    async def submit(self, flow_id: str) -> dict[str, Any]:
        """Submit a step of a fix flow (these forms have no fields)."""
        response = await self.client.post(f"/api/repairs/issues/fix/{flow_id}", json={})
        assert response.status == HTTPStatus.OK, await response.text()
        result: dict[str, Any] = await response.json()
        return result


@pytest.fixture(autouse=True)
async def setup_repairs(hass: HomeAssistant) -> None:
    """Set up Home Assistant's repairs component before its HTTP server starts."""
    assert await async_setup_component(hass, "repairs", {})


@pytest.fixture
async def repairs_api(
    hass_client: ClientSessionGenerator, ha_http: TestClient
) -> RepairsApi:
    """Return the repairs HTTP API, as an administrator uses it."""
    return RepairsApi(await hass_client())


class OtherRepairsPlatform:
    """The repairs platform of another integration: a plain confirmation."""

    async def async_create_fix_flow(
        self, hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
    ) -> ConfirmRepairFlow:
        """Return the fix flow."""
        return ConfirmRepairFlow()


async def test_other_integrations_fix_flows_open(
    hass: HomeAssistant,
    repairs_api: RepairsApi,
    init_integration: MockConfigEntry,
) -> None:
    """With this integration loaded, another integration's fixable issue can be fixed.

    Home Assistant loads every loaded integration's ``repairs`` module as a repairs
    platform when any fix flow opens; one without ``async_create_fix_flow`` breaks all.
    """
    mock_integration(hass, MockModule(OTHER_DOMAIN))
    mock_platform(hass, f"{OTHER_DOMAIN}.repairs", OtherRepairsPlatform())
    hass.config.components.add(OTHER_DOMAIN)
    ir.async_create_issue(
        hass,
        OTHER_DOMAIN,
        "something",
        is_fixable=True,
        severity=ir.IssueSeverity.WARNING,
        translation_key="something",
    )
    step = await repairs_api.start(OTHER_DOMAIN, "something")
    assert step["type"] == "form"
    assert step["step_id"] == "confirm"
    done = await repairs_api.submit(step["flow_id"])
    assert done["type"] == "create_entry"


async def test_our_other_issues_get_a_confirmation(
    hass: HomeAssistant,
    repairs_api: RepairsApi,
    init_integration: MockConfigEntry,
) -> None:
    """An issue of ours with no special fix gets Home Assistant's confirmation."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        "stale",
        is_fixable=True,
        severity=ir.IssueSeverity.WARNING,
        translation_key="locked_out",
    )
    step = await repairs_api.start(DOMAIN, "stale")
    assert step["step_id"] == "confirm"


async def test_trust_the_new_certificate(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    repairs_api: RepairsApi,
    added_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A changed certificate is fixed from Repairs: the new fingerprint shown, trusted."""
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
        await hass.config_entries.async_setup(added_entry.entry_id)
        await hass.async_block_till_done()
        assert added_entry.state is ConfigEntryState.SETUP_ERROR
        issue_id = f"certificate_changed_{added_entry.entry_id}"
        issue = issue_registry.async_get_issue(DOMAIN, issue_id)
        assert issue is not None
        assert issue.is_fixable

        step = await repairs_api.start(DOMAIN, issue_id)
        assert step["step_id"] == "confirm"
        fingerprint = https.certificate_fingerprint
        assert fingerprint is not None
        shown = step["description_placeholders"]["fingerprint"]
        assert shown.replace(":", "").lower() == fingerprint
        assert shown == shown.upper()

        done = await repairs_api.submit(step["flow_id"])
        assert done["type"] == "create_entry"
        await hass.async_block_till_done()
        assert added_entry.data[CONF_TLS_FINGERPRINT] == fingerprint
        assert added_entry.state is ConfigEntryState.LOADED
        assert not issue_registry.async_get_issue(DOMAIN, issue_id)
        await hass.config_entries.async_unload(added_entry.entry_id)
        await hass.async_block_till_done()


async def test_new_certificate_of_another_pbx_is_not_trusted(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    repairs_api: RepairsApi,
    added_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A certificate presented by a different PBX (another serial) is not pinned."""
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
        await hass.config_entries.async_setup(added_entry.entry_id)
        await hass.async_block_till_done()
        hass.config_entries.async_update_entry(added_entry, unique_id="999999999999")
        issue_id = f"certificate_changed_{added_entry.entry_id}"
        step = await repairs_api.start(DOMAIN, issue_id)
        done = await repairs_api.submit(step["flow_id"])
        assert done["type"] == "abort"
        assert done["reason"] == "unique_id_mismatch"
        assert added_entry.data[CONF_TLS_FINGERPRINT] == "ab" * 32
        assert issue_registry.async_get_issue(DOMAIN, issue_id)


async def test_certificate_fix_when_the_pbx_is_gone(
    hass: HomeAssistant,
    repairs_api: RepairsApi,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """The certificate fix needs the PBX: unreachable, the flow says so and ends."""
    hass.config_entries.async_update_entry(
        init_integration, data={**init_integration.data, CONF_SSL: True}
    )
    await hass.async_block_till_done()
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"certificate_changed_{init_integration.entry_id}",
        is_fixable=True,
        severity=ir.IssueSeverity.ERROR,
        translation_key="certificate_changed",
        data={"entry_id": init_integration.entry_id},
    )
    await simulator.take_offline("refuse")
    step = await repairs_api.start(
        DOMAIN, f"certificate_changed_{init_integration.entry_id}"
    )
    assert step["type"] == "abort"
    assert step["reason"] == "cannot_connect"
    assert "Cannot read the certificate" in step["description_placeholders"]["error"]
    await simulator.bring_online()


async def test_accept_reports_from_another_address(
    monkeypatch: pytest.MonkeyPatch,
    hass: HomeAssistant,
    simulator: PbxSimulator,
    repairs_api: RepairsApi,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Reports from a second address of the PBX: refused, a repair names it, accepted.

    The PBX is asked at once where it answers from; the repair comes only when its
    reports keep arriving from the other address for a while (a minute; shortened here).
    """
    monkeypatch.setattr(reports, "UNEXPECTED_GRACE", timedelta(seconds=0.3))
    simulator.report_source = "127.0.0.3"
    for _ in range(3):
        simulator.unregister_extension("1000")
        simulator.register_extension("1000")
    counters = init_integration.runtime_data.reports.counters
    await wait_until(lambda: counters.refused_senders >= 2)
    issue_id = f"unexpected_report_address_{init_integration.entry_id}"
    assert not issue_registry.async_get_issue(DOMAIN, issue_id)
    await wait_until(lambda: bool(issue_registry.async_get_issue(DOMAIN, issue_id)))
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["address"] == "127.0.0.3"
    assert state(hass, RECEPTION) == "idle"
    assert init_integration.runtime_data.reports.counters.refused_senders >= 3

    step = await repairs_api.start(DOMAIN, issue_id)
    assert step["step_id"] == "confirm"
    assert step["description_placeholders"]["address"] == "127.0.0.3"
    done = await repairs_api.submit(step["flow_id"])
    assert done["type"] == "create_entry"
    assert init_integration.options[CONF_REPORT_ADDRESSES] == ["127.0.0.3"]

    # The report the PBX kept resending is taken now, and every later one.
    simulator.unregister_extension("1000")
    await settle(hass, simulator)
    assert state(hass, RECEPTION) == "offline"


async def wait_until(condition: Callable[[], bool]) -> None:
    """Wait (at most 2 s) until a condition holds: the PBX resends until answered 200."""
    for _ in range(100):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the condition did not come true within 2 s")
