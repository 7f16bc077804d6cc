"""Home Assistant APIs that changed inside the supported range, in one place.

The integration supports Home Assistant 2025.4 up to the newest release. Where a newer
release replaced an API, the replacement is used when it exists and the old API
otherwise, so that no release logs a deprecation about this integration:

- a device's parent: ``via_device`` (an identifier) gave way to ``via_device_id`` (the
  parent's registry id); the old field stops working in 2027.8;
- finding a device: ``async_get_device(identifiers=...)`` gave way to
  ``async_get_device_by_identifier(identifier, config_entry_id)`` once identifiers
  became unique per config entry only;
- a device's config entries: ``DeviceEntry.config_entries`` (a set) gave way to
  ``DeviceEntry.config_entry_id`` once a device belongs to one entry (the set is
  deprecated, gone in 2027.10).
"""

from typing import Any, Final, cast

from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo

HAS_VIA_DEVICE_ID: Final = "via_device_id" in DeviceInfo.__annotations__


def with_parent_device(
    info: DeviceInfo, parent_identifier: tuple[str, str], parent_device_id: str
) -> DeviceInfo:
    """Return device info attached to its parent device (the PBX)."""
    fields = cast("dict[str, Any]", info)
    if HAS_VIA_DEVICE_ID:
        fields["via_device_id"] = parent_device_id
    else:
        fields["via_device"] = parent_identifier
    return info


def async_get_entry_device(
    registry: dr.DeviceRegistry, identifier: tuple[str, str], config_entry_id: str
) -> dr.DeviceEntry | None:
    """Return the device of a config entry that has an identifier, if registered."""
    by_identifier = getattr(registry, "async_get_device_by_identifier", None)
    if by_identifier is not None:
        return cast("dr.DeviceEntry | None", by_identifier(identifier, config_entry_id))
    device = registry.async_get_device(identifiers={identifier})
    if device is None or config_entry_id not in device_entry_ids(device):
        return None
    return device


def device_entry_ids(device: dr.DeviceEntry) -> set[str]:
    """Return the ids of the config entries a device belongs to."""
    if (entry_id := getattr(device, "config_entry_id", None)) is not None:
        return {str(entry_id)}
    return set(device.config_entries)
