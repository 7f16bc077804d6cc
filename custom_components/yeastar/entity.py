"""Base entities and the devices they belong to: the PBX, its extensions, its trunks."""

from collections.abc import Callable, Iterable, Mapping

from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from yarl import URL

from .compat import with_parent_device
from .const import DOMAIN
from .coordinator import YeastarCoordinator, YeastarData
from .pbx.models import DeviceInfo as PbxDeviceInfo, Extension

MANUFACTURER = "Yeastar"


def pbx_device_info(
    coordinator: YeastarCoordinator, device: PbxDeviceInfo
) -> DeviceInfo:
    """Return the device of the PBX itself."""
    data = coordinator.config_entry.data
    return DeviceInfo(
        identifiers={(DOMAIN, coordinator.serial_number)},
        manufacturer=MANUFACTURER,
        model=device.model or None,
        name=device.model or coordinator.config_entry.title,
        serial_number=device.serial_number,
        sw_version=device.firmware_version or None,
        hw_version=device.hardware_version or None,
        configuration_url=str(
            URL.build(
                scheme="https" if data[CONF_SSL] else "http",
                host=data[CONF_HOST],
                port=data[CONF_PORT],
            )
        ),
    )


def extension_device_name(extension: Extension) -> str:
    """Return an extension device's name: who uses it, and its number."""
    if extension.name and extension.name != extension.number:
        return f"{extension.name} ({extension.number})"
    return f"Extension {extension.number}"


def extension_device_info(
    coordinator: YeastarCoordinator, extension: Extension
) -> DeviceInfo:
    """Return the device of one extension, attached to the PBX."""
    return _attached_to_pbx(
        coordinator,
        DeviceInfo(
            identifiers={(DOMAIN, f"{coordinator.serial_number}_{extension.number}")},
            manufacturer=MANUFACTURER,
            model=f"{extension.type} extension" if extension.type else "Extension",
            name=extension_device_name(extension),
        ),
    )


def trunk_device_info(
    coordinator: YeastarCoordinator, trunk_name: str, kind: str
) -> DeviceInfo:
    """Return the device of one trunk, attached to the PBX."""
    return _attached_to_pbx(
        coordinator,
        DeviceInfo(
            identifiers={(DOMAIN, f"{coordinator.serial_number}_trunk_{trunk_name}")},
            manufacturer=MANUFACTURER,
            model=f"{kind} trunk" if kind else "Trunk",
            name=trunk_name,
        ),
    )


def _attached_to_pbx(coordinator: YeastarCoordinator, info: DeviceInfo) -> DeviceInfo:
    """Return device info attached to the PBX's device."""
    return with_parent_device(
        info, (DOMAIN, coordinator.serial_number), coordinator.pbx_device_id
    )


class YeastarEntity(CoordinatorEntity[YeastarCoordinator]):
    """An entity of the Yeastar integration."""

    _attr_has_entity_name = True


class YeastarExtensionEntity(YeastarEntity):
    """An entity of one extension."""

    def __init__(
        self, coordinator: YeastarCoordinator, extension: Extension, key: str
    ) -> None:
        """Attach the entity to the extension's device."""
        super().__init__(coordinator)
        self.number = extension.number
        self._attr_unique_id = f"{coordinator.serial_number}_{extension.number}_{key}"
        self._attr_device_info = extension_device_info(coordinator, extension)

    @property
    def available(self) -> bool:
        """Return whether the PBX is reachable and the extension still exists."""
        return super().available and self.number in self.coordinator.data.extensions


@callback
def async_add_entities_as_items_appear[_ItemT](
    coordinator: YeastarCoordinator,
    items: Callable[[YeastarData], Mapping[str, _ItemT]],
    create: Callable[[_ItemT], Iterable[Entity]],
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add entities for every item now, and for items that appear in later polls.

    An item deleted on the PBX is forgotten here too (its device is removed by the
    coordinator), so that it gets new entities if it comes back.
    """
    known: set[str] = set()

    @callback
    def add_new_items() -> None:
        current = items(coordinator.data)
        known.intersection_update(current)
        new = [key for key in current if key not in known]
        if not new:
            return
        known.update(new)
        async_add_entities(entity for key in new for entity in create(current[key]))

    add_new_items()
    coordinator.config_entry.async_on_unload(
        coordinator.async_add_listener(add_new_items)
    )
