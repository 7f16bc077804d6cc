"""The actions: yeastar.dial places a call and yeastar.hangup ends calls, through the PBX.

Both act on one PBX: the one ``config_entry_id`` names, or the only one set up. Bad input
raises ``ServiceValidationError`` before the PBX is asked; what the PBX refuses or cannot
answer raises ``HomeAssistantError`` (``errors.action_error``: the PBX's errno in words).
How a call is ended is the backend's business (the S-Series: ``pbx/hangup.py``).
"""

from collections.abc import Awaitable
from typing import Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
import voluptuous as vol

from .backoff import LoginsWaiting
from .const import DOMAIN
from .coordinator import YeastarConfigEntry
from .errors import action_error
from .office import Office, PhoneState
from .pbx import YeastarError

SERVICE_DIAL: Final = "dial"
SERVICE_HANGUP: Final = "hangup"

# homeassistant.const has ATTR_CONFIG_ENTRY_ID only in releases newer than 2025.4.
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_CALLER: Final = "caller"
ATTR_CALLEE: Final = "callee"
ATTR_AUTO_ANSWER: Final = "auto_answer"
ATTR_EXTENSION: Final = "extension"
ATTR_CALL_ID: Final = "call_id"

# "The extension is not idle": the PBX's answer for a phone offline or on a call alike.
ERRNO_NOT_IDLE: Final = "10008"

_NUMBER = vol.All(cv.string, vol.Strip, vol.Length(min=1))

DIAL_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_CALLER): _NUMBER,
        vol.Required(ATTR_CALLEE): _NUMBER,
        vol.Optional(ATTR_AUTO_ANSWER, default=False): cv.boolean,
    }
)
HANGUP_SCHEMA: Final = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_EXTENSION): _NUMBER,
        vol.Optional(ATTR_CALL_ID): _NUMBER,
    }
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (once, in async_setup)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_DIAL,
        _async_dial,
        schema=DIAL_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_HANGUP, _async_hangup, schema=HANGUP_SCHEMA
    )


async def _async_dial(call: ServiceCall) -> ServiceResponse:
    """Ring the caller's phone, then connect it to the callee; return the call id."""
    entry = _async_get_entry(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    caller: str = call.data[ATTR_CALLER]
    callee: str = call.data[ATTR_CALLEE]
    _check_extension(entry, caller)
    call_id = await _ask_pbx(
        entry.runtime_data.backend.async_dial(
            caller, callee, auto_answer=call.data[ATTR_AUTO_ANSWER]
        ),
        "dial_refused",
        {"caller": caller, "callee": callee},
        _why_not_idle(entry.runtime_data.office, caller),
    )
    return {ATTR_CALL_ID: call_id}


async def _async_hangup(call: ServiceCall) -> None:
    """End an extension's calls, or one call."""
    kind, target = _hangup_target(call)
    entry = _async_get_entry(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    backend = entry.runtime_data.backend
    if kind == ATTR_EXTENSION:
        _check_extension(entry, target)
        if not await _ask_pbx(
            backend.async_hang_up_extension(target), "hangup_refused", {}
        ):
            raise _invalid("no_active_call", extension=target)
    elif not await _ask_pbx(backend.async_hang_up_call(target), "hangup_refused", {}):
        raise _invalid("no_such_call", call_id=target)


async def _ask_pbx[ResultT](
    request: Awaitable[ResultT],
    refused_key: str,
    placeholders: dict[str, str],
    explained: dict[str, str] | None = None,
) -> ResultT:
    """Await a request to the PBX; its failure becomes a translated action error."""
    try:
        return await request
    except (YeastarError, LoginsWaiting) as err:
        raise action_error(err, refused_key, placeholders, explained) from err


def _hangup_target(call: ServiceCall) -> tuple[str, str]:
    """Return which field of extension and call_id was given, and its value.

    Exactly one of them must be given.
    """
    given = [
        (key, call.data[key])
        for key in (ATTR_EXTENSION, ATTR_CALL_ID)
        if key in call.data
    ]
    if len(given) != 1:
        raise _invalid("extension_or_call_id")
    return given[0]


@callback
def _async_get_entry(hass: HomeAssistant, entry_id: str | None) -> YeastarConfigEntry:
    """Return the loaded PBX an action is for.

    Without an id there must be exactly one PBX set up (disabled ones do not count): a
    second PBX that failed to load must not make the action silently use the other one.
    """
    entry: YeastarConfigEntry | None
    if entry_id is None:
        entries = hass.config_entries.async_entries(
            DOMAIN, include_ignore=False, include_disabled=False
        )
        if not entries:
            raise _invalid("no_loaded_entry")
        if len(entries) > 1:
            raise _invalid("multiple_entries")
        entry = entries[0]
    else:
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            raise _invalid("entry_not_found", config_entry_id=entry_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise _invalid("entry_not_loaded", title=entry.title)
    return entry


def _check_extension(entry: YeastarConfigEntry, number: str) -> None:
    """Refuse an extension number the PBX does not have."""
    if number not in entry.runtime_data.office.inventory.extensions:
        raise _invalid("unknown_extension", extension=number, title=entry.title)


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    """Return a translated error for bad action input."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def _why_not_idle(office: Office, extension: str) -> dict[str, str]:
    """Return what "the extension is not idle" (10008) means for this one, if known."""
    state = office.phone_state(extension)
    if state is PhoneState.OFFLINE:
        return {
            ERRNO_NOT_IDLE: "the extension is offline (its phone is not registered)"
        }
    if state in (PhoneState.RINGING, PhoneState.BUSY, PhoneState.ON_HOLD):
        return {ERRNO_NOT_IDLE: "the extension is on a call"}
    return {}
