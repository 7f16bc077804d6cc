"""Options of a PBX entry: the poll, where reports go and come from, and the phone book.

A menu leads to the settings (the poll, the callback address, other report addresses,
the country calling code) and to the phone book: numbers with the names to show for
them (add one, change one, remove some). The options are stored as soon as they are
submitted, whether the PBX answers or not; the entry's update listener applies them
(``entry_updates.py``).
"""

from collections.abc import Mapping
import ipaddress
import re
from typing import Any, Final

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.const import UnitOfTime
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .const import (
    CONF_CALLBACK_HOST,
    CONF_CALLBACK_PORT,
    CONF_COUNTRY_CODE,
    CONF_PHONE_BOOK,
    CONF_POLL_INTERVAL,
    CONF_REPORT_ADDRESSES,
    DEFAULT_POLL_INTERVAL,
    MAX_POLL_INTERVAL,
    MIN_POLL_INTERVAL,
)
from .entry_updates import office_calling_code
from .names import number_key, with_name

CONF_NUMBER: Final = "number"
CONF_NAME: Final = "name"
CONF_NUMBERS: Final = "numbers"
# What a phone number may be written with: digits, a leading +, separators, * and #.
# ASCII digits and separators only, as the PBX writes numbers; lengths keep a phone
# book entry to what a person would type (and the options to a sane size).
PHONE_NUMBER: Final = re.compile(r"\+?[\d \-./()*#]*\d[\d \-./()*#]*", re.ASCII)
NUMBER_MAX_LENGTH: Final = 40
NAME_MAX_LENGTH: Final = 100
COUNTRY_CODE: Final = re.compile(r"\d{1,4}")

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
        vol.Optional(CONF_COUNTRY_CODE): TextSelector(
            TextSelectorConfig(type=TextSelectorType.TEL)
        ),
    }
)
# The settings are every option but the phone book.
SETTINGS: Final = frozenset(key.schema for key in OPTIONS_SCHEMA.schema)
NUMBER_SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_NUMBER): TextSelector(
            TextSelectorConfig(type=TextSelectorType.TEL)
        ),
        vol.Required(CONF_NAME): TextSelector(),
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
    code = options.get(CONF_COUNTRY_CODE, "").removeprefix("+")
    if code and not COUNTRY_CODE.fullmatch(code):
        errors[CONF_COUNTRY_CODE] = "invalid_country_code"
    return errors


def number_errors(number: str, name: str) -> dict[str, str]:
    """Return the phone book form's errors."""
    errors: dict[str, str] = {}
    if len(number) > NUMBER_MAX_LENGTH or not PHONE_NUMBER.fullmatch(number):
        errors[CONF_NUMBER] = "invalid_number"
    if not name or len(name) > NAME_MAX_LENGTH or not name.isprintable():
        errors[CONF_NAME] = "invalid_name"
    return errors


def is_ip_address(text: str) -> bool:
    """Tell whether a text is an IPv4 or IPv6 address (the PBX takes no host names)."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class YeastarOptionsFlow(OptionsFlow):
    """The settings, and the phone book."""

    _changing: str | None = None  # the number being changed

    @property
    def _phone_book(self) -> dict[str, str]:
        """Return the stored phone book (number as the user wrote it: name)."""
        return dict(self.config_entry.options.get(CONF_PHONE_BOOK, {}))

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer the settings and the phone book."""
        steps = ["settings", "add_number"]
        if self._phone_book:
            steps += ["change_number", "remove_numbers"]
        return self.async_show_menu(step_id="init", menu_options=steps)

    def _store(self, changes: Mapping[str, Any]) -> ConfigFlowResult:
        """Store the options with some changed (the entry applies them)."""
        return self.async_create_entry(data={**self.config_entry.options, **changes})

    async def async_step_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Edit the settings; they are stored, then a loaded entry applies them at once."""
        errors: dict[str, str] = {}
        suggested: Mapping[str, Any] = self.config_entry.options
        if user_input is not None:
            settings = clean_options(user_input)
            if code := settings.get(CONF_COUNTRY_CODE):
                settings[CONF_COUNTRY_CODE] = code.removeprefix("+")
            errors = options_errors(settings)
            if not errors:
                kept = {
                    key: value
                    for key, value in self.config_entry.options.items()
                    if key not in SETTINGS
                }
                return self.async_create_entry(data=kept | settings)
            suggested = user_input
        return self.async_show_form(
            step_id="settings",
            data_schema=self.add_suggested_values_to_schema(OPTIONS_SCHEMA, suggested),
            errors=errors,
        )

    def _with_number(self, number: str, name: str) -> dict[str, str]:
        """Return the phone book with a number's name set (its other forms replaced)."""
        code = office_calling_code(self.hass, self.config_entry.options)
        key = number_key(number, code)
        book = {
            known: known_name
            for known, known_name in self._phone_book.items()
            if known != self._changing and number_key(known, code) != key
        }
        book[number] = name
        return dict(sorted(book.items()))

    async def async_step_add_number(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name a number (a number already in the book gets the new name)."""
        return await self._number_form("add_number", user_input, {})

    async def async_step_change_number(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the number to change."""
        if user_input is not None:
            self._changing = user_input[CONF_NUMBER]
            return await self.async_step_edit_number()
        return self.async_show_form(
            step_id="change_number",
            data_schema=vol.Schema(
                {vol.Required(CONF_NUMBER): self._book_selector(multiple=False)}
            ),
        )

    async def async_step_edit_number(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change a number or its name."""
        changing = self._changing or ""
        current = {CONF_NUMBER: changing, CONF_NAME: self._phone_book.get(changing, "")}
        return await self._number_form("edit_number", user_input, current)

    async def _number_form(
        self,
        step_id: str,
        user_input: dict[str, Any] | None,
        suggested: Mapping[str, Any],
    ) -> ConfigFlowResult:
        """Show or take the form of one number and its name."""
        errors: dict[str, str] = {}
        if user_input is not None:
            number = str(user_input.get(CONF_NUMBER, "")).strip()
            name = str(user_input.get(CONF_NAME, "")).strip()
            errors = number_errors(number, name)
            if not errors:
                return self._store({CONF_PHONE_BOOK: self._with_number(number, name)})
            suggested = user_input
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(NUMBER_SCHEMA, suggested),
            errors=errors,
        )

    async def async_step_remove_numbers(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Take numbers out of the phone book."""
        if user_input is not None:
            removed = set(user_input.get(CONF_NUMBERS, []))
            book = {n: name for n, name in self._phone_book.items() if n not in removed}
            return self._store({CONF_PHONE_BOOK: book})
        return self.async_show_form(
            step_id="remove_numbers",
            data_schema=vol.Schema(
                {vol.Optional(CONF_NUMBERS): self._book_selector(multiple=True)}
            ),
        )

    def _book_selector(self, *, multiple: bool) -> SelectSelector:
        """Return a choice among the phone book's numbers, shown with their names."""
        return SelectSelector(
            SelectSelectorConfig(
                options=[
                    SelectOptionDict(value=number, label=with_name(number, name))
                    for number, name in self._phone_book.items()
                ],
                multiple=multiple,
            )
        )
