"""Sensors: each extension's phone state, each trunk's state, and the last report."""

from datetime import datetime

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import EXTENSION_STATES, LOGGER, TRUNK_STATES
from .coordinator import YeastarConfigEntry, YeastarCoordinator
from .entity import (
    YeastarEntity,
    YeastarExtensionEntity,
    async_add_entities_as_items_appear,
    pbx_device_info,
    trunk_device_info,
)
from .pbx.models import Extension, Trunk

# Read-only, coordinator-fed entities: no limit needed.
PARALLEL_UPDATES = 0


def trunk_state(pbx_status: str) -> str | None:
    """Return a PBX trunk status word in lower snake case (None if not a known one)."""
    state = "_".join(pbx_status.strip().lower().split())
    return state if state in TRUNK_STATES else None


async def async_setup_entry(
    hass: HomeAssistant,
    entry: YeastarConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the sensors, and add new ones as extensions and trunks appear."""
    coordinator = entry.runtime_data
    async_add_entities([YeastarLastReportSensor(coordinator)])
    async_add_entities_as_items_appear(
        coordinator,
        lambda data: data.extensions,
        lambda extension: [YeastarExtensionStatusSensor(coordinator, extension)],
        async_add_entities,
    )
    async_add_entities_as_items_appear(
        coordinator,
        lambda data: data.trunks,
        lambda trunk: [YeastarTrunkStatusSensor(coordinator, trunk)],
        async_add_entities,
    )


class YeastarExtensionStatusSensor(YeastarExtensionEntity, SensorEntity):
    """What an extension's phone is doing: idle, ringing, busy, on hold, offline."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = list(EXTENSION_STATES)
    _attr_translation_key = "status"

    def __init__(self, coordinator: YeastarCoordinator, extension: Extension) -> None:
        """Create the status sensor of one extension."""
        super().__init__(coordinator, extension, "status")

    @property
    def native_value(self) -> str | None:
        """Return the phone's state (asked only while available, so it exists)."""
        if (state := self.coordinator.extension_state(self.number)) is None:
            LOGGER.debug(
                "Unknown status %r of extension %s",
                self.coordinator.data.extensions[self.number].status,
                self.number,
            )
        return state

    async def async_added_to_hass(self) -> None:
        """Listen for reports about this extension: they update it at once."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_extension_listener(
                self.number, self._handle_report
            )
        )

    @callback
    def _handle_report(self) -> None:
        """Write the state a report changed."""
        self.async_write_ha_state()


class YeastarTrunkStatusSensor(YeastarEntity, SensorEntity):
    """A trunk's state as the PBX reports it (registered, failure, idle, busy, ...)."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = list(TRUNK_STATES)
    _attr_translation_key = "trunk_status"

    def __init__(self, coordinator: YeastarCoordinator, trunk: Trunk) -> None:
        """Create the status sensor of one trunk."""
        super().__init__(coordinator)
        self.trunk_name = trunk.name
        self._attr_unique_id = f"{coordinator.serial_number}_trunk_{trunk.name}_status"
        self._attr_device_info = trunk_device_info(coordinator, trunk.name, trunk.type)

    @property
    def available(self) -> bool:
        """Return whether the PBX is reachable and the trunk still exists."""
        return super().available and self.trunk_name in self.coordinator.data.trunks

    @property
    def native_value(self) -> str | None:
        """Return the trunk's state (asked only while available, so it exists)."""
        return trunk_state(self.coordinator.data.trunks[self.trunk_name].status)


class YeastarLastReportSensor(YeastarEntity, SensorEntity):
    """When the PBX last pushed a report that Home Assistant accepted."""

    _attr_device_class = SensorDeviceClass.TIMESTAMP
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_translation_key = "last_report"

    def __init__(self, coordinator: YeastarCoordinator) -> None:
        """Create the sensor on the PBX device."""
        super().__init__(coordinator)
        self._attr_unique_id = f"{coordinator.serial_number}_last_report"
        self._attr_device_info = pbx_device_info(coordinator, coordinator.data.device)

    @property
    def native_value(self) -> datetime | None:
        """Return the time of the last accepted report."""
        return self.coordinator.reports.last_report

    async def async_added_to_hass(self) -> None:
        """Update on every accepted report."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_last_report_listener(self._handle_report)
        )

    @callback
    def _handle_report(self) -> None:
        """Write the new time."""
        self.async_write_ha_state()
