"""The integration's own sentences: logbook lines and missed-call items, translated.

They live in ``translations/<language>.json`` under ``common``, are read once when a PBX
is set up (``async_load_wording``) and then come from Home Assistant's translation cache,
so that callbacks (the logbook's describers, entity properties) can use them.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.translation import (
    async_get_cached_translations,
    async_get_translations,
)
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .names import with_name
from .pbx import ActivityKind

CATEGORY: Final = "common"
_PREFIX: Final = f"component.{DOMAIN}.{CATEGORY}."

# The logbook line of each call event, by kind; "answered" depends on who called.
LOGBOOK_KEYS: Final[Mapping[ActivityKind, str]] = {
    ActivityKind.RINGING: "logbook_ringing",
    ActivityKind.DIALING: "logbook_dialing",
    ActivityKind.ANSWERED: "logbook_answered",
    ActivityKind.HELD: "logbook_held",
    ActivityKind.RESUMED: "logbook_resumed",
    ActivityKind.ENDED: "logbook_ended",
    ActivityKind.MISSED: "logbook_missed",
    ActivityKind.VOICEMAIL: "logbook_voicemail",
}
ANSWERED_AS_CALLER: Final = "logbook_answered_caller"
# A phone the PBX rings for a click-to-call (call/dial) rings before the call has another
# party; an inbound call without a number is from a withheld ("unknown") number.
RINGING_WITHOUT_PARTY: Final = "logbook_ringing_no_party"


async def async_load_wording(hass: HomeAssistant) -> None:
    """Read the sentences in Home Assistant's language into its translation cache."""
    await async_get_translations(hass, hass.config.language, CATEGORY, [DOMAIN])


@callback
def text(hass: HomeAssistant, key: str, **placeholders: str) -> str:
    """Return a sentence in Home Assistant's language (English when not translated)."""
    strings = async_get_cached_translations(
        hass, hass.config.language, CATEGORY, DOMAIN
    )
    template = strings.get(_PREFIX + key)
    if template is None:  # not loaded yet (no PBX set up): English
        strings = async_get_cached_translations(hass, "en", CATEGORY, DOMAIN)
        template = strings.get(_PREFIX + key, key)
    return template.format(**placeholders)


@callback
def party(hass: HomeAssistant, number: str, name: str | None) -> str:
    """Return the other party of a call in words: "Plumber (0612345678)", or the number."""
    return with_name(number, name) if number else text(hass, "unknown_number")


@callback
def call_sentence(
    hass: HomeAssistant,
    kind: ActivityKind,
    *,
    peer_number: str,
    peer_name: str | None,
    is_caller: bool,
    inbound: bool,
) -> str:
    """Return what happened in a call, e.g. "missed a call from Plumber (0612345678)"."""
    key = LOGBOOK_KEYS[kind]
    if kind is ActivityKind.ANSWERED and is_caller:
        key = ANSWERED_AS_CALLER
    elif kind is ActivityKind.RINGING and not peer_number and not inbound:
        key = RINGING_WITHOUT_PARTY
    return text(hass, key, party=party(hass, peer_number, peer_name))


@callback
def local_time(when: datetime) -> str:
    """Return a time as the missed-call items show it: local, to the minute."""
    return dt_util.as_local(when).strftime("%Y-%m-%d %H:%M")
