"""The Yeastar S-Series integration: extension states pushed live from the PBX.

How the parts fit (README, "How it works"): the PBX's reports come in through the
webhook (``webhook.py``), are checked and parsed by the report path (``reports.py``) and
applied to the office (``office.py``) by the S-Series backend (``sseries.py``), which also
answers the poll (``coordinator.py``) and the actions (``services.py``); entities read the
office. The backend's session (``session.py``) owns the PBX API token. The office also
keeps the call history (``history.py``): the missed-call list (``todo.py``) and each
extension's missed calls and last call (``sensor.py``); every call event goes to the bus
too (``call_events.py``), for the logbook and device triggers.
"""

from collections.abc import Callable
from datetime import datetime

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.event import async_track_time_change
from homeassistant.helpers.typing import ConfigType

from .backoff import LoginsWaiting
from .call_events import async_fire_call_events
from .const import DOMAIN
from .coordinator import YeastarConfigEntry, YeastarCoordinator, YeastarRuntimeData
from .entity import pbx_device_info
from .entry_updates import async_apply_phone_book, async_entry_updated
from .errors import setup_error
from .history import CallHistory
from .names import NameBook
from .pbx import YeastarError
from .reports import ReportPath
from .services import async_setup_services
from .session_store import SessionStore
from .sseries import SSeriesBackend
from .webhook import async_register_webhook
from .wording import async_load_wording

PLATFORMS: list[Platform] = [Platform.EVENT, Platform.SENSOR, Platform.TODO]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, so that they exist even before a PBX is set up."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: YeastarConfigEntry) -> bool:
    """Set up a PBX: listen, log in, read the office, then apply its reports."""
    backend = SSeriesBackend(hass, entry)
    await backend.office.history.async_load()
    entry.async_on_unload(backend.office.history.async_save)
    await async_load_wording(hass)
    async_apply_phone_book(hass, entry, backend.office)
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
    entry.async_on_unload(async_fire_call_events(hass, entry))
    entry.async_on_unload(_async_count_missed_calls_by_day(hass, entry))
    backend.async_start()
    reports.async_start()
    entry.async_on_unload(entry.add_update_listener(async_entry_updated))
    return True


@callback
def _async_count_missed_calls_by_day(
    hass: HomeAssistant, entry: YeastarConfigEntry
) -> Callable[[], None]:
    """Start each extension's count of missed calls again at local midnight."""
    history = entry.runtime_data.office.history

    @callback
    def new_day(_now: datetime) -> None:
        history.new_day()

    return async_track_time_change(hass, new_day, hour=0, minute=0, second=0)


async def async_unload_entry(hass: HomeAssistant, entry: YeastarConfigEntry) -> bool:
    """Unload a PBX; the session logs out and the webhook goes with the entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: YeastarConfigEntry) -> None:
    """Forget what the entry kept on disk: a session left open, the call history."""
    await SessionStore(hass, entry.entry_id).async_forget()
    await CallHistory(hass, entry.entry_id, NameBook()).async_remove()
