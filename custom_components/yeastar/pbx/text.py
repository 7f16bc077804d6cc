"""Tolerant reading of what the PBX sends (API reference, section 10).

Every scalar is turned into a string, keys are matched case-insensitively, and unknown
keys are ignored.
"""

from collections.abc import Mapping
from datetime import UTC, timedelta, timezone
import re
from typing import Any

# A JSON text may escape half of a surrogate pair ("\ud800"): such a string cannot be
# encoded as UTF-8 (nor stored or shown by Home Assistant).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

# The zone label that ends ``systemtime``: "UTC+1", "UTC-5:30", "GMT+08:00", "UTC".
_ZONE_LABEL = re.compile(
    r"(?:UTC|GMT)\s*(?:(?P<sign>[+-])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?)?$",
    re.IGNORECASE,
)


def as_text(value: Any) -> str:
    """Return a PBX scalar as a stripped string ("" for null), always valid Unicode."""
    if value is None:
        return ""
    text = str(value).strip()
    if text.isascii():
        return text
    return _LONE_SURROGATE.sub("\ufffd", text)


def pick(data: Mapping[str, Any], *keys: str) -> str:
    """Return the first of ``keys`` present in ``data`` (case-insensitive) as text."""
    for key in keys:
        if key in data:
            return as_text(data[key])
    lowered = {str(k).lower(): v for k, v in data.items()}
    for key in keys:
        if key.lower() in lowered:
            return as_text(lowered[key.lower()])
    return ""


def pick_list(data: Mapping[str, Any], *keys: str) -> list[Any]:
    """Return the first list found under one of ``keys`` (case-insensitive)."""
    lowered = {str(k).lower(): v for k, v in data.items()}
    for key in keys:
        value = data.get(key, lowered.get(key.lower()))
        if isinstance(value, list):
            return value
    return []


def as_int(value: str) -> int | None:
    """Return a PBX number string as int, or None when it is blank or not a number."""
    try:
        return int(value)
    except ValueError:
        return None


def as_switch(value: str) -> bool | None:
    """Return an "on"/"off" (also yes/no) PBX switch as bool, None when unknown."""
    lowered = value.lower()
    if lowered in {"on", "yes", "1", "enabled"}:
        return True
    if lowered in {"off", "no", "0", "disabled"}:
        return False
    return None


def zone_of_system_time(system_time: str) -> timezone | None:
    """Return the fixed zone that ends a ``systemtime`` ("... UTC+1"), None if none.

    The label is a UTC offset, not a named zone: it is right until the PBX's next
    daylight-saving change, and the backend reads it again after every login.
    """
    found = _ZONE_LABEL.search(as_text(system_time))
    if found is None:
        return None
    if found["sign"] is None:
        return UTC
    offset = timedelta(hours=int(found["hours"]), minutes=int(found["minutes"] or 0))
    if offset >= timedelta(hours=24):
        return None
    return timezone(-offset if found["sign"] == "-" else offset)
