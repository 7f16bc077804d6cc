"""No release in the supported range logs a deprecation about this integration.

Every Home Assistant test in this folder fails when Home Assistant's deprecation or
"Detected that custom integration" machinery names the integration (the autouse
``no_deprecations`` fixture); this module walks through the whole life of an entry on
purpose, and proves that the guard itself catches such a line.
"""

import logging

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.yeastar.const import DOMAIN
from simulator import PbxSimulator

from .conftest import DeprecationRecorder, connection_input, open_options, settle


def test_guard_catches_a_deprecation_line(no_deprecations: DeprecationRecorder) -> None:
    """A report_usage line naming the integration is caught (and others are not)."""
    frame_logger = logging.getLogger("homeassistant.helpers.frame")
    frame_logger.warning(
        "Detected that custom integration 'yeastar' calls `x`. This will stop working "
        "in Home Assistant 2027.8.0, please create a bug report"
    )
    frame_logger.warning("Detected that custom integration 'other' calls `x`.")
    logging.getLogger("homeassistant.helpers.deprecation").warning(
        "The deprecated constant FOO was used from yeastar. Use BAR instead"
    )
    assert len(no_deprecations.found) == 2
    no_deprecations.found.clear()


async def test_whole_life_of_an_entry(
    hass: HomeAssistant,
    ha_http: object,
    simulator: PbxSimulator,
    no_deprecations: DeprecationRecorder,
) -> None:
    """Set-up by the flow, reports, both actions, options, reload and unload log none."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(simulator)
    )
    entry: MockConfigEntry = result["result"]
    await hass.async_block_till_done()

    call_id = await simulator.inbound_call(
        trunk="SIPTrunk1", caller="0612345678", extension="1000"
    )
    await simulator.answer(call_id, "1000")
    await simulator.hold(call_id, "1000")
    await simulator.hangup(call_id)
    await settle(hass, simulator)
    response = await hass.services.async_call(
        DOMAIN,
        "dial",
        {"caller": "1000", "callee": "1001"},
        blocking=True,
        return_response=True,
    )
    await settle(hass, simulator)
    await hass.services.async_call(
        DOMAIN, "hangup", {"call_id": response["call_id"]}, blocking=True
    )
    await settle(hass, simulator)

    result = await open_options(hass, entry)
    await hass.config_entries.options.async_configure(
        result["flow_id"], {"poll_interval": 30}
    )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert no_deprecations.found == []
