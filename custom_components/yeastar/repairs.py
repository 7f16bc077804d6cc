"""Repair flows: the fixes Home Assistant can apply for the user from the Repairs page.

Home Assistant's repairs component loads this module as the integration's repairs
platform. Fixable issues (``issues.py``):

- a changed certificate: shows the fingerprint the PBX presents now; trusting it pins
  that certificate (after logging in with it to prove it is the same PBX) and reloads;
- reports from an unexpected address: accepting the address adds it to the options, so
  that the PBX's reports from it are applied from then on.

Every other issue of this integration gets Home Assistant's plain confirmation.
"""

from typing import Any

from homeassistant import data_entry_flow
from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
import voluptuous as vol

from . import issues
from .connection import async_read_device_info
from .const import CONF_REPORT_ADDRESSES, CONF_TLS_FINGERPRINT, DOMAIN
from .coordinator import YeastarConfigEntry
from .entry_updates import async_store_connection
from .pbx import (
    YeastarConnectionError,
    YeastarError,
    fetch_certificate_fingerprint,
    format_fingerprint,
)


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Return the flow that fixes one of this integration's issues."""
    entry_id = str((data or {}).get(issues.DATA_ENTRY_ID, ""))
    entry: YeastarConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is not None and entry.domain == DOMAIN:
        if issue_id == issues.issue_id(issues.CERTIFICATE_CHANGED, entry):
            return TrustNewCertificateFlow(entry)
        if issue_id == issues.issue_id(issues.UNEXPECTED_REPORT_ADDRESS, entry):
            return AcceptReportAddressFlow(
                entry, str((data or {})[issues.DATA_ADDRESS])
            )
    return ConfirmRepairFlow()


class _EntryRepairFlow(RepairsFlow):
    """A fix of one entry: a question to confirm, about that entry's PBX."""

    def __init__(self, entry: YeastarConfigEntry) -> None:
        """Fix an issue of one entry."""
        self._entry = entry

    def _ask(self, **placeholders: str) -> data_entry_flow.FlowResult:
        """Show the confirmation, naming the entry and its PBX's address."""
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            description_placeholders={
                "title": self._entry.title,
                "host": self._entry.data[CONF_HOST],
                **placeholders,
            },
        )


class TrustNewCertificateFlow(_EntryRepairFlow):
    """Show the certificate the PBX presents now, and pin it when the user trusts it."""

    _fingerprint = ""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> data_entry_flow.FlowResult:
        """Read the certificate the PBX presents now."""
        try:
            self._fingerprint = await fetch_certificate_fingerprint(
                self._entry.data[CONF_HOST], self._entry.data[CONF_PORT]
            )
        except YeastarConnectionError as err:
            return self.async_abort(
                reason="cannot_connect", description_placeholders={"error": str(err)}
            )
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> data_entry_flow.FlowResult:
        """Ask whether to trust the certificate; log in with it before pinning it."""
        if user_input is None:
            return self._ask(
                port=str(self._entry.data[CONF_PORT]),
                fingerprint=format_fingerprint(self._fingerprint),
            )
        data = {**self._entry.data, CONF_TLS_FINGERPRINT: self._fingerprint}
        try:
            device = await async_read_device_info(self.hass, data)
        except YeastarError as err:
            return self.async_abort(
                reason="cannot_connect", description_placeholders={"error": str(err)}
            )
        if device.serial_number != self._entry.unique_id:
            return self.async_abort(
                reason="unique_id_mismatch",
                description_placeholders={"found": device.serial_number},
            )
        async_store_connection(self.hass, self._entry, data)
        return self.async_create_entry(data={})


class AcceptReportAddressFlow(_EntryRepairFlow):
    """Accept the PBX's reports from an address other than the PBX's own."""

    def __init__(self, entry: YeastarConfigEntry, address: str) -> None:
        """Accept one address for one entry."""
        super().__init__(entry)
        self._address = address

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> data_entry_flow.FlowResult:
        """Start with the question (the repairs component passes no user input here)."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> data_entry_flow.FlowResult:
        """Ask whether the address is the PBX's; store it in the options if so."""
        if user_input is None:
            return self._ask(address=self._address)
        accepted = set(self._entry.options.get(CONF_REPORT_ADDRESSES, ()))
        self.hass.config_entries.async_update_entry(
            self._entry,
            options={
                **self._entry.options,
                CONF_REPORT_ADDRESSES: sorted(accepted | {self._address}),
            },
        )
        return self.async_create_entry(data={})
