"""Device identifiers and entity unique ids: the one place their formulas live.

The contract (design.md section 5): the PBX's device is ``(yeastar, sn)``, an extension's
``(yeastar, f"{sn}_{number}")``, a trunk's ``(yeastar, f"{sn}_trunk_{name}")``; an entity's
unique id is its device's identifier followed by ``_{key}``.
"""

from .const import DOMAIN


def pbx_identifier(serial_number: str) -> tuple[str, str]:
    """Return the device identifier of the PBX itself."""
    return (DOMAIN, serial_number)


def extension_identifier(serial_number: str, number: str) -> tuple[str, str]:
    """Return the device identifier of an extension."""
    return (DOMAIN, f"{serial_number}_{number}")


def trunk_identifier(serial_number: str, name: str) -> tuple[str, str]:
    """Return the device identifier of a trunk."""
    return (DOMAIN, f"{serial_number}_trunk_{name}")


def unique_id(device: tuple[str, str], key: str) -> str:
    """Return the unique id of a device's entity with a description key."""
    return f"{device[1]}_{key}"


def extension_of(device: tuple[str, str], serial_number: str) -> str | None:
    """Return the extension number a device identifier names, None if not an extension."""
    domain, name = device
    prefix = f"{serial_number}_"
    if domain != DOMAIN or not name.startswith(prefix):
        return None
    if name.startswith(f"{prefix}trunk_"):
        return None
    return name.removeprefix(prefix) or None
