"""Typed, frozen models of what the PBX API returns.

Parsing is tolerant on purpose (see the API reference, section 10): every scalar is
turned into a string, keys are matched case-insensitively, every spelling variant the
reference lists is accepted, and unknown keys are ignored.
"""

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
import re
from typing import Any, Self

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


def _normalise(value: str) -> str:
    """Fold an enum spelling: upper case, single spaces."""
    return " ".join(value.upper().replace("_", " ").split())


class MemberKind(StrEnum):
    """Which side of a call a member is."""

    EXTENSION = "ext"
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class MemberStatus(StrEnum):
    """State of one member of a call (``memberstatus``)."""

    ALERT = "ALERT"  # the caller, hearing ringback
    RING = "RING"  # the callee, ringing
    ANSWERED = "ANSWERED"  # the caller, the far end answered
    ANSWER = "ANSWER"  # the callee, answered
    HOLD = "HOLD"
    BYE = "BYE"

    @classmethod
    def parse(cls, value: str) -> "MemberStatus | None":
        """Return the status for any spelling, None when absent or unknown."""
        folded = _normalise(value)
        if folded == "ANSWERD":
            return cls.ANSWERED
        try:
            return cls(folded)
        except ValueError:
            return None


class CdrStatus(StrEnum):
    """Outcome of a finished call (``NewCdr.status``)."""

    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    VOICEMAIL = "voicemail"
    FAILED = "failed"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: str) -> "CdrStatus":
        """Return the status for any documented spelling (``NO ANSWERED``, ``ANSWERD``)."""
        folded = _normalise(value)
        aliases = {
            "ANSWERED": cls.ANSWERED,
            "ANSWERD": cls.ANSWERED,
            "ANSWER": cls.ANSWERED,
            "NO ANSWER": cls.NO_ANSWER,
            "NO ANSWERED": cls.NO_ANSWER,
            "NOANSWER": cls.NO_ANSWER,
            "BUSY": cls.BUSY,
            "VOICEMAIL": cls.VOICEMAIL,
            "FAILED": cls.FAILED,
        }
        return aliases.get(folded, cls.UNKNOWN)


class CallType(StrEnum):
    """Direction of a finished call (``NewCdr.type``)."""

    INTERNAL = "internal"
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    CALLBACK = "callback"
    TRANSFER = "transfer"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: str) -> "CallType":
        """Return the type for any capitalisation."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            return cls.UNKNOWN


@dataclass(frozen=True, slots=True, kw_only=True)
class Model:
    """Base of every model: a plain-dict view for diagnostics."""

    def to_dict(self) -> dict[str, Any]:
        """Return the model as plain data."""
        return asdict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginResult(Model):
    """Answer to ``login``."""

    token: str
    transport: str  # "HTTP" or "TCP"; "" on older firmware

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a login answer."""
        return cls(token=pick(data, "token"), transport=pick(data, "transport").upper())


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceInfo(Model):
    """The PBX itself (``deviceinfo/query``)."""

    model: str
    serial_number: str
    hardware_version: str
    firmware_version: str
    system_time: str
    uptime: str
    extension_status: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse the ``deviceinfo`` object."""
        return cls(
            model=pick(data, "devicename"),
            serial_number=pick(data, "sn"),
            hardware_version=pick(data, "hardwarever"),
            firmware_version=pick(data, "firmwarever"),
            system_time=pick(data, "systemtime"),
            uptime=pick(data, "uptime"),
            extension_status=pick(data, "extensionstatus"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Extension(Model):
    """One extension as listed by ``extension/list``.

    ``status`` is the PBX's own word (Registered, Idle, Ringing, Busy, Hold,
    Unavailable, Unregistered, Malfunction, Fxsnoport); mapping it to a product state
    is the caller's business.
    """

    number: str
    name: str
    type: str  # "SIP" or "FXS"
    status: str
    agent_id: str = ""
    port: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse one ``extlist`` entry (``number``, or ``extnumber`` in API 1.x)."""
        return cls(
            number=pick(data, "number", "extnumber", "extid"),
            name=pick(data, "username"),
            type=pick(data, "type").upper(),
            status=pick(data, "status"),
            agent_id=pick(data, "agentid"),
            port=pick(data, "port"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtensionSettings(Model):
    """One extension's settings as read by ``extension/query``.

    The named fields are the ones the integration uses; ``raw`` keeps every field the
    PBX sent (the SIP registration password is left out of it).
    """

    number: str
    name: str
    type: str
    status: str
    caller_id: str
    email: str
    mobile: str
    do_not_disturb: bool | None
    always_forward: bool | None
    always_forward_to: str
    no_answer_forward: bool | None
    busy_forward: bool | None
    raw: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse one ``extinfos`` entry (the v1 ``moblie`` typo included)."""
        secret = {"registerpassword", "loginpassword", "vmsecret"}
        return cls(
            number=pick(data, "number", "extnumber", "extid"),
            name=pick(data, "username"),
            type=pick(data, "type").upper(),
            status=pick(data, "status"),
            caller_id=pick(data, "callerid"),
            email=pick(data, "email"),
            mobile=pick(data, "mobile", "moblie"),
            do_not_disturb=as_switch(pick(data, "dnd")),
            always_forward=as_switch(pick(data, "alwaysforward")),
            always_forward_to=pick(data, "atransfernum", "atransferext"),
            no_answer_forward=as_switch(pick(data, "noanswerforward")),
            busy_forward=as_switch(pick(data, "busyforward")),
            raw={
                str(k): as_text(v)
                for k, v in data.items()
                if str(k).lower() not in secret and not isinstance(v, dict | list)
            },
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Trunk(Model):
    """One trunk as listed by ``trunk/list``; ``status`` is the PBX's own word."""

    name: str
    id: str
    type: str  # SIP, IAX, FXO, GSM, BRI, E1, ...
    status: str
    port: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse one ``trunklist`` entry."""
        return cls(
            name=pick(data, "trunkname", "trunk", "name"),
            id=pick(data, "id"),
            type=pick(data, "type").upper(),
            status=pick(data, "status"),
            port=pick(data, "port"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class CallMember(Model):
    """One leg of a call: an extension, or an inbound / outbound trunk leg.

    For an extension leg ``number`` is the extension; for a trunk leg ``from_number``,
    ``to_number`` and ``trunk_name`` describe it. ``status`` is None when the report
    carries no ``memberstatus`` (Invite, Transfer, CallFailed) or an unknown one.
    """

    kind: MemberKind
    number: str = ""
    from_number: str = ""
    to_number: str = ""
    trunk_name: str = ""
    channel_id: str = ""
    status: MemberStatus | None = None
    call_path: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self | None:
        """Parse a ``{"ext": {...}}`` style member; None when it is not one."""
        for key, value in data.items():
            try:
                kind = MemberKind(str(key).strip().lower())
            except ValueError:
                continue
            if not isinstance(value, Mapping):
                continue
            return cls(
                kind=kind,
                number=pick(value, "number", "extnumber", "extid"),
                from_number=pick(value, "from"),
                to_number=pick(value, "to"),
                trunk_name=pick(value, "trunkname", "trunk"),
                channel_id=pick(value, "channelid"),
                status=MemberStatus.parse(pick(value, "memberstatus")),
                call_path=pick(value, "callpath"),
            )
        return None


def parse_members(items: Iterable[Any]) -> tuple[CallMember, ...]:
    """Parse a ``members`` array, skipping entries that are not members."""
    members = (
        CallMember.from_dict(item) for item in items if isinstance(item, Mapping)
    )
    return tuple(member for member in members if member is not None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Call(Model):
    """A call in progress (``call/query``, ``extension/query_call``)."""

    call_id: str
    members: tuple[CallMember, ...]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse one call object."""
        return cls(
            call_id=pick(data, "callid"),
            members=parse_members(pick_list(data, "members")),
        )

    def extension_members(self) -> tuple[CallMember, ...]:
        """Return the extension legs of the call."""
        return tuple(m for m in self.members if m.kind is MemberKind.EXTENSION)


@dataclass(frozen=True, slots=True, kw_only=True)
class Cdr(Model):
    """A finished call's record (``NewCdr``)."""

    call_id: str
    time_start: str
    call_from: str
    call_to: str
    call_duration: int | None
    talk_duration: int | None
    source_trunk: str
    destination_trunk: str
    pin_code: str
    status: CdrStatus
    call_type: CallType
    recording: str
    did_number: str
    agent_ring_time: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse a NewCdr report, every documented spelling included."""
        return cls(
            call_id=pick(data, "callid"),
            time_start=pick(data, "timestart"),
            call_from=pick(data, "callfrom"),
            call_to=pick(data, "callto"),
            call_duration=as_int(pick(data, "callduraction", "callduration")),
            talk_duration=as_int(pick(data, "talkduraction", "talkduration")),
            source_trunk=pick(data, "srctrunkname"),
            destination_trunk=pick(
                data, "dsttrcunkname", "dsttrunkname", "desttrunkname", "dstrunkname"
            ),
            pin_code=pick(data, "pincode"),
            status=CdrStatus.parse(pick(data, "status")),
            call_type=CallType.parse(pick(data, "type")),
            recording=pick(data, "recording"),
            did_number=pick(data, "didnumber"),
            agent_ring_time=pick(data, "agentringtime"),
        )


class ContactNumberKind(StrEnum):
    """Which of a company contact's phone numbers (``companycontacts`` fields)."""

    BUSINESS = "business"  # businessnum
    BUSINESS_2 = "business_2"  # businessnum2
    BUSINESS_FAX = "business_fax"  # businessfax
    MOBILE = "mobile"
    MOBILE_2 = "mobile_2"
    HOME = "home"  # homenum
    HOME_2 = "home_2"  # homenum2
    HOME_FAX = "home_fax"  # homefax
    OTHER = "other"  # othernum


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactNumber(Model):
    """One phone number of a company contact, as the PBX stores it (not normalised)."""

    kind: ContactNumberKind
    number: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CompanyContact(Model):
    """One entry of the PBX's company phone book (``companycontacts/query``)."""

    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    company: str = ""
    business_number: str = ""
    business_number_2: str = ""
    business_fax: str = ""
    mobile: str = ""
    mobile_2: str = ""
    home_number: str = ""
    home_number_2: str = ""
    home_fax: str = ""
    other_number: str = ""
    zip_code: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    country: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Parse one ``companycontacts`` entry (only one source documents its fields)."""
        return cls(
            id=pick(data, "id", "contactid"),
            first_name=pick(data, "firstname"),
            last_name=pick(data, "lastname"),
            email=pick(data, "email"),
            company=pick(data, "company"),
            business_number=pick(data, "businessnum", "businessnumber"),
            business_number_2=pick(data, "businessnum2", "businessnumber2"),
            business_fax=pick(data, "businessfax"),
            mobile=pick(data, "mobile", "mobilenum", "moblie"),
            mobile_2=pick(data, "mobile2", "mobilenum2"),
            home_number=pick(data, "homenum", "homenumber"),
            home_number_2=pick(data, "homenum2", "homenumber2"),
            home_fax=pick(data, "homefax"),
            other_number=pick(data, "othernum", "othernumber"),
            zip_code=pick(data, "zipcode", "zip", "postcode"),
            street=pick(data, "street"),
            city=pick(data, "city"),
            state=pick(data, "state"),
            country=pick(data, "country"),
        )

    @property
    def numbers(self) -> tuple[ContactNumber, ...]:
        """Return every phone number the contact has (faxes included), with its kind."""
        numbers = (
            (ContactNumberKind.BUSINESS, self.business_number),
            (ContactNumberKind.BUSINESS_2, self.business_number_2),
            (ContactNumberKind.BUSINESS_FAX, self.business_fax),
            (ContactNumberKind.MOBILE, self.mobile),
            (ContactNumberKind.MOBILE_2, self.mobile_2),
            (ContactNumberKind.HOME, self.home_number),
            (ContactNumberKind.HOME_2, self.home_number_2),
            (ContactNumberKind.HOME_FAX, self.home_fax),
            (ContactNumberKind.OTHER, self.other_number),
        )
        return tuple(
            ContactNumber(kind=kind, number=number)
            for kind, number in numbers
            if number
        )

    @property
    def display_name(self) -> str:
        """Return "first last", else the company, else "" (a contact with a number only)."""
        return " ".join(part for part in (self.first_name, self.last_name) if part) or (
            self.company
        )
