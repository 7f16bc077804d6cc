"""Fuzzing the report parser and the webhook with hypothesis.

Bodies: random bytes and text, JSON of the wrong type, nulls and numbers where text
belongs, deep nesting, huge strings (around the webhook's 64 KB limit), lone surrogates
(``"\\ud800"`` escapes, and raw in invalid UTF-8), and every known event name (in any
case) with garbage members and fields.

How hypothesis meets pytest-asyncio: hypothesis runs synchronous test functions only.
The parser is synchronous, so its test is an ordinary ``@given`` test. The webhook needs
Home Assistant's event loop, and one Home Assistant for all its bodies (a fresh one per
example would take minutes), so its bodies are drawn first: ``draw_bodies`` runs a
synchronous ``@given`` function, generation phase only, that collects each example;
the async test then posts them all to one Home Assistant. Every run is the same one
(``derandomize=True``, no example database), so CI is reproducible.
"""

from collections import Counter
import dataclasses
import json
import time
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.yeastar.pbx.callmodels import CallMember
from custom_components.yeastar.pbx.errors import YeastarReportError
from custom_components.yeastar.pbx.events import (
    EVENT_TYPES,
    Report,
    UnknownReport,
    parse_report,
    report_fingerprint,
)
from custom_components.yeastar.webhook import MAX_REPORT_BYTES
from simulator import PbxSimulator
from tests.integration.conftest import SERIAL

from .helpers import (
    Poster,
    error_records,
    extension_report,
    figure,
    invalid_states,
    status_entity,
)

PARSER_EXAMPLES = 1500
WEBHOOK_BODIES = 2000


def reproducible(**options: Any) -> settings:
    """Return settings that run the same examples every time, as fast as they can."""
    return settings(
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        **options,
    )


# ------------------------------------------------------------------- strategies

LONE_SURROGATES = ["\ud800", "\udfff", "06\ud800", "\udc00x", "a\ud83d"]
WORDS = [
    "",
    " ",
    "1000",
    "1001",
    "1002",
    "1003",
    "1008",
    "9999",
    SERIAL,
    "000000000000",
    "1.1",
    "1709287200.12",
    "RING",
    "ALERT",
    "ANSWER",
    "ANSWERED",
    "answerd",
    "HOLD",
    "BYE",
    "Registered",
    "Unregistered",
    "Ringing",
    "Busy",
    "Idle",
    "Hold",
    "Malfunction",
    "extension",
    "trunk",
    "add",
    "del",
    "update",
    "SIPTrunk1",
    "PJSIP/1000-00000001",
    "NO ANSWER",
    "Inbound",
    "Outbound",
    "Internal",
    "0612345678",
]
# Every key the parser reads somewhere, and a few it does not.
KEYS = [
    "event",
    "action",
    "sn",
    "extension",
    "extid",
    "number",
    "extnumber",
    "status",
    "registeredIP",
    "callid",
    "members",
    "call",
    "reason",
    "info",
    "flag",
    "infos",
    "prompt",
    "ivr",
    "conferencenumber",
    "conferencename",
    "type",
    "operation",
    "trunkname",
    "trunk",
    "surveyresult",
    "cstacallid",
    "ipaddress",
    "queue",
    "agent",
    "misscall",
    "misscalls",
    "caller",
    "timestart",
    "callfrom",
    "callto",
    "callduraction",
    "talkduraction",
    "srctrunkname",
    "dsttrcunkname",
    "pincode",
    "recording",
    "didnumber",
    "agentringtime",
    "ext",
    "inbound",
    "outbound",
    "memberstatus",
    "channelid",
    "from",
    "to",
    "callpath",
    "EVENT",
    "Sn",
]
MEMBER_FIELDS = [
    "number",
    "extnumber",
    "extid",
    "channelid",
    "memberstatus",
    "from",
    "to",
    "trunkname",
    "callpath",
]

text = st.text(max_size=12)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
    st.sampled_from(WORDS),
    st.sampled_from(LONE_SURROGATES),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | text, inner, max_size=4)
    ),
    max_leaves=8,
)
garbage = st.sampled_from(WORDS) | json_values
members = st.one_of(
    st.dictionaries(
        st.sampled_from(["ext", "inbound", "outbound", "Ext", "OUTBOUND", "other"]),
        st.fixed_dictionaries({}, optional=dict.fromkeys(MEMBER_FIELDS, garbage))
        | json_values,
        min_size=1,
        max_size=2,
    ),
    json_values,
)
event_names = st.one_of(
    st.sampled_from(sorted(EVENT_TYPES)).flatmap(
        lambda name: st.sampled_from(
            [name, name.upper(), name.title(), name.capitalize()]
        )
    ),
    st.sampled_from(["CallStatus", "ExtensionStatus", "NewCdr", "Tranfer"]),
    text,
    json_values,
)
FIELD_KEYS = [key for key in KEYS if key not in {"event", "action", "sn", "members"}]
heads: dict[str, st.SearchStrategy[Any]] = {
    "sn": st.sampled_from([SERIAL, SERIAL, SERIAL, "000000000000", ""]) | json_values,
    "members": st.lists(members, max_size=5) | json_values,
}
reports = st.builds(
    lambda head, fields: fields | head,
    st.one_of(
        st.fixed_dictionaries({"event": event_names}, optional=heads),
        st.fixed_dictionaries({"action": event_names}, optional=heads),
    ),
    st.dictionaries(st.sampled_from(FIELD_KEYS), garbage, max_size=6),
)


def encode_json(value: Any, how: str) -> bytes:
    """Encode decoded JSON as a PBX (or a broken one) might send it."""
    if how == "ascii":  # lone surrogates as \\ud800 escapes
        return json.dumps(value).encode()
    if how == "raw":  # lone surrogates as raw bytes: invalid UTF-8
        return json.dumps(value, ensure_ascii=False).encode(errors="surrogatepass")
    if how == "bom":
        return "\ufeff".encode() + json.dumps(value).encode()
    return json.dumps(value, indent=1, sort_keys=True).encode()


ENCODINGS = st.sampled_from(["ascii", "ascii", "raw", "bom", "pretty"])

NESTERS = {"list": ("[", "]"), "object": ('{"a":', "}"), "member": ('[{"ext":', "}]")}


def deep_body(depth: int, nester: str, where: str) -> bytes:
    """Return a report with a value nested `depth` levels deep (or nesting alone)."""
    opener, closer = NESTERS[nester]
    nested = opener * depth + "1" + closer * depth
    if where == "top":
        return nested.encode()
    return (
        '{"event":"CallStatus","callid":"1.1","sn":"'
        + SERIAL
        + f'","{where}":'
        + nested
        + "}"
    ).encode()


def huge_body(size: int, key: str, unit: str) -> bytes:
    """Return a CallStatus report with one field of about `size` characters."""
    report = {
        "event": "CallStatus",
        "callid": "9.9",
        "sn": SERIAL,
        "members": [
            {"ext": {"number": "1000", "memberstatus": "RING", "channelid": "c1"}},
            {"inbound": {"from": "06", "memberstatus": "ALERT", "channelid": "c2"}},
        ],
    }
    if key == "from":
        report["members"][1]["inbound"]["from"] = unit * size
    else:
        report[key] = unit * size
    return json.dumps(report).encode()


bodies = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda value: value.encode(errors="surrogatepass")),
    st.builds(encode_json, json_values, ENCODINGS),
    st.builds(encode_json, reports, ENCODINGS),
    st.builds(encode_json, reports, ENCODINGS),
    st.builds(encode_json, reports, ENCODINGS),
    st.builds(
        deep_body,
        st.integers(min_value=1, max_value=6000),
        st.sampled_from(sorted(NESTERS)),
        st.sampled_from(["top", "members", "status", "sn", "event", "callid"]),
    ),
    st.builds(
        huge_body,
        st.integers(min_value=1000, max_value=70_000),
        st.sampled_from(["from", "callid", "sn", "pad", "event"]),
        st.sampled_from(["a", "\ud800", "\u00e9"]),
    ),
)


def every_event_name() -> list[bytes]:
    """Return one report per known event name, with garbage members and fields."""
    return [
        json.dumps(
            {
                "event": name,
                "sn": SERIAL,
                "callid": ["x"],
                "extension": None,
                "status": 12,
                "members": [None, 1, "ext", {"ext": "1000"}, {"ext": {"number": {}}}],
                "misscall": [{"caller": None}, 3],
                "type": {"a": 1},
            }
        ).encode()
        for name in sorted(EVENT_TYPES)
    ]


def draw_bodies(count: int) -> list[bytes]:
    """Return `count` bodies drawn from `bodies`, the same ones every run."""
    drawn: list[bytes] = []

    @reproducible(max_examples=count, phases=[Phase.generate])
    @given(bodies)
    def collect(body: bytes) -> None:
        drawn.append(body)

    collect()
    return drawn


# ------------------------------------------------------------------- the parser


def assert_valid_text(event: Report) -> None:
    """Every text the parser returns can be encoded (stored, shown): no lone surrogate."""
    values: list[Any] = [
        getattr(event, item.name) for item in dataclasses.fields(event)
    ]
    for value in values:
        if isinstance(value, str):
            value.encode()
        elif isinstance(value, tuple):
            for member in value:
                if isinstance(member, CallMember):
                    for part in dataclasses.astuple(member):
                        if isinstance(part, str):
                            part.encode()


parser_inputs = st.one_of(
    bodies, reports, st.builds(lambda body: body.decode(errors="replace"), bodies)
)


def test_parser_raises_only_report_errors() -> None:
    """parse_report and report_fingerprint raise YeastarReportError, and nothing else.

    What parses is typed by its name, has valid text throughout, and has one fingerprint
    whatever the key order of the delivery. Inputs: bodies as bytes, as text, and
    already decoded.
    """
    outcomes: Counter[str] = Counter()

    @reproducible(max_examples=PARSER_EXAMPLES)
    @given(parser_inputs)
    def check(body: bytes | str | dict[str, Any]) -> None:
        try:
            event = parse_report(body)
        except YeastarReportError:
            outcomes["refused"] += 1
            with pytest.raises(YeastarReportError):
                report_fingerprint(body)
            return
        outcomes["parsed"] += 1
        assert isinstance(event.name, str)
        assert isinstance(event.serial_number, str)
        assert type(event) is EVENT_TYPES.get(event.name.casefold(), UnknownReport)
        assert_valid_text(event)
        try:
            fingerprint = report_fingerprint(event)
        except YeastarReportError:
            outcomes["too deep to digest"] += 1
            return
        assert len(fingerprint) == 64
        assert report_fingerprint(body) == fingerprint
        if isinstance(body, dict):
            reordered = dict(reversed(list(body.items())))
            assert report_fingerprint(json.dumps(reordered)) == fingerprint

    started = time.monotonic()
    check()
    figure(
        "fuzz parser",
        examples=sum(outcomes.values()),
        **{key.replace(" ", "_"): value for key, value in outcomes.items()},
        seconds=round(time.monotonic() - started, 1),
    )
    assert sum(outcomes.values()) >= PARSER_EXAMPLES


# ------------------------------------------------------------------- the webhook


async def test_webhook_fuzz(
    hass: HomeAssistant,
    ha_http: TestClient,
    simulator: PbxSimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """2,000 and more generated bodies from the PBX's address: always 200, no error.

    Every body is counted once (accepted, unreadable, a resend or another PBX's), every
    entity's state stays valid, and a good report still works afterwards.
    """
    started = time.monotonic()
    posted = draw_bodies(WEBHOOK_BODIES) + every_event_name()
    drawn = time.monotonic() - started
    assert len(posted) >= WEBHOOK_BODIES
    counters = init_integration.runtime_data.reports.counters
    statuses: list[int] = []
    started = time.monotonic()
    async with Poster(ha_http.server.port) as poster:
        for index, body in enumerate(posted):
            statuses.append(await poster.send(body))
            if index % 100 == 99:
                await hass.async_block_till_done()
                assert invalid_states(hass) == [], index
        await hass.async_block_till_done(wait_background_tasks=True)
        assert invalid_states(hass) == []
        counted = (
            counters.accepted
            + counters.unparsable
            + counters.duplicates
            + counters.other_serial
        )
        elapsed = time.monotonic() - started
        assert statuses == [200] * len(posted)
        assert counted == len(posted)
        assert error_records(caplog.records) == []

        # A good report still works.
        reception = status_entity(hass, "1000")
        for word, shown in (("Unregistered", "offline"), ("Registered", "idle")):
            assert await poster.send(extension_report("1000", word)) == 200
            await hass.async_block_till_done()
            assert hass.states.get(reception).state == shown  # type: ignore[union-attr]
    too_large = sum(1 for body in posted if len(body) > MAX_REPORT_BYTES)
    figure(
        "fuzz webhook",
        bodies=len(posted),
        too_large=too_large,
        accepted=counters.accepted,
        unknown=counters.unknown_events,
        unreadable=counters.unparsable,
        resends=counters.duplicates,
        other_pbx=counters.other_serial,
        draw_s=round(drawn, 1),
        post_s=round(elapsed, 1),
    )
