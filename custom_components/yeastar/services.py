"""The actions: yeastar.dial places a call and yeastar.hangup ends calls, through the PBX.

Both act on one PBX: the one ``config_entry_id`` names, or the only one set up. Bad input
raises ``ServiceValidationError`` before the PBX is asked; what the PBX refuses or cannot
answer raises ``HomeAssistantError``. ``_pbx_errors`` is the one place that maps the
client's errors, the PBX errno put into words.

Hang-up uses the channels the tracker knows from ``CallStatus`` reports. When it knows
none, or they are all gone already (a report was missed), it asks the PBX for the
channels of the extension (``extension/query_call``) or of the call (``call/query``).
"""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
import voluptuous as vol

from .const import DOMAIN
from .coordinator import YeastarConfigEntry, YeastarCoordinator
from .pbx.client import YeastarClient
from .pbx.errors import (
    YeastarApiError,
    YeastarAuthenticationError,
    YeastarConnectionError,
    YeastarError,
)
from .pbx.models import Call, MemberKind, MemberStatus

SERVICE_DIAL: Final = "dial"
SERVICE_HANGUP: Final = "hangup"

# homeassistant.const has ATTR_CONFIG_ENTRY_ID only in releases newer than 2025.4.
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_CALLER: Final = "caller"
ATTR_CALLEE: Final = "callee"
ATTR_AUTO_ANSWER: Final = "auto_answer"
ATTR_EXTENSION: Final = "extension"
ATTR_CALL_ID: Final = "call_id"

# The PBX's answers for a call or channel that no longer exists: "the call ID does not
# exist" (call/query) and "the call does not exist" (call/hangup).
ERRNOS_CALL_GONE: Final = frozenset({"10005", "10007"})
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
    with _pbx_errors(
        call.hass,
        entry,
        "dial_refused",
        explained=_why_not_idle(entry.runtime_data, caller),
        caller=caller,
        callee=callee,
    ):
        call_id = await entry.runtime_data.client.dial(
            caller, callee, auto_answer=call.data[ATTR_AUTO_ANSWER]
        )
    return {ATTR_CALL_ID: call_id}


async def _async_hangup(call: ServiceCall) -> None:
    """End an extension's calls, or one call."""
    kind, target = _hangup_target(call)
    entry = _async_get_entry(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    coordinator = entry.runtime_data
    if kind == ATTR_EXTENSION:
        _check_extension(entry, target)
        with _pbx_errors(call.hass, entry, "hangup_refused"):
            ended = await _async_end_extension_calls(coordinator, target)
        if not ended:
            raise _invalid("no_active_call", extension=target)
    else:
        with _pbx_errors(call.hass, entry, "hangup_refused"):
            ended = await _async_end_call(coordinator, target)
        if not ended:
            raise _invalid("no_such_call", call_id=target)


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


# ------------------------------------------------------------------ hang-up


async def _async_end_extension_calls(
    coordinator: YeastarCoordinator, extension: str
) -> bool:
    """Hang up every call leg of an extension; return False when it had none."""
    known = coordinator.tracker.channels_for_extension(extension)
    if known and await _async_hang_up(coordinator.client, known):
        return True
    calls_by_number = await coordinator.client.extension_calls([extension])
    calls = [call for calls in calls_by_number.values() for call in calls]
    return await _async_hang_up(coordinator.client, _live_channels(calls, extension))


async def _async_end_call(coordinator: YeastarCoordinator, call_id: str) -> bool:
    """Hang up every leg of a call; return False when the PBX has no such call."""
    known = coordinator.tracker.channels_for_call(call_id)
    if known and await _async_hang_up(coordinator.client, known):
        return True
    try:
        calls = await coordinator.client.query_calls(call_id=call_id)
    except YeastarApiError as err:
        if err.errno in ERRNOS_CALL_GONE:
            return False
        raise
    # Keep only the asked call, in case a PBX ignores the filter and lists them all.
    own = [call for call in calls if call.call_id == call_id]
    return await _async_hang_up(coordinator.client, _live_channels(own))


def _live_channels(calls: Iterable[Call], extension: str | None = None) -> list[str]:
    """Return the channels of the live legs of calls: one extension's, or all of them.

    All of them: extension legs first, then trunk legs.
    """
    members = [
        member
        for call in calls
        for member in call.members
        if member.channel_id and member.status is not MemberStatus.BYE
    ]
    if extension is not None:
        members = [
            member
            for member in members
            if member.kind is MemberKind.EXTENSION and member.number == extension
        ]
    members.sort(key=lambda member: member.kind is not MemberKind.EXTENSION)
    return list(dict.fromkeys(member.channel_id for member in members))


async def _async_hang_up(client: YeastarClient, channels: Iterable[str]) -> bool:
    """Hang up each channel; return True when at least one was still there.

    Hanging up one leg often ends the whole call, so the PBX answering "the call does
    not exist" for a later channel is expected and not an error.
    """
    ended = False
    for channel in channels:
        try:
            await client.hangup(channel)
        except YeastarApiError as err:
            if err.errno not in ERRNOS_CALL_GONE:
                raise
        else:
            ended = True
    return ended


# ----------------------------------------------------------- entry, errors


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
    if number not in entry.runtime_data.data.extensions:
        raise _invalid("unknown_extension", extension=number, title=entry.title)


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    """Return a translated error for bad action input."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def _why_not_idle(coordinator: YeastarCoordinator, extension: str) -> dict[str, str]:
    """Return what "the extension is not idle" (10008) means for this one, if known.

    The PBX gives the same errno for a phone that is offline and one on a call.
    """
    state = coordinator.extension_state(extension)
    if state == "offline":
        return {
            ERRNO_NOT_IDLE: "the extension is offline (its phone is not registered)"
        }
    if state in ("ringing", "busy", "on_hold"):
        return {ERRNO_NOT_IDLE: "the extension is on a call"}
    return {}


@contextmanager
def _pbx_errors(
    hass: HomeAssistant,
    entry: YeastarConfigEntry,
    refused_key: str,
    *,
    explained: Mapping[str, str] | None = None,
    **placeholders: str,
) -> Iterator[None]:
    """Turn the client's errors into translated Home Assistant errors.

    A refusal uses ``refused_key`` with ``placeholders`` plus the errno and its meaning
    (from ``explained`` by errno when given, else the PBX's); rejected credentials start
    reauthentication.
    """
    try:
        yield
    except YeastarAuthenticationError as err:
        entry.async_start_reauth(hass)
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="authentication_error"
        ) from err
    except YeastarApiError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=refused_key,
            translation_placeholders=placeholders
            | {
                "errno": err.errno,
                "reason": (explained or {}).get(err.errno, err.meaning),
            },
        ) from err
    except YeastarConnectionError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="communication_error",
            translation_placeholders={"error": str(err)},
        ) from err
    except YeastarError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="unknown_error",
            translation_placeholders={"error": str(err)},
        ) from err
