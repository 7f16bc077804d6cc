"""The blueprints in blueprints/automation/yeastar, loaded in Home Assistant and run.

Each is copied into a fresh configuration folder, used by an automation, and driven by
the simulated PBX: a missed call notifies (a recording notify action stands in for the
phone app) and "Call back" dials from the desk phone; a ringing phone flashes a light and
pauses the media player that plays, which plays on after the call.

While an automation waits (for the Call back button, for the call to end), Home
Assistant's ``async_block_till_done`` would wait with it: these tests wait for reports
and then for what they should change (``eventually``) instead of using ``settle``.
"""

import asyncio
from collections.abc import Callable
from pathlib import Path
import shutil
from typing import Any

from homeassistant.components.light import ColorMode, LightEntity, LightEntityFeature
from homeassistant.components.media_player import (
    MediaPlayerEntity,
    MediaPlayerEntityFeature,
    MediaPlayerState,
)
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    setup_test_component_platform,
)

from simulator import PbxSimulator

from .conftest import state

BLUEPRINTS = Path(__file__).parents[2] / "blueprints" / "automation" / "yeastar"
PLUMBER = "0612345678"


@pytest.fixture(autouse=True)
def blueprint_folder(hass: HomeAssistant, tmp_path: Path) -> None:
    """Give Home Assistant a configuration folder holding the blueprints."""
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(BLUEPRINTS, tmp_path / "blueprints" / "automation" / "yeastar")


async def deliver(simulator: PbxSimulator) -> None:
    """Deliver the PBX's reports to Home Assistant and let what they start run."""
    await simulator.wait_for_reports()
    for _ in range(20):
        await asyncio.sleep(0)


async def eventually(check: Callable[[], bool]) -> None:
    """Wait until a check holds (at most 5 seconds)."""
    async with asyncio.timeout(5):
        while not check():  # noqa: ASYNC110 - the states have no event to wait on
            await asyncio.sleep(0.01)


def test_every_blueprint_is_tested() -> None:
    """The tests below cover each blueprint of the folder."""
    assert sorted(path.name for path in BLUEPRINTS.glob("*.yaml")) == [
        "missed_call_notification.yaml",
        "ringing_phone_lights_and_media.yaml",
    ]


async def use_blueprint(hass: HomeAssistant, name: str, **inputs: Any) -> None:
    """Set up one automation from a blueprint; check that it loaded."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "alias": "from blueprint",
                "use_blueprint": {"path": f"yeastar/{name}", "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()
    assert state(hass, "automation.from_blueprint") == "on"


# ------------------------------------------------------------- missed call, call back


@pytest.fixture
def notifications(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Record what the phone app's notify action would show."""
    sent: list[dict[str, Any]] = []

    @callback
    def notify(call: ServiceCall) -> None:
        sent.append(dict(call.data))

    hass.services.async_register("notify", "mobile_app_test_phone", notify)
    return sent


async def test_missed_call_notification_calls_back(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
    notifications: list[dict[str, Any]],
) -> None:
    """A missed call notifies with Call back; pressing it makes 1001 dial the caller."""
    await use_blueprint(
        hass,
        "missed_call_notification.yaml",
        call_events=["event.reception_1000_call"],
        notify_action="notify.mobile_app_test_phone",
        desk_phone="1001",
    )
    answered = await simulator.inbound_call(
        trunk="SIPTrunk1", caller="0611111111", extension="1000"
    )
    await deliver(simulator)
    await simulator.answer(answered, "1000")
    await simulator.hangup(answered)
    await deliver(simulator)
    assert notifications == []

    missed = await simulator.inbound_call(
        trunk="SIPTrunk1", caller=PLUMBER, extension="1000"
    )
    await deliver(simulator)
    await simulator.hangup(missed)
    await deliver(simulator)
    await eventually(lambda: bool(notifications))
    (sent,) = notifications
    assert sent["title"] == "Missed call"
    assert sent["message"] == f"Reception (1000) missed a call from {PLUMBER}."
    (button,) = sent["data"]["actions"]
    assert button["title"] == "Call back"

    hass.bus.async_fire("mobile_app_notification_action", {"action": "SOMETHING"})
    await deliver(simulator)
    assert state(hass, "sensor.sales_1001_status") == "idle"
    hass.bus.async_fire("mobile_app_notification_action", {"action": button["action"]})
    # The desk phone rings first (click-to-call); the PBX then calls the plumber.
    await eventually(
        lambda: any(c.origin == "api" for c in simulator.engine.calls.values())
    )
    (call,) = [c for c in simulator.engine.calls.values() if c.origin == "api"]
    assert (call.caller, call.callee) == ("1001", PLUMBER)
    await deliver(simulator)
    await eventually(lambda: state(hass, "sensor.sales_1001_status") == "ringing")
    await hass.async_block_till_done()  # the automation is done


async def test_missed_call_from_a_hidden_number_has_no_button(
    hass: HomeAssistant,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
    notifications: list[dict[str, Any]],
) -> None:
    """Nothing to call back: the notification says so and offers no button."""
    await use_blueprint(
        hass,
        "missed_call_notification.yaml",
        call_events=["event.reception_1000_call", "event.sales_1001_call"],
        notify_action="notify.mobile_app_test_phone",
        desk_phone="1000",
    )
    call_id = await simulator.inbound_call(
        trunk="SIPTrunk1", caller="", extension="1001"
    )
    await deliver(simulator)
    await simulator.to_voicemail(call_id)
    await deliver(simulator)
    await simulator.hangup(call_id)
    await deliver(simulator)
    await eventually(lambda: bool(notifications))
    (sent,) = notifications
    assert sent["message"] == (
        "Sales (1001) missed a call from a hidden number (voicemail)."
    )
    assert sent["data"]["actions"] == []
    await hass.async_block_till_done()  # nothing waits for a button


# ------------------------------------------------------- ringing: lights and media


class FlashingLight(LightEntity):
    """A light that can flash, and remembers how it was asked to."""

    _attr_color_mode = ColorMode.ONOFF
    _attr_supported_color_modes = {ColorMode.ONOFF}
    _attr_supported_features = LightEntityFeature.FLASH
    _attr_is_on = False

    def __init__(self) -> None:
        """Be the hall light."""
        self._attr_name = "Hall"
        self._attr_unique_id = "hall_light"
        self.turned_on: list[dict[str, Any]] = []

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Note the request."""
        self.turned_on.append(kwargs)


class Speaker(MediaPlayerEntity):
    """A media player that plays or pauses."""

    _attr_supported_features = (
        MediaPlayerEntityFeature.PLAY | MediaPlayerEntityFeature.PAUSE
    )

    def __init__(self, name: str, playing: bool) -> None:
        """Be a named speaker, playing or not."""
        self._attr_name = name
        self._attr_unique_id = name.lower()
        self._attr_state = (
            MediaPlayerState.PLAYING if playing else MediaPlayerState.IDLE
        )

    async def async_media_pause(self) -> None:
        """Pause."""
        self._attr_state = MediaPlayerState.PAUSED
        self.async_write_ha_state()

    async def async_media_play(self) -> None:
        """Play."""
        self._attr_state = MediaPlayerState.PLAYING
        self.async_write_ha_state()


@pytest.fixture
async def light_and_speakers(
    hass: HomeAssistant,
) -> tuple[FlashingLight, Speaker, Speaker]:
    """Set up a light and two speakers (before Home Assistant's web server starts)."""
    light = FlashingLight()
    kitchen, office = Speaker("Kitchen", playing=True), Speaker("Office", playing=False)
    setup_test_component_platform(hass, "light", [light])
    setup_test_component_platform(hass, "media_player", [kitchen, office])
    assert await async_setup_component(hass, "light", {"light": {"platform": "test"}})
    assert await async_setup_component(
        hass, "media_player", {"media_player": {"platform": "test"}}
    )
    await hass.async_block_till_done()
    return light, kitchen, office


async def test_ringing_phone_flashes_and_pauses_then_plays_on(
    hass: HomeAssistant,
    light_and_speakers: tuple[FlashingLight, Speaker, Speaker],
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """The front desk rings: the light flashes, the playing speaker pauses till idle."""
    light = light_and_speakers[0]
    await use_blueprint(
        hass,
        "ringing_phone_lights_and_media.yaml",
        phone="sensor.reception_1000_status",
        lights=["light.hall"],
        media_players=["media_player.kitchen", "media_player.office"],
    )

    call_id = await simulator.inbound_call(
        trunk="SIPTrunk1", caller=PLUMBER, extension="1000"
    )
    await deliver(simulator)
    await eventually(lambda: state(hass, "media_player.kitchen") == "paused")
    assert light.turned_on == [{"flash": "long"}]
    assert state(hass, "media_player.office") == "idle"

    await simulator.answer(call_id, "1000")
    await deliver(simulator)
    assert state(hass, "sensor.reception_1000_status") == "busy"
    assert state(hass, "media_player.kitchen") == "paused"  # still on the phone
    await simulator.hangup(call_id)
    await deliver(simulator)
    await eventually(lambda: state(hass, "media_player.kitchen") == "playing")
    assert state(hass, "media_player.office") == "idle"
    await hass.async_block_till_done()  # the automation is done


async def test_ringing_phone_with_nothing_chosen_does_nothing(
    hass: HomeAssistant, simulator: PbxSimulator, init_integration: MockConfigEntry
) -> None:
    """Without lights or players the blueprint loads and runs to its end."""
    await use_blueprint(
        hass, "ringing_phone_lights_and_media.yaml", phone="sensor.sales_1001_status"
    )
    call_id = await simulator.inbound_call(
        trunk="SIPTrunk1", caller=PLUMBER, extension="1001"
    )
    await deliver(simulator)
    await eventually(
        lambda: hass.states.get("automation.from_blueprint").attributes[  # type: ignore[union-attr]
            "last_triggered"
        ]
        is not None
    )
    await simulator.hangup(call_id)
    await deliver(simulator)
    await hass.async_block_till_done()  # nothing waits
