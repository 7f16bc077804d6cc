"""Every user-facing string the integration refers to exists in translations/en.json."""

import json
from pathlib import Path
import re

from custom_components.yeastar import issues
from custom_components.yeastar.call_records import LAST_CALL_OUTCOMES
from custom_components.yeastar.const import TRUNK_STATES
from custom_components.yeastar.office import PhoneState
from custom_components.yeastar.pbx.activity import ActivityKind, CallDirection
from custom_components.yeastar.wording import (
    ANSWERED_AS_CALLER,
    LOGBOOK_KEYS,
    RINGING_WITHOUT_PARTY,
)

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "yeastar"
STRINGS = json.loads((INTEGRATION / "translations" / "en.json").read_text())
ICONS = json.loads((INTEGRATION / "icons.json").read_text())
SOURCE = "\n".join(path.read_text() for path in INTEGRATION.glob("*.py"))

# Exception keys appear as translation_key="…", as the key of an errors.Problem("…"), as
# the first argument of _invalid("…"), or as an action's refusal key ("…_refused").
EXCEPTION_KEY_PATTERNS = (
    r'translation_key="(\w+)"',
    r'Problem\(\s*"(\w+)"',
    r'_invalid\(\s*"(\w+)"',
    r'"(\w+_refused)"',
)


def test_every_exception_has_a_message() -> None:
    """Each exception key raised in the code has its message, and no message is unused."""
    raised = {
        key for pattern in EXCEPTION_KEY_PATTERNS for key in re.findall(pattern, SOURCE)
    }
    # A login back-off is raised with the key of its repair issue (backoff.py).
    raised |= {issues.LOCKED_OUT, issues.TOKEN_REFUSED}
    entity_keys = {key for platform in STRINGS["entity"].values() for key in platform}
    missing = (raised - entity_keys) - set(STRINGS["exceptions"])
    assert raised, "the patterns found no key at all"
    assert not missing
    assert set(STRINGS["exceptions"]) <= raised, "messages no code raises"


def test_every_repair_issue_has_text() -> None:
    """Each repair issue kind has a title and a description."""
    assert set(STRINGS["issues"]) == set(issues.KINDS)
    for kind, details in issues.KINDS.items():
        text = STRINGS["issues"][kind]
        assert text["title"]
        if details.fixable:
            steps = text["fix_flow"]["step"]
            assert all(step["title"] and step["description"] for step in steps.values())
        else:
            assert text["description"]


def test_every_state_is_translated_and_has_an_icon() -> None:
    """Enum states, event types and icons cover every value the code can produce."""
    sensors = STRINGS["entity"]["sensor"]
    assert set(sensors["status"]["state"]) == {state.value for state in PhoneState}
    assert set(sensors["trunk_status"]["state"]) == set(TRUNK_STATES)
    assert set(ICONS["entity"]["sensor"]["status"]["state"]) == {
        state.value for state in PhoneState
    }
    event_types = STRINGS["entity"]["event"]["call"]["state_attributes"]["event_type"]
    assert set(event_types["state"]) == {kind.value for kind in ActivityKind}


def test_every_action_is_described() -> None:
    """Each action and each of its fields has a name and a description."""
    for action in ("dial", "hangup"):
        text = STRINGS["services"][action]
        assert text["name"]
        assert text["description"]
        for field in text["fields"].values():
            assert field["name"]
            assert field["description"]
        assert ICONS["services"][action]


def test_call_history_words_are_translated() -> None:
    """The last call's outcomes and directions, the device triggers, the sentences."""
    last_call = STRINGS["entity"]["sensor"]["last_call"]["state_attributes"]
    assert set(last_call["outcome"]["state"]) == set(LAST_CALL_OUTCOMES)
    assert set(last_call["direction"]["state"]) == {d.value for d in CallDirection}
    assert set(STRINGS["device_automation"]["trigger_type"]) == {
        kind.value for kind in ActivityKind
    }
    common = STRINGS["common"]
    special = {ANSWERED_AS_CALLER, RINGING_WITHOUT_PARTY}
    assert set(LOGBOOK_KEYS.values()) | special <= set(common)
    used = set(re.findall(r'text\(\s*(?:self\.)?hass,\s*"(\w+)"', SOURCE))
    used |= {
        f"missed_item{rang}{vm}" for rang in ("", "_rang") for vm in ("", "_voicemail")
    }
    assert used <= set(common)
    assert set(common) == used | set(LOGBOOK_KEYS.values()) | special
    for key, sentence in common.items():
        if key.startswith("logbook_"):
            assert ("{party}" in sentence) is (key != RINGING_WITHOUT_PARTY), key
    assert ICONS["entity"]["todo"]["missed_calls"]["default"]
