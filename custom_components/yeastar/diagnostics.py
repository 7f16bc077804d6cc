"""Diagnostics of a PBX entry: its state and the event path's counters, private data out.

Redacted: the API username and password, the webhook id (anyone who knows it can post
reports) wherever it appears, the pinned certificate fingerprint; and what identifies
people: the names of the extensions' users and the outside numbers of calls (callers,
DIDs), also in the excerpt of an unreadable report; the phone book, the contacts and the
call history appear only as counts. Kept: extension numbers (the PBX's own
internal numbers, needed to read the rest), kinds, states, counts and times. The API token
is never included.
"""

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant

from .const import CONF_PHONE_BOOK, CONF_TLS_FINGERPRINT
from .coordinator import YeastarConfigEntry, YeastarRuntimeData

TO_REDACT = {
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    CONF_TLS_FINGERPRINT,
    CONF_PHONE_BOOK,
}
PRIVATE_CALL_FIELDS = ("peer_number", "did_number")


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: YeastarConfigEntry
) -> dict[str, Any]:
    """Return the diagnostics of a PBX entry."""
    runtime = entry.runtime_data
    inventory = runtime.office.inventory
    session = runtime.backend.session
    return {
        "entry": {
            "title": entry.title,
            "data": async_redact_data(entry.data, TO_REDACT),
            "options": async_redact_data(entry.options, TO_REDACT),
        },
        "pbx": asdict(inventory.identity),
        "extensions": {
            number: asdict(extension)
            | {
                "name": REDACTED if extension.name else "",
                "state": runtime.office.phone_state(number),
            }
            for number, extension in inventory.extensions.items()
        },
        "trunks": {name: asdict(trunk) for name, trunk in inventory.trunks.items()},
        "active_calls": _active_calls(runtime),
        "names": {
            "contact_numbers": len(inventory.contacts),
            "phone_book_numbers": len(entry.options.get(CONF_PHONE_BOOK, {})),
        },
        "history": _history(runtime),
        "event_path": {
            "report_destination": _report_destination(runtime),
            "pbx_addresses": sorted(runtime.reports.pbx_addresses),
            "accepted_addresses": sorted(runtime.reports.accepted_addresses),
            "reports": asdict(runtime.reports.counters)
            | {
                "last_unparsable": REDACTED
                if runtime.reports.counters.last_unparsable
                else ""
            },
        },
        "connection": {
            "logged_in": session.client.token is not None,
            "last_update_success": runtime.coordinator.last_update_success,
            **asdict(session.times),
        },
    }


def _active_calls(runtime: YeastarRuntimeData) -> dict[str, list[dict[str, Any]]]:
    """Return the calls in progress the tracker knows, by extension, numbers redacted."""
    calls = {
        number: [
            asdict(call)
            | {field: REDACTED for field in PRIVATE_CALL_FIELDS if getattr(call, field)}
            for call in runtime.backend.tracker.active_calls(number)
        ]
        for number in runtime.office.inventory.extensions
    }
    return {number: active for number, active in calls.items() if active}


def _history(runtime: YeastarRuntimeData) -> dict[str, Any]:
    """Return the call history in counts: how many missed, per extension today."""
    history = runtime.office.history
    return {
        "missed_calls_listed": len(history.missed),
        "records_until": history.records_until,
        "missed_today": {
            number: count
            for number in runtime.office.inventory.extensions
            if (count := history.missed_today(number))
        },
        "last_calls": len(history.last_calls),
    }


def _report_destination(runtime: YeastarRuntimeData) -> dict[str, Any] | None:
    """Return where the PBX is told to post reports; the path holds the webhook id."""
    if (destination := runtime.backend.session.client.report_destination) is None:
        return None
    return asdict(destination) | {"url": REDACTED}
