"""Typed event reports pushed by the PBX (API reference, section 7), parsed tolerantly.

``parse_report`` takes a report body as it arrives (bytes or text) or already decoded,
and returns one frozen ``Report``. Names are matched case-insensitively through the
``EVENT_TYPES`` table, which holds the reports the integration uses (extension and call
status, call records, configuration changes, boot, and for call screening, IVR keys and
prompts: ``Invite``, ``DTMF``, ``PlayPromptEnd``, ``CallFailed``); anything else, a body
without ``event`` included, becomes an ``UnknownReport`` (its ``name`` and ``raw`` say
what it was). A 1.x report names itself with ``action``: that name is used the same way,
so the 1.x actions that share the 2.0.0 shape (``NewCdr``, ``ExtensionStatus``,
``BootUp`` ...) map to their report, and the per-status call actions (``RING``,
``ANSWER`` ...) stay unknown. Every scalar is read as text, missing fields are "",
unknown keys are ignored (they stay in ``raw``).

``report_fingerprint`` digests a body's canonical JSON, so that the webhook can
recognise the resends the PBX makes when it is not answered 200; ``same_report`` tells
two reports with the same fingerprint, without digesting reports that differ, and
``is_shallow`` tells a body that is certainly not too deep to digest.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
import hashlib
import json
from types import MappingProxyType
from typing import Any, Final, Self

from .callmodels import CallMember, Cdr, parse_members
from .errors import YeastarReportError
from .text import pick, pick_list

_MEMBER_LIST_KEYS: Final = ("members", "call")  # "call": the cloud 1.x Invite
# report_fingerprint recurses once per level of nesting, and fails beyond the
# interpreter's recursion limit (1,000 frames): a body with fewer openers ("[" and "{")
# than this cannot be nested that deeply.
SHALLOW_OPENERS: Final = 256


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """Base of every report: its name as sent, the PBX serial number and the body.

    ``raw`` is the decoded JSON object; treat it as read-only.
    """

    name: str
    serial_number: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, hash=False)

    @classmethod
    def from_report(cls, raw: Mapping[str, Any], *, name: str) -> Self:
        """Build the event from a decoded report body."""
        return cls(
            name=name, serial_number=pick(raw, "sn"), raw=raw, **cls.parse_fields(raw)
        )

    @classmethod
    def parse_fields(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Return the fields this event type reads from the body (none here)."""
        return {}


def parse_report_members(raw: Mapping[str, Any]) -> tuple[CallMember, ...]:
    """Return a report's call members: its ``members`` array, or 1.x top-level members."""
    if items := pick_list(raw, *_MEMBER_LIST_KEYS):
        return parse_members(items)
    return parse_members({key: value} for key, value in raw.items())


def _call_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Return the fields shared by every call-related event."""
    return {"call_id": pick(raw, "callid"), "members": parse_report_members(raw)}


@dataclass(frozen=True, slots=True, kw_only=True)
class CallReport(Report):
    """Base of the reports about one call: its id and the members they list."""

    call_id: str = ""
    members: tuple[CallMember, ...] = ()

    @classmethod
    def parse_fields(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Read ``callid`` and ``members``."""
        return _call_fields(raw)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtensionStatusReport(Report):
    """``ExtensionStatus``: an extension's state changed; ``status`` is the PBX's word."""

    extension: str = ""
    status: str = ""
    registered_ip: str = ""

    @classmethod
    def parse_fields(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Read the extension, its status word and its registration address."""
        return {
            "extension": pick(raw, "extension", "extid", "number", "extnumber"),
            "status": pick(raw, "status"),
            "registered_ip": pick(raw, "registeredIP"),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class CallStatusReport(CallReport):
    """``CallStatus``: one or more members of a call changed state."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NewCdrReport(Report):
    """``NewCdr``: a call is finished and its record written."""

    cdr: Cdr

    @property
    def call_id(self) -> str:
        """Return the id of the finished call."""
        return self.cdr.call_id

    @classmethod
    def parse_fields(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Read the call record."""
        return {"cdr": Cdr.from_dict(raw)}


@dataclass(frozen=True, slots=True, kw_only=True)
class InviteReport(CallReport):
    """``Invite``: an inbound call on a controlled trunk waits to be accepted or refused."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CallFailedReport(CallReport):
    """``CallFailed``: a call could not be set up; ``reason`` is the PBX's text."""

    reason: str = ""

    @classmethod
    def parse_fields(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Read the call and the failure reason."""
        return _call_fields(raw) | {"reason": pick(raw, "reason")}


@dataclass(frozen=True, slots=True, kw_only=True)
class DtmfReport(CallReport):
    """``DTMF``: a caller pressed a key in an IVR that reports key presses."""

    info: str = ""  # the key(s) of this press
    flag: str = ""  # 0-based index of the press in the IVR session
    infos: str = ""  # every key pressed so far

    @classmethod
    def parse_fields(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Read the call and the keys pressed."""
        return _call_fields(raw) | {
            "info": pick(raw, "info"),
            "flag": pick(raw, "flag"),
            "infos": pick(raw, "infos"),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class PlayPromptEndReport(CallReport):
    """``PlayPromptEnd``: a prompt started through the API finished playing."""

    prompt: str = ""

    @classmethod
    def parse_fields(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Read the call and the prompt name (an ``ivr`` object stays in ``raw``)."""
        return _call_fields(raw) | {"prompt": pick(raw, "prompt")}


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigChangeReport(Report):
    """``ConfigChange``: an extension or trunk was added, deleted or edited."""

    change_type: str = ""  # "extension" or "trunk"
    operation: str = ""  # "add", "del" or "update"
    extension: str = ""
    trunk_name: str = ""

    @classmethod
    def parse_fields(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Read what changed and how (type and operation lower-cased)."""
        return {
            "change_type": pick(raw, "type").lower(),
            "operation": pick(raw, "operation").lower(),
            "extension": pick(raw, "extid", "number", "extnumber", "extension"),
            "trunk_name": pick(raw, "trunkname", "trunk"),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class BootUpReport(Report):
    """``BootUp``: the PBX started; every token and every call is gone."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UnknownReport(Report):
    """A report this library does not know; ``name`` and ``raw`` say what it was."""


EVENT_TYPES: Final[Mapping[str, type[Report]]] = MappingProxyType(
    {
        "extensionstatus": ExtensionStatusReport,
        "callstatus": CallStatusReport,
        "newcdr": NewCdrReport,
        "invite": InviteReport,
        "callfailed": CallFailedReport,
        "dtmf": DtmfReport,
        "playpromptend": PlayPromptEndReport,
        "configchange": ConfigChangeReport,
        "bootup": BootUpReport,
    }
)
"""Report type by lower-cased report name."""


def _json_kind(value: Any) -> str:
    """Name the JSON type of a decoded value, for error messages."""
    match value:
        case list():
            return "array"
        case str():
            return "string"
        case bool():
            return "boolean"
        case int() | float():
            return "number"
    return "null"


def decode_report(body: bytes | bytearray | str | Mapping[str, Any]) -> dict[str, Any]:
    """Return a report body as a JSON object; raise YeastarReportError when it is not one."""
    if isinstance(body, Mapping):
        return dict(body)
    if isinstance(body, str):
        text = body
    else:
        try:
            text = bytes(body).decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise YeastarReportError("report body is not valid UTF-8") from err
    if not text or text.isspace():
        raise YeastarReportError("report body is empty")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise YeastarReportError(f"report body is not valid JSON: {err}") from err
    if not isinstance(value, dict):
        raise YeastarReportError(
            f"report body is a JSON {_json_kind(value)}, not an object"
        )
    return value


def parse_report(body: bytes | bytearray | str | Mapping[str, Any]) -> Report:
    """Parse any PBX report body into its typed event.

    Raises YeastarReportError, and only that, when the body is not a JSON object.
    """
    raw = decode_report(body)
    name = pick(raw, "event") or pick(raw, "action")
    event_type = EVENT_TYPES.get(name.casefold(), UnknownReport)
    return event_type.from_report(raw, name=name)


def _canonical(value: Any) -> Any:
    """Return a value with every mapping key as text, ready for sorted JSON."""
    if isinstance(value, Mapping):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


def report_fingerprint(
    report: Report | bytes | bytearray | str | Mapping[str, Any],
) -> str:
    """Return a SHA-256 hex digest of a report's canonical JSON (key order ignored).

    Two deliveries of the same report give the same digest whatever their key order or
    whitespace; a body that is not a JSON object, or nested too deeply to digest,
    raises YeastarReportError.
    """
    raw = report.raw if isinstance(report, Report) else decode_report(report)
    try:
        canonical = json.dumps(
            _canonical(raw),
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
    except RecursionError as err:
        raise YeastarReportError("report body is nested too deeply") from err
    return hashlib.sha256(canonical.encode(errors="surrogatepass")).hexdigest()


def is_shallow(body: bytes | bytearray | str) -> bool:
    """Tell whether a body is certainly not nested too deeply to digest (cheaply).

    A body this does not vouch for may still be shallow: ``report_fingerprint`` tells.
    """
    if isinstance(body, str):
        return body.count("[") + body.count("{") < SHALLOW_OPENERS
    return body.count(b"[") + body.count(b"{") < SHALLOW_OPENERS


def same_report(report: Report, other: Report | None) -> bool:
    """Tell whether two reports parsed from bodies have the same fingerprint.

    Only reports whose decoded bodies are equal are digested: decoded JSON objects with
    the same canonical JSON are equal in Python too (their keys are text, and the JSON
    decoder's NaN is one object), while equal ones may still differ in JSON (``1`` and
    ``true``). Both must be digestible (shallow, or digested once already).
    """
    if other is None or report.raw != other.raw:
        return False
    return report_fingerprint(report) == report_fingerprint(other)
