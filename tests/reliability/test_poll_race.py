"""A report that arrives while a poll is on its way is newer than the poll's snapshot.

Found by the soak (benchmarks/soak.py): a phone whose change was reported between the
poll's extension/list and its end showed the poll's older word until the next poll.
"""

from unittest.mock import patch

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.yeastar.office import PhoneState
from custom_components.yeastar.pbx import Trunk
from custom_components.yeastar.pbx.client import YeastarClient
from simulator import PbxSimulator

from .helpers import mismatches, status_entity


async def test_report_during_a_poll_is_kept(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """The phone goes offline after the poll read extension/list: offline it stays.

    And a change pushed before the poll read the phones is still replaced by it.
    """
    coordinator = init_integration.runtime_data.coordinator
    read_trunks = YeastarClient.trunks

    async def trunks_after_a_change(client: YeastarClient) -> list[Trunk]:
        simulator.unregister_extension("1000")
        await simulator.wait_for_reports()  # applied while the poll goes on
        assert hass.states.get(status_entity(hass, "1000")).state == "offline"
        return await read_trunks(client)

    with patch.object(YeastarClient, "trunks", trunks_after_a_change):
        await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert mismatches(hass, simulator) == {}
    assert hass.states.get(status_entity(hass, "1000")).state == "offline"
    # A push the PBX never made (as if its word were wrong or lost): the poll corrects it.
    init_integration.runtime_data.office.set_phone("1000", PhoneState.RINGING)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert mismatches(hass, simulator) == {}
