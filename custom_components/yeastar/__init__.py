"""The Yeastar S-Series integration: extension states pushed live from the PBX."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN
from .coordinator import YeastarConfigEntry, YeastarCoordinator
from .entity import pbx_device_info
from .entry_updates import async_entry_updated
from .services import async_setup_services
from .session_store import SessionStore
from .webhook import async_register_webhook

PLATFORMS: list[Platform] = [Platform.EVENT, Platform.SENSOR]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, so that they exist even before a PBX is set up."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: YeastarConfigEntry) -> bool:
    """Set up a PBX: log in, read the office, then listen for its reports."""
    coordinator = YeastarCoordinator(hass, entry)
    # Listen before logging in: the PBX posts as soon as it knows where to. Reports
    # that arrive before the first refresh wait in the coordinator until it is done.
    async_register_webhook(hass, entry, coordinator)
    await coordinator.async_connect()
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = coordinator
    coordinator.pbx_device_id = (
        dr.async_get(hass)
        .async_get_or_create(
            config_entry_id=entry.entry_id,
            **pbx_device_info(coordinator, coordinator.data.device),
        )
        .id
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    coordinator.async_start()
    entry.async_on_unload(entry.add_update_listener(async_entry_updated))
    return True


async def async_unload_entry(hass: HomeAssistant, entry: YeastarConfigEntry) -> bool:
    """Unload a PBX; the coordinator logs out and the webhook goes with the entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: YeastarConfigEntry) -> None:
    """Forget what the entry kept on disk (the token of a session left open)."""
    await SessionStore(hass, entry.entry_id).async_forget()
