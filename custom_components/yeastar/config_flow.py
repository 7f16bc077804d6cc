"""Config flow of the Yeastar S-Series integration: user, trust_certificate, reauth, reconfigure.

Every submit makes exactly one login attempt and never retries by itself: five failed
logins lock Home Assistant's address out of the PBX for ten minutes. The options flow is
in ``options_flow.py``.
"""

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.components.webhook import async_generate_id
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .connection import async_read_device_info
from .const import CONF_TLS_FINGERPRINT, DEFAULT_PORT, DEFAULT_SSL, DOMAIN, LOGGER
from .coordinator import YeastarConfigEntry
from .entry_updates import async_store_connection
from .errors import flow_error
from .options_flow import PORT_SELECTOR, YeastarOptionsFlow
from .pbx import (
    SystemInfo,
    YeastarCertificateError,
    YeastarConnectionError,
    YeastarError,
    fetch_certificate_fingerprint,
    format_fingerprint,
)

DEFAULT_TITLE: Final = "Yeastar S-Series"
CONNECTION_KEYS: Final = (CONF_HOST, CONF_PORT, CONF_SSL, CONF_USERNAME, CONF_PASSWORD)
# Errors that belong to one field; every other error is shown for the whole form.
ERROR_FIELDS: Final = {"cannot_connect": CONF_HOST, "invalid_auth": CONF_PASSWORD}

USERNAME_SELECTOR: Final = TextSelector(TextSelectorConfig(autocomplete="username"))
PASSWORD_SELECTOR: Final = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)

ADDRESS_FIELDS: Final[dict[vol.Marker, Any]] = {
    vol.Required(CONF_HOST): TextSelector(TextSelectorConfig(autocomplete="off")),
    vol.Required(CONF_PORT, default=DEFAULT_PORT): PORT_SELECTOR,
    vol.Required(CONF_SSL, default=DEFAULT_SSL): BooleanSelector(),
}
USER_SCHEMA: Final = vol.Schema(
    {
        **ADDRESS_FIELDS,
        vol.Required(CONF_USERNAME): USERNAME_SELECTOR,
        vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR,
    }
)
# Reconfigure: an empty password keeps the stored one (it is never sent to the browser).
RECONFIGURE_SCHEMA: Final = vol.Schema(
    {
        **ADDRESS_FIELDS,
        vol.Required(CONF_USERNAME): USERNAME_SELECTOR,
        vol.Optional(CONF_PASSWORD): PASSWORD_SELECTOR,
    }
)
REAUTH_SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_USERNAME): USERNAME_SELECTOR,
        vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR,
    }
)


def form_errors(error: str | None, schema: vol.Schema) -> dict[str, str]:
    """Return the form errors for an error key: on its field when the form has it."""
    if error is None:
        return {}
    field = ERROR_FIELDS.get(error, "base")
    fields = {marker.schema for marker in schema.schema}
    return {field if field in fields else "base": error}


def typed_connection(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return the connection fields a user submitted, the host without stray spaces."""
    return {**user_input, CONF_HOST: str(user_input[CONF_HOST]).strip()}


class YeastarConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a Yeastar S-Series PBX, or repair the connection to one."""

    VERSION = 1

    _connection: dict[str, Any]
    _trusted_fingerprint: str | None
    _offered_fingerprint: str

    def __init__(self) -> None:
        """Start with no connection data and no trusted certificate."""
        self._connection = {}
        self._trusted_fingerprint = None
        self._offered_fingerprint = ""

    @staticmethod
    @callback
    def async_get_options_flow(
        config_entry: YeastarConfigEntry,
    ) -> YeastarOptionsFlow:
        """Return the options flow."""
        return YeastarOptionsFlow()

    # ------------------------------------------------------------------ steps

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the PBX address and API credentials."""
        if user_input is None:
            return self._async_show_connection_form()
        self._connection = typed_connection(user_input)
        return await self._async_connect()

    async def async_step_trust_certificate(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the certificate's fingerprint; on confirmation, pin it and log in."""
        if user_input is None:
            return self.async_show_form(
                step_id="trust_certificate",
                description_placeholders={
                    "fingerprint": format_fingerprint(self._offered_fingerprint),
                    "host": str(self._connection[CONF_HOST]),
                    "port": str(self._connection[CONF_PORT]),
                },
            )
        self._trusted_fingerprint = self._offered_fingerprint
        return await self._async_connect()

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start reauthentication with the stored address and certificate."""
        self._connection = {key: entry_data[key] for key in CONNECTION_KEYS}
        self._trusted_fingerprint = entry_data.get(CONF_TLS_FINGERPRINT)
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the API username and password again."""
        if user_input is None:
            return self._async_show_connection_form()
        self._connection |= user_input
        return await self._async_connect()

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the PBX address or credentials of an entry."""
        entry = self._get_reconfigure_entry()
        if user_input is None:
            self._connection = {key: entry.data[key] for key in CONNECTION_KEYS}
            self._trusted_fingerprint = entry.data.get(CONF_TLS_FINGERPRINT)
            return self._async_show_connection_form()
        self._connection = typed_connection(user_input)
        if not self._connection.get(CONF_PASSWORD):
            self._connection[CONF_PASSWORD] = entry.data[CONF_PASSWORD]
        return await self._async_connect()

    # ---------------------------------------------------------------- helpers

    @callback
    def _async_show_connection_form(
        self, error: str | None = None, detail: str = ""
    ) -> ConfigFlowResult:
        """Show the form of the flow's source again, with what was typed (no password).

        ``detail`` says in words what went wrong (the ``{error}`` of an error's text).
        """
        if self.source == SOURCE_REAUTH:
            step_id, schema = "reauth_confirm", REAUTH_SCHEMA
        elif self.source == SOURCE_RECONFIGURE:
            step_id, schema = "reconfigure", RECONFIGURE_SCHEMA
        else:
            step_id, schema = "user", USER_SCHEMA
        typed = {k: v for k, v in self._connection.items() if k != CONF_PASSWORD}
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, typed),
            errors=form_errors(error, schema),
            description_placeholders={
                "host": str(self._connection.get(CONF_HOST, "")),
                "error": detail,
            },
        )

    def _connection_data(self) -> dict[str, Any]:
        """Return the entry data for the connection being tried."""
        data = dict(self._connection)
        if data.get(CONF_SSL, DEFAULT_SSL) and self._trusted_fingerprint:
            data[CONF_TLS_FINGERPRINT] = self._trusted_fingerprint
        return data

    async def _async_connect(self) -> ConfigFlowResult:
        """Try the connection: finish, offer the certificate, or show the error."""
        try:
            device = await async_read_device_info(self.hass, self._connection_data())
        except YeastarCertificateError as err:
            return await self._async_offer_certificate(err)
        except YeastarError as err:
            return self._async_show_connection_form(flow_error(err), str(err))
        except Exception:  # noqa: BLE001 - any other failure is shown, not raised
            LOGGER.exception("Unexpected error while connecting to the PBX")
            return self._async_show_connection_form("unknown")
        return await self._async_finish(device)

    async def _async_offer_certificate(
        self, err: YeastarCertificateError
    ) -> ConfigFlowResult:
        """Show the trust step with the certificate the PBX presents now."""
        fingerprint = err.fingerprint
        if fingerprint is None:
            try:
                fingerprint = await fetch_certificate_fingerprint(
                    self._connection[CONF_HOST], self._connection[CONF_PORT]
                )
            except YeastarConnectionError as failure:
                return self._async_show_connection_form("cannot_connect", str(failure))
        self._offered_fingerprint = fingerprint
        return await self.async_step_trust_certificate()

    async def _async_finish(self, device: SystemInfo) -> ConfigFlowResult:
        """Create the entry, or update the reauthenticated / reconfigured one."""
        await self.async_set_unique_id(device.serial_number, raise_on_progress=False)
        data = self._connection_data()
        if self.source in (SOURCE_REAUTH, SOURCE_RECONFIGURE):
            self._abort_if_unique_id_mismatch(reason="unique_id_mismatch")
            entry = (
                self._get_reauth_entry()
                if self.source == SOURCE_REAUTH
                else self._get_reconfigure_entry()
            )
            # Keeps what the flow does not ask for (webhook_id); the entry reloads.
            async_store_connection(self.hass, entry, {**entry.data, **data})
            return self.async_abort(
                reason="reauth_successful"
                if self.source == SOURCE_REAUTH
                else "reconfigure_successful"
            )
        self._abort_if_unique_id_configured()
        return self.async_create_entry(
            title=device.model or DEFAULT_TITLE,
            data=data | {CONF_WEBHOOK_ID: async_generate_id()},
        )
