"""The Yeastar S-Series integration: extension states pushed live from the PBX.

How the parts fit (README, "How it works"): the PBX's reports come in through the
webhook (``webhook.py``), are checked and parsed by the report path (``reports.py``) and
applied to the office (``office.py``) by the S-Series backend (``sseries.py``), which also
answers the poll (``coordinator.py``) and the actions (``services.py``); entities read the
office. The backend's session (``session.py``) owns the PBX API token.
"""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .backoff import LoginsWaiting
from .const import DOMAIN
from .coordinator import YeastarConfigEntry, YeastarCoordinator, YeastarRuntimeData
from .entity import pbx_device_info
from .entry_updates import async_entry_updated
from .errors import setup_error
from .pbx import YeastarError
from .reports import ReportPath
from .services import async_setup_services
from .session_store import SessionStore
from .sseries import SSeriesBackend
from .webhook import async_register_webhook

PLATFORMS: list[Platform] = [Platform.EVENT, Platform.SENSOR]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, so that they exist even before a PBX is set up."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: YeastarConfigEntry) -> bool:
    """Set up a PBX: listen, log in, read the office, then apply its reports."""
    backend = SSeriesBackend(hass, entry)
    reports = ReportPath(hass, entry, backend.apply_report)
    coordinator = YeastarCoordinator(hass, entry, backend)
    backend.request_poll = coordinator.async_request_poll
    backend.on_relogin = reports.async_re_resolve
    entry.async_on_unload(backend.async_shutdown)
    # Listen before logging in: the PBX posts as soon as it knows where to. Reports that
    # arrive before the entry is set up wait in the report path until it is.
    async_register_webhook(hass, entry, reports)
    await reports.async_resolve()
    try:
        identity = await backend.async_connect()
    except (YeastarError, LoginsWaiting) as err:
        raise setup_error(err) from err
    if entry.unique_id and identity.serial_number != entry.unique_id:
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="wrong_device",
            translation_placeholders={
                "expected": entry.unique_id,
                "found": identity.serial_number,
            },
        )
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = YeastarRuntimeData(
        backend=backend,
        coordinator=coordinator,
        reports=reports,
        entry_data=dict(entry.data),
    )
    entry.runtime_data.pbx_device_id = (
        dr.async_get(hass)
        .async_get_or_create(
            config_entry_id=entry.entry_id,
            **pbx_device_info(entry, coordinator.data.identity),
        )
        .id
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    backend.async_start()
    reports.async_start()
    entry.async_on_unload(entry.add_update_listener(async_entry_updated))
    return True


async def async_unload_entry(hass: HomeAssistant, entry: YeastarConfigEntry) -> bool:
    """Unload a PBX; the session logs out and the webhook goes with the entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: YeastarConfigEntry) -> None:
    """Forget what the entry kept on disk (the token of a session left open)."""
    await SessionStore(hass, entry.entry_id).async_forget()
