"""The reconciliation poll, and what a loaded entry holds.

State arrives two ways. The PBX pushes reports (``webhook.py`` -> ``reports.py`` -> the
backend -> ``office.py``), each touching only the entities it concerns. This coordinator
re-reads the whole office now and then (60 s by default) as a safety net: its result is
the truth, replaces what was pushed before it read the phones (not what came while it
was on its way), notifies every entity, and tells which
extensions and trunks appeared or were deleted on the PBX.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from .backoff import LoginsWaiting
from .compat import async_get_entry_device
from .const import CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL, LOGGER
from .errors import update_error
from .identifiers import extension_identifier, trunk_identifier
from .office import Office, OfficeInventory
from .pbx import YeastarError
from .reports import ReportPath
from .sseries import SSeriesBackend


@dataclass(slots=True, kw_only=True)
class YeastarRuntimeData:
    """What a loaded entry holds: its PBX, the poll, and the report path."""

    backend: SSeriesBackend
    coordinator: "YeastarCoordinator"
    reports: ReportPath
    # The entry data the session logged in with: other data need a reload.
    entry_data: dict[str, Any] = field(default_factory=dict)
    # The PBX's own device in the registry: the parent of every other device.
    pbx_device_id: str = ""

    @property
    def office(self) -> Office:
        """Return the office the entities read."""
        return self.backend.office

    @property
    def serial_number(self) -> str:
        """Return the PBX's serial number (the entry's unique id)."""
        return self.reports.serial_number


type YeastarConfigEntry = ConfigEntry[YeastarRuntimeData]


def poll_interval(options: Mapping[str, Any]) -> timedelta:
    """Return the poll interval the options ask for."""
    return timedelta(seconds=options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL))


class YeastarCoordinator(DataUpdateCoordinator[OfficeInventory]):
    """Re-read the office now and then; the pushed reports do the rest."""

    config_entry: YeastarConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: YeastarConfigEntry,
        backend: SSeriesBackend,
    ) -> None:
        """Poll an entry's PBX through its backend."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"Yeastar {entry.title}",
            update_interval=poll_interval(entry.options),
        )
        self._backend = backend
        self.serial_number: str = entry.unique_id or ""

    @callback
    def async_request_poll(self) -> None:
        """Poll soon (debounced): the PBX changed in a way no report describes."""
        self.config_entry.async_create_background_task(
            self.hass, self.async_request_refresh(), "yeastar_poll"
        )

    async def _async_update_data(self) -> OfficeInventory:
        """Re-read every extension and trunk (the safety net behind the reports).

        While logins wait out a back-off, or after rejected credentials, this fails
        without a request to the PBX.
        """
        try:
            inventory = await self._backend.async_read_inventory()
        except (YeastarError, LoginsWaiting) as err:
            raise update_error(err) from err
        if self.data is not None:
            self._remove_stale_devices(self.data, inventory)
        self._backend.office.load(inventory)
        return inventory

    def _remove_stale_devices(self, old: OfficeInventory, new: OfficeInventory) -> None:
        """Drop the devices of extensions and trunks deleted on the PBX."""
        serial = self.serial_number
        gone = [
            extension_identifier(serial, number)
            for number in old.extensions.keys() - new.extensions.keys()
        ] + [
            trunk_identifier(serial, name)
            for name in old.trunks.keys() - new.trunks.keys()
        ]
        registry = dr.async_get(self.hass)
        for identifier in gone:
            if device := async_get_entry_device(
                registry, identifier, self.config_entry.entry_id
            ):
                LOGGER.debug("Removing device %s: deleted on the PBX", identifier[1])
                registry.async_remove_device(device.id)
