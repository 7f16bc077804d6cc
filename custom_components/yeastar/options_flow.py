"""Options of a PBX entry: the reconciliation poll, and where reports go and come from.

The options are stored as soon as they are submitted, whether the PBX answers or not;
the entry's update listener applies them (``entry_updates.py``).
"""

from collections.abc import Mapping
import ipaddress
from typing import Any, Final

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.const import UnitOfTime
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
)
import voluptuous as vol

from .const import (
    CONF_CALLBACK_HOST,
    CONF_CALLBACK_PORT,
    CONF_POLL_INTERVAL,
    CONF_REPORT_ADDRESSES,
    DEFAULT_POLL_INTERVAL,
    MAX_POLL_INTERVAL,
    MIN_POLL_INTERVAL,
)

PORT_SELECTOR: Final = vol.All(
    NumberSelector(
        NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX)
    ),
    vol.Coerce(int),
)
OPTIONS_SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_POLL_INTERVAL, default=DEFAULT_POLL_INTERVAL): vol.All(
            NumberSelector(
                NumberSelectorConfig(
                    min=MIN_POLL_INTERVAL,
                    max=MAX_POLL_INTERVAL,
                    step=1,
                    mode=NumberSelectorMode.BOX,
                    unit_of_measurement=UnitOfTime.SECONDS,
                )
            ),
            vol.Coerce(int),
        ),
        vol.Optional(CONF_CALLBACK_HOST): TextSelector(),
        vol.Optional(CONF_CALLBACK_PORT): PORT_SELECTOR,
        vol.Optional(CONF_REPORT_ADDRESSES): TextSelector(
            TextSelectorConfig(multiple=True)
        ),
    }
)


def clean_options(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return the options to store: text stripped, empty optional fields left out."""
    options: dict[str, Any] = {}
    for key, value in user_input.items():
        if isinstance(value, str):
            value = value.strip()
        elif isinstance(value, list):
            value = sorted({str(item).strip() for item in value} - {""})
        if value not in ("", None, []):
            options[key] = value
    return options


def options_errors(options: Mapping[str, Any]) -> dict[str, str]:
    """Return the options form's errors: the PBX takes IP addresses only, no names."""
    errors: dict[str, str] = {}
    host = options.get(CONF_CALLBACK_HOST)
    if host is not None and not is_ip_address(host):
        errors[CONF_CALLBACK_HOST] = "invalid_callback_host"
    if not all(is_ip_address(text) for text in options.get(CONF_REPORT_ADDRESSES, ())):
        errors[CONF_REPORT_ADDRESSES] = "invalid_report_address"
    return errors


def is_ip_address(text: str) -> bool:
    """Tell whether a text is an IPv4 or IPv6 address (the PBX takes no host names)."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class YeastarOptionsFlow(OptionsFlow):
    """Tune the reconciliation poll and where the PBX posts its reports."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Edit the options; they are stored, then a loaded entry applies them at once."""
        errors: dict[str, str] = {}
        suggested: Mapping[str, Any] = self.config_entry.options
        if user_input is not None:
            options = clean_options(user_input)
            errors = options_errors(options)
            if not errors:
                return self.async_create_entry(data=options)
            suggested = user_input
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(OPTIONS_SCHEMA, suggested),
            errors=errors,
        )
