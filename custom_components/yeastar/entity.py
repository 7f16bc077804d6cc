"""Base entities, their descriptions, and the devices they belong to.

Three kinds of device: the PBX, one per extension and one per trunk, each extension's and
trunk's attached to the PBX's. An entity comes from a description (its key makes the unique
id, ``identifiers.py``); a description may say which pushed changes the entity shows
(``listen``): the entity then listens to exactly those, and writes its state when one comes.
Every entity also follows the poll (it is a coordinator entity).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL
from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from yarl import URL

from .compat import with_parent_device
from .coordinator import YeastarConfigEntry, YeastarCoordinator, YeastarRuntimeData
from .identifiers import (
    extension_identifier,
    pbx_identifier,
    trunk_identifier,
    unique_id,
)
from .office import ExtensionInfo, Office, OfficeInventory, PbxIdentity, TrunkInfo

MANUFACTURER = "Yeastar"

type Listen = Callable[[YeastarRuntimeData, str, Callable[..., None]], CALLBACK_TYPE]


def pbx_device_info(entry: YeastarConfigEntry, identity: PbxIdentity) -> DeviceInfo:
    """Return the device of the PBX itself."""
    return DeviceInfo(
        identifiers={pbx_identifier(identity.serial_number)},
        manufacturer=MANUFACTURER,
        model=identity.model or None,
        name=identity.model or entry.title,
        serial_number=identity.serial_number,
        sw_version=identity.firmware or None,
        hw_version=identity.hardware or None,
        configuration_url=str(
            URL.build(
                scheme="https" if entry.data[CONF_SSL] else "http",
                host=entry.data[CONF_HOST],
                port=entry.data[CONF_PORT],
            )
        ),
    )


def extension_device_name(extension: ExtensionInfo) -> str:
    """Return an extension device's name: who uses it, and its number."""
    if extension.name and extension.name != extension.number:
        return f"{extension.name} ({extension.number})"
    return f"Extension {extension.number}"


def _attached_to_pbx(runtime: YeastarRuntimeData, info: DeviceInfo) -> DeviceInfo:
    """Return device info attached to the PBX's device."""
    return with_parent_device(
        info, pbx_identifier(runtime.serial_number), runtime.pbx_device_id
    )


def extension_device_info(
    runtime: YeastarRuntimeData, extension: ExtensionInfo
) -> DeviceInfo:
    """Return the device of one extension."""
    return _attached_to_pbx(
        runtime,
        DeviceInfo(
            identifiers={extension_identifier(runtime.serial_number, extension.number)},
            manufacturer=MANUFACTURER,
            model=f"{extension.kind} extension" if extension.kind else "Extension",
            name=extension_device_name(extension),
        ),
    )


def trunk_device_info(runtime: YeastarRuntimeData, trunk: TrunkInfo) -> DeviceInfo:
    """Return the device of one trunk."""
    return _attached_to_pbx(
        runtime,
        DeviceInfo(
            identifiers={trunk_identifier(runtime.serial_number, trunk.name)},
            manufacturer=MANUFACTURER,
            model=f"{trunk.kind} trunk" if trunk.kind else "Trunk",
            name=trunk.name,
        ),
    )


@dataclass(frozen=True, kw_only=True)
class YeastarEntityDescription(EntityDescription):
    """What every entity of the integration is: its key, and what it listens to."""

    # Subscribes an entity to the pushed changes it shows: (runtime data, the item's
    # key, the listener) -> remover. None: the entity follows the poll only.
    listen: Listen | None = None
    # Whether an item (an extension, a trunk) has this entity.
    exists_fn: Callable[[Any], bool] = lambda _item: True
    # False: what the entity shows is kept in Home Assistant (the call history), so it
    # stays available while the PBX cannot be reached.
    needs_pbx: bool = True


class YeastarEntity(CoordinatorEntity[YeastarCoordinator]):
    """An entity of one device: the PBX, an extension or a trunk."""

    _attr_has_entity_name = True
    entity_description: YeastarEntityDescription

    def __init__(
        self,
        runtime: YeastarRuntimeData,
        description: YeastarEntityDescription,
        device: DeviceInfo,
        key: str = "",
    ) -> None:
        """Attach the entity to its device; ``key`` names its item (number, trunk)."""
        super().__init__(runtime.coordinator)
        self.runtime = runtime
        # The office this entity shows a part of (the backend's, for the entry's life);
        # read at every state write.
        self.office: Office = runtime.office
        self.entity_description = description
        self.key = key
        (identifier,) = device["identifiers"]
        self._attr_unique_id = unique_id(identifier, description.key)
        self._attr_device_info = device

    @property
    def available(self) -> bool:
        """Return whether the entity can show its state (the PBX answers, if needed)."""
        return super().available or not self.entity_description.needs_pbx

    async def async_added_to_hass(self) -> None:
        """Listen for the pushed changes the entity shows, as well as for the poll."""
        await super().async_added_to_hass()
        if (listen := self.entity_description.listen) is not None:
            self.async_on_remove(listen(self.runtime, self.key, self._handle_push))

    @callback
    def _handle_push(self, *args: Any) -> None:
        """Write the state a pushed change changed."""
        self.async_write_ha_state()


class YeastarExtensionEntity(YeastarEntity):
    """An entity of one extension."""

    def __init__(
        self,
        runtime: YeastarRuntimeData,
        description: YeastarEntityDescription,
        extension: ExtensionInfo,
    ) -> None:
        """Attach the entity to the extension's device."""
        super().__init__(
            runtime,
            description,
            extension_device_info(runtime, extension),
            extension.number,
        )

    @property
    def available(self) -> bool:
        """Return whether the PBX is reachable and the extension still exists."""
        return super().available and self.key in self.office.inventory.extensions


class YeastarTrunkEntity(YeastarEntity):
    """An entity of one trunk."""

    def __init__(
        self,
        runtime: YeastarRuntimeData,
        description: YeastarEntityDescription,
        trunk: TrunkInfo,
    ) -> None:
        """Attach the entity to the trunk's device."""
        super().__init__(
            runtime, description, trunk_device_info(runtime, trunk), trunk.name
        )

    @property
    def available(self) -> bool:
        """Return whether the PBX is reachable and the trunk still exists."""
        return super().available and self.key in self.office.inventory.trunks


@callback
def async_add_extension_entities[DescriptionT: YeastarEntityDescription](
    entry: YeastarConfigEntry,
    descriptions: Iterable[DescriptionT],
    entity: Callable[[YeastarRuntimeData, DescriptionT, ExtensionInfo], Entity],
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an entity per description for every extension, now and as extensions appear."""
    _async_add_as_items_appear(
        entry,
        lambda inventory: inventory.extensions,
        descriptions,
        entity,
        async_add_entities,
    )


@callback
def async_add_trunk_entities[DescriptionT: YeastarEntityDescription](
    entry: YeastarConfigEntry,
    descriptions: Iterable[DescriptionT],
    entity: Callable[[YeastarRuntimeData, DescriptionT, TrunkInfo], Entity],
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an entity per description for every trunk, now and as trunks appear."""
    _async_add_as_items_appear(
        entry,
        lambda inventory: inventory.trunks,
        descriptions,
        entity,
        async_add_entities,
    )


@callback
def _async_add_as_items_appear[ItemT, DescriptionT: YeastarEntityDescription](
    entry: YeastarConfigEntry,
    items: Callable[[OfficeInventory], Mapping[str, ItemT]],
    descriptions: Iterable[DescriptionT],
    entity: Callable[[YeastarRuntimeData, DescriptionT, ItemT], Entity],
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add entities for every item now, and for items that appear in later polls.

    An item deleted on the PBX is forgotten here too (its device is removed by the
    coordinator), so that it gets new entities if it comes back.
    """
    runtime = entry.runtime_data
    kinds = tuple(descriptions)
    known: set[str] = set()

    @callback
    def add_new_items() -> None:
        current = items(runtime.coordinator.data)
        known.intersection_update(current)
        new = [key for key in current if key not in known]
        if not new:
            return
        known.update(new)
        async_add_entities(
            entity(runtime, description, current[key])
            for key in new
            for description in kinds
            if description.exists_fn(current[key])
        )

    add_new_items()
    entry.async_on_unload(runtime.coordinator.async_add_listener(add_new_items))
