"""Typed, frozen models of what the PBX API returns: the system, extensions, trunks, contacts.

Parsing is tolerant on purpose (see the API reference, section 10): every scalar is
turned into a string, keys are matched case-insensitively, every spelling variant the
reference lists is accepted, and unknown keys are ignored. Calls and call records are in
``callmodels.py``.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import timezone
from enum import StrEnum
from typing import Any, Self

from .text import as_switch, as_text, pick, zone_of_system_time


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
class SystemInfo(Model):
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

    @property
    def time_zone(self) -> timezone | None:
        """Return the PBX's UTC offset, from the label that ends ``systemtime``."""
        return zone_of_system_time(self.system_time)


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
