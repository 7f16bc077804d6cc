"""Tolerant reading of what the PBX sends (API reference, section 10).

Every scalar is turned into a string, keys are matched case-insensitively, and unknown
keys are ignored.
"""

from collections.abc import Mapping
import re
from typing import Any

# A JSON text may escape half of a surrogate pair ("\ud800"): such a string cannot be
# encoded as UTF-8 (nor stored or shown by Home Assistant).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


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
