"""Sensors: each extension's phone, missed calls and last call; trunks; the last report."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .const import TRUNK_STATES
from .coordinator import YeastarConfigEntry, YeastarRuntimeData
from .entity import (
    YeastarEntity,
    YeastarEntityDescription,
    YeastarExtensionEntity,
    YeastarTrunkEntity,
    async_add_extension_entities,
    async_add_trunk_entities,
    pbx_device_info,
)
from .office import Office, PhoneState, TrunkInfo

# Read-only, coordinator-fed entities: no limit needed.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class ExtensionSensorDescription(SensorEntityDescription, YeastarEntityDescription):
    """A sensor of every extension (that ``exists_fn`` accepts), its value from the office."""

    value_fn: Callable[[Office, str], StateType | datetime]
    attributes_fn: Callable[[Office, str], Mapping[str, Any] | None] = (
        lambda _office, _number: None
    )


@dataclass(frozen=True, kw_only=True)
class TrunkSensorDescription(SensorEntityDescription, YeastarEntityDescription):
    """A sensor of every trunk."""

    value_fn: Callable[[TrunkInfo], StateType]


@dataclass(frozen=True, kw_only=True)
class PbxSensorDescription(SensorEntityDescription, YeastarEntityDescription):
    """A sensor of the PBX itself."""

    value_fn: Callable[[YeastarRuntimeData], StateType | datetime]


EXTENSION_SENSORS: tuple[ExtensionSensorDescription, ...] = (
    ExtensionSensorDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in PhoneState],
        value_fn=lambda office, number: office.phone_state(number),
        listen=lambda runtime, number, listener: runtime.office.listen_phone(
            number, listener
        ),
    ),
    ExtensionSensorDescription(
        key="missed_calls",
        translation_key="missed_calls",
        state_class=SensorStateClass.TOTAL_INCREASING,
        needs_pbx=False,
        value_fn=lambda office, number: office.history.missed_today(number),
        listen=lambda runtime, number, listener: runtime.office.history.listen(
            number, listener
        ),
    ),
    ExtensionSensorDescription(
        key="last_call",
        translation_key="last_call",
        device_class=SensorDeviceClass.TIMESTAMP,
        needs_pbx=False,
        value_fn=lambda office, number: last_call_time(office, number),
        attributes_fn=lambda office, number: last_call_details(office, number),
        listen=lambda runtime, number, listener: runtime.office.history.listen(
            number, listener
        ),
    ),
)


def last_call_time(office: Office, number: str) -> datetime | None:
    """Return when an extension's last call started (None before its first)."""
    if (call := office.history.last_calls.get(number)) is None:
        return None
    return datetime.fromisoformat(call.when)


def last_call_details(office: Office, number: str) -> dict[str, Any] | None:
    """Return who an extension's last call was with, which way, how long, how it ended.

    ``outcome`` is one of ``history.LAST_CALL_OUTCOMES``.
    """
    if (call := office.history.last_calls.get(number)) is None:
        return None
    return {
        "number": call.number,
        "name": office.names.name_of(call.number),
        "direction": call.direction,
        "duration": call.duration,
        "outcome": call.outcome,
    }


TRUNK_SENSORS: tuple[TrunkSensorDescription, ...] = (
    TrunkSensorDescription(
        key="status",
        translation_key="trunk_status",
        device_class=SensorDeviceClass.ENUM,
        options=list(TRUNK_STATES),
        value_fn=lambda trunk: trunk.state,
    ),
)

PBX_SENSORS: tuple[PbxSensorDescription, ...] = (
    PbxSensorDescription(
        key="last_report",
        translation_key="last_report",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda runtime: runtime.reports.counters.last_report,
        listen=lambda runtime, _key, listener: runtime.reports.listen_last_report(
            listener
        ),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: YeastarConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the sensors, and add new ones as extensions and trunks appear."""
    runtime = entry.runtime_data
    pbx = pbx_device_info(entry, runtime.coordinator.data.identity)
    async_add_entities(
        YeastarPbxSensor(runtime, description, pbx) for description in PBX_SENSORS
    )
    async_add_extension_entities(
        entry, EXTENSION_SENSORS, YeastarExtensionSensor, async_add_entities
    )
    async_add_trunk_entities(
        entry, TRUNK_SENSORS, YeastarTrunkSensor, async_add_entities
    )


class YeastarExtensionSensor(YeastarExtensionEntity, SensorEntity):
    """A sensor of one extension, from its description."""

    entity_description: ExtensionSensorDescription

    @property
    def native_value(self) -> StateType | datetime:
        """Return the value (asked only while available, so the extension exists)."""
        return self.entity_description.value_fn(self.office, self.key)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Return the details the description gives (the last call's)."""
        return self.entity_description.attributes_fn(self.office, self.key)


class YeastarTrunkSensor(YeastarTrunkEntity, SensorEntity):
    """A sensor of one trunk, from its description."""

    entity_description: TrunkSensorDescription

    @property
    def native_value(self) -> StateType:
        """Return the value (asked only while available, so the trunk exists)."""
        return self.entity_description.value_fn(self.office.inventory.trunks[self.key])


class YeastarPbxSensor(YeastarEntity, SensorEntity):
    """A sensor of the PBX, from its description."""

    entity_description: PbxSensorDescription

    @property
    def native_value(self) -> StateType | datetime:
        """Return the value."""
        return self.entity_description.value_fn(self.runtime)
