"""The simulated office: extensions, trunks and PBX identity, plus a realistic sample."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta, timezone
import hashlib
import json
from pathlib import Path
import re
from typing import Any, Self

SWITCH_SETTINGS = frozenset(
    {
        "hasvoicemail",
        "alwaysforward",
        "noanswerforward",
        "busyforward",
        "enablemobile",
        "ringsimultaneous",
        "allowbeingmonitored",
        "dnd",
        "callrestriction",
    }
)
FORWARD_SETTINGS = frozenset(
    {
        "alwaysforward",
        "noanswerforward",
        "busyforward",
        *(
            f"{prefix}transfer{part}"
            for prefix in "anb"
            for part in ("to", "ext", "prefix", "num")
        ),
    }
)
CONTACT_FIELDS = (
    "firstname",
    "lastname",
    "email",
    "company",
    "businessnum",
    "businessnum2",
    "businessfax",
    "mobile",
    "mobile2",
    "homenum",
    "homenum2",
    "homefax",
    "othernum",
    "zipcode",
    "street",
    "city",
    "state",
    "country",
)
MODEL_CAPACITY = {"S20": 20, "S50": 50, "S100": 100, "S300": 300, "S412": 12}
AVAILABLE_TRUNK_STATUSES = frozenset({"registered", "idle", "up", "ok", "unknown"})
SINGLE_CHANNEL_TRUNK_TYPES = frozenset({"FXO", "GSM", "UMTS", "LTE"})


def default_settings(number: str, name: str) -> dict[str, str]:
    """Return the extension/query settings a freshly created extension has."""
    settings = {
        "callerid": number,
        "registername": number,
        "registerpassword": f"Ys{hashlib.sha256(number.encode()).hexdigest()[:10]}",
        "maxregistrations": "1",
        "loginpassword": hashlib.md5(
            f"{number}pass".encode(), usedforsecurity=False
        ).hexdigest(),
        "email": f"{name.lower().replace(' ', '.')}@example.com" if name else "",
        "mobile": "",
        "language": "System Default",
        "hasvoicemail": "on",
        "vmsecret": number,
        "enablevmtoemail": "off",
        "enablemobile": "off",
        "ringsimultaneous": "off",
        "mobileprefix": "",
        "allowbeingmonitored": "off",
        "monitormode": "Disabled",
        "ringtimeout": "30",
        "maxduration": "Follow System",
        "dnd": "off",
        "callrestriction": "off",
        "agentid": "",
    }
    for prefix, kind in (("a", "always"), ("n", "noanswer"), ("b", "busy")):
        settings[f"{kind}forward"] = "off"
        settings[f"{prefix}transferto"] = "Voicemail"
        settings[f"{prefix}transferext"] = ""
        settings[f"{prefix}transferprefix"] = ""
        settings[f"{prefix}transfernum"] = ""
    return settings


WRITABLE_SETTINGS = frozenset({*default_settings("0", ""), "username"})


def port_index(port: str, fallback: str = "1") -> str:
    """Return the number in a port label such as "Port3" (the DAHDI channel number)."""
    digits = re.findall(r"\d+", port)
    return digits[-1] if digits else fallback


@dataclass(kw_only=True)
class SimExtension:
    """One extension of the office (SIP phone or analog FXS port)."""

    number: str
    name: str = ""
    type: str = "SIP"
    port: str = ""
    monitored: bool = True
    registered: bool = True
    outbound_permission: bool = True
    registered_ip: str = ""
    settings: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Fill every extension/query setting the caller did not give."""
        self.type = self.type.upper()
        given = {key: str(value) for key, value in self.settings.items()}
        self.settings = default_settings(self.number, self.name) | given
        if not self.registered_ip:
            self.registered_ip = f"192.168.1.{100 + int(self.number[-2:]) if self.number[-2:].isdigit() else 100}"

    def apply(self, changes: Mapping[str, str]) -> None:
        """Write extension/update settings; raise ValueError for what the PBX refuses (10017).

        Unknown keys are ignored. Quirk kept from the reference (section 5.2.4): sending
        ringtimeout/maxduration together with forwarding fields fails.
        """
        writable = {
            key: str(value)
            for key, value in changes.items()
            if key in WRITABLE_SETTINGS
        }
        for key in SWITCH_SETTINGS & writable.keys():
            writable[key] = writable[key].lower()
            if writable[key] not in {"on", "off"}:
                raise ValueError(f"{key} must be on or off")
        if writable.get("maxregistrations", "1") not in {"1", "2", "3", "4", "5"}:
            raise ValueError("maxregistrations must be 1 to 5")
        if {
            "ringtimeout",
            "maxduration",
        } & writable.keys() and FORWARD_SETTINGS & writable.keys():
            raise ValueError(
                "ringtimeout/maxduration cannot be written with forwarding settings"
            )
        if "username" in writable:
            self.name = writable.pop("username")
        self.settings.update(writable)

    @property
    def is_fxs(self) -> bool:
        """Return True for an analog (FXS) extension."""
        return self.type == "FXS"

    @property
    def online(self) -> bool:
        """Return True when a phone can ring: registered SIP phone or FXS with a port."""
        return bool(self.port) if self.is_fxs else self.registered

    @property
    def dnd(self) -> bool:
        """Return True while Do Not Disturb is on."""
        return self.settings.get("dnd", "off").lower() == "on"

    @property
    def has_voicemail(self) -> bool:
        """Return True when the extension has a voicemail box (hasvoicemail on)."""
        return self.settings.get("hasvoicemail", "off").lower() == "on"

    @property
    def ring_timeout(self) -> float | None:
        """Return how long the extension rings before the PBX gives up (ringtimeout).

        The reference gives no range: a value that is not a positive number of seconds
        makes the simulator ring until someone acts (a decision of the simulator).
        """
        value = self.settings.get("ringtimeout", "").strip()
        return float(value) if value.isdigit() and int(value) > 0 else None

    @property
    def idle_list_status(self) -> str:
        """Return the extension/list status word when the extension is in no call."""
        if self.is_fxs:
            return "Idle" if self.port else "Fxsnoport"
        return "Registered" if self.registered else "Unavailable"

    @property
    def idle_event_status(self) -> str:
        """Return the ExtensionStatus word for "not in a call" (Registered/Unregistered/Idle)."""
        if self.is_fxs:
            return "Idle"
        return "Registered" if self.registered else "Unregistered"


@dataclass(kw_only=True)
class SimTrunk:
    """One trunk of the office (SIP, IAX, FXO, GSM, BRI, E1)."""

    name: str
    type: str = "SIP"
    status: str = "Registered"
    port: str = ""
    monitored: bool = True
    did: str = ""
    control_inbound: bool = False
    id: str = ""

    def __post_init__(self) -> None:
        """Normalise the trunk type."""
        self.type = self.type.upper()

    @property
    def available(self) -> bool:
        """Return True when the trunk can carry a new outbound call."""
        return self.status.lower() in AVAILABLE_TRUNK_STATUSES

    @property
    def single_channel(self) -> bool:
        """Return True for trunks that carry one call at a time (FXO, GSM ...)."""
        return self.type in SINGLE_CHANNEL_TRUNK_TYPES


@dataclass(kw_only=True)
class SimContact:
    """One company contact (section 5.3: companycontacts/query), every field a string.

    The id is given by the office when blank (the next free number).
    """

    id: str = ""
    firstname: str = ""
    lastname: str = ""
    email: str = ""
    company: str = ""
    businessnum: str = ""
    businessnum2: str = ""
    businessfax: str = ""
    mobile: str = ""
    mobile2: str = ""
    homenum: str = ""
    homenum2: str = ""
    homefax: str = ""
    othernum: str = ""
    zipcode: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    country: str = ""

    def __post_init__(self) -> None:
        """Keep every field as a string, as the PBX shows it."""
        for name in ("id", *CONTACT_FIELDS):
            setattr(self, name, str(getattr(self, name)).strip())

    def apply(self, changes: Mapping[str, Any]) -> None:
        """Change fields; an unknown field (or the id) raises ValueError."""
        unknown = set(changes) - set(CONTACT_FIELDS)
        if unknown:
            raise ValueError(f"unknown contact fields {sorted(unknown)}")
        for name, value in changes.items():
            setattr(self, name, str(value).strip())

    def wire(self) -> dict[str, str]:
        """Return the contact as companycontacts/query lists it."""
        return {"id": self.id, **{name: getattr(self, name) for name in CONTACT_FIELDS}}


@dataclass(kw_only=True)
class Office:
    """The PBX identity and its configuration (extensions, trunks, prompts)."""

    serial_number: str = "369451090405"
    model: str = "Yeastar S100"
    firmware: str = "30.13.0.30"
    hardware: str = "V1.10 0000-0000"
    utc_offset: float = 0.0
    capacity: int = 0
    extensions: list[SimExtension] = field(default_factory=list)
    trunks: list[SimTrunk] = field(default_factory=list)
    prompts: list[str] = field(
        default_factory=lambda: ["welcome", "goodbye", "please-hold", "holiday"]
    )
    record_calls: bool = True
    contacts: list[SimContact] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Derive the capacity from the model name; give trunks and contacts their ids."""
        if not self.capacity:
            match = re.search(r"S\d+", self.model)
            self.capacity = MODEL_CAPACITY.get(match.group(0) if match else "", 100)
        self._number_trunks()
        contacts, self.contacts = self.contacts, []
        for contact in contacts:
            self.add_contact(contact)

    def _number_trunks(self) -> None:
        """Give each trunk without an id the next free one."""
        used = {trunk.id for trunk in self.trunks}
        next_id = 1
        for trunk in self.trunks:
            if trunk.id:
                continue
            while str(next_id) in used:
                next_id += 1
            trunk.id = str(next_id)
            used.add(trunk.id)

    def local_now(self) -> datetime:
        """Return the PBX's wall-clock time in its own time zone."""
        return datetime.now(UTC).astimezone(timezone(timedelta(hours=self.utc_offset)))

    @property
    def utc_label(self) -> str:
        """Return the zone label of deviceinfo's systemtime, e.g. "UTC+1" or "UTC+5:30"."""
        hours, minutes = divmod(round(abs(self.utc_offset) * 60), 60)
        sign = "-" if self.utc_offset < 0 else "+"
        return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")

    def extension(self, number: str) -> SimExtension | None:
        """Return the extension with that number, if any."""
        return next((ext for ext in self.extensions if ext.number == number), None)

    def trunk(self, name: str) -> SimTrunk | None:
        """Return the trunk with that name (case-insensitive), if any."""
        return next(
            (trunk for trunk in self.trunks if trunk.name.lower() == name.lower()), None
        )

    def add_extension(self, extension: SimExtension) -> None:
        """Add an extension; its number must be new."""
        if self.extension(extension.number):
            raise ValueError(f"extension {extension.number} already exists")
        self.extensions.append(extension)

    def remove_extension(self, number: str) -> SimExtension:
        """Remove and return an extension."""
        extension = self.extension(number)
        if extension is None:
            raise KeyError(number)
        self.extensions.remove(extension)
        return extension

    def add_trunk(self, trunk: SimTrunk) -> None:
        """Add a trunk; its name must be new."""
        if self.trunk(trunk.name):
            raise ValueError(f"trunk {trunk.name} already exists")
        self.trunks.append(trunk)
        self._number_trunks()

    def remove_trunk(self, name: str) -> SimTrunk:
        """Remove and return a trunk."""
        trunk = self.trunk(name)
        if trunk is None:
            raise KeyError(name)
        self.trunks.remove(trunk)
        return trunk

    def contact(self, contact_id: str) -> SimContact | None:
        """Return the company contact with that id, if any."""
        return next((c for c in self.contacts if c.id == contact_id), None)

    def add_contact(self, contact: SimContact) -> SimContact:
        """Add a company contact, giving it the next free id when it has none."""
        if not contact.id:
            used = {int(c.id) for c in self.contacts if c.id.isdigit()}
            contact.id = str(max(used, default=0) + 1)
        elif self.contact(contact.id):
            raise ValueError(f"contact {contact.id} already exists")
        self.contacts.append(contact)
        return contact

    def remove_contact(self, contact_id: str) -> SimContact:
        """Remove and return a company contact."""
        contact = self.contact(contact_id)
        if contact is None:
            raise KeyError(contact_id)
        self.contacts.remove(contact)
        return contact

    def is_internal_number(self, number: str) -> bool:
        """Return True when a dialled number is in the extension numbering plan.

        The reference gives no dial plan; the simulator treats a number as internal when it
        has the length of the configured extension numbers (so "1009" is an unknown internal
        number, "112" or "0612345678" go out through a trunk).
        """
        return any(len(number) == len(ext.number) for ext in self.extensions)

    def outbound_trunk(self, preferred: str | None = None) -> SimTrunk | None:
        """Return the trunk an outbound call would take, None when none is available."""
        candidates = [self.trunk(preferred)] if preferred else self.trunks
        return next((trunk for trunk in candidates if trunk and trunk.available), None)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build an office from plain data (the CLI's --office JSON file)."""
        lists = {"extensions", "trunks", "contacts"}
        known = {item.name for item in fields(cls)} - lists
        return cls(
            **{key: value for key, value in data.items() if key in known},
            extensions=[SimExtension(**ext) for ext in data.get("extensions", [])],
            trunks=[SimTrunk(**trunk) for trunk in data.get("trunks", [])],
            contacts=[SimContact(**contact) for contact in data.get("contacts", [])],
        )

    @classmethod
    def from_json_file(cls, path: Path) -> Self:
        """Read an office from a JSON file."""
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def sample(cls) -> Self:
        """Return a realistic small office: 14 extensions (SIP and FXS), 4 trunks, 6 contacts."""
        return cls(
            utc_offset=1.0,
            extensions=[*_sample_extensions()],
            contacts=[*_sample_contacts()],
            trunks=[
                SimTrunk(
                    name="SIPTrunk1", type="SIP", status="Registered", did="5551234"
                ),
                SimTrunk(
                    name="SIPTrunk2",
                    type="SIP",
                    status="Registered",
                    did="5555678",
                    control_inbound=True,
                ),
                SimTrunk(
                    name="FXO1",
                    type="FXO",
                    status="Idle",
                    port="Port3",
                    did="5550001",
                    monitored=False,
                ),
                SimTrunk(
                    name="GSM1",
                    type="GSM",
                    status="Idle",
                    port="Port4",
                    did="0687654321",
                ),
            ],
        )


def _sample_extensions() -> Iterable[SimExtension]:
    """Yield the extensions of the sample office."""
    sip = [
        ("1000", "Reception"),
        ("1001", "Sales"),
        ("1002", "Support"),
        ("1003", "Accounting"),
        ("1004", "Management"),
        ("1005", "Warehouse"),
        ("1006", "Meeting Room"),
        ("1007", "IT Desk"),
        ("1010", "Human Resources"),
        ("1011", "Marketing"),
        ("1012", "Lobby"),
    ]
    # Shared phones have no voicemail box: their unanswered calls end as missed.
    no_voicemail = {"1005", "1006", "1012", "1008", "1009", "1013"}
    off = {"hasvoicemail": "off"}
    for number, name in sip:
        yield SimExtension(
            number=number,
            name=name,
            registered=number != "1006",
            monitored=number != "1012",
            outbound_permission=number not in {"1005", "1012"},
            settings=off if number in no_voicemail else {},
        )
    yield SimExtension(
        number="1008", name="Fax", type="FXS", port="Port1", settings=off
    )
    yield SimExtension(
        number="1009", name="Door Phone", type="FXS", port="Port2", settings=off
    )
    yield SimExtension(
        number="1013",
        name="Spare Analog",
        type="FXS",
        port="",
        monitored=False,
        settings=off,
    )


def _sample_contacts() -> Iterable[SimContact]:
    """Yield the company contacts of the sample office (numbers in the forms people type)."""
    yield SimContact(
        firstname="Piet",
        lastname="Jansen",
        company="Jansen Loodgieters",
        email="piet@jansenloodgieters.example",
        mobile="0612345678",  # the outside caller of many tests and demos
        businessnum="030 234 5678",
        street="Dorpsstraat 12",
        zipcode="3511 AB",
        city="Utrecht",
        country="Netherlands",
    )
    yield SimContact(
        company="Office Supplies B.V.",
        email="orders@officesupplies.example",
        businessnum="+31201234567",
        businessfax="+31201234599",
        street="Industrieweg 4",
        zipcode="1014 BA",
        city="Amsterdam",
        country="Netherlands",
    )
    yield SimContact(
        firstname="Anna",
        lastname="de Vries",
        company="De Vries Architecten",
        email="anna@devries-architecten.example",
        businessnum="020-5551234",  # national form with a dash
        mobile="+31 6 23456789",  # international form with spaces
        homenum="0031 20 5559876",  # international form with 00
        city="Amsterdam",
        country="Netherlands",
    )
    yield SimContact(
        firstname="Klaus",
        lastname="Becker",
        company="Becker Elektrotechnik GmbH",
        email="k.becker@becker-elektro.example",
        businessnum="+49 30 1234567",
        mobile="+49 151 23456789",
        mobile2="+31 6 34567890",
        city="Berlin",
        state="Berlin",
        country="Germany",
    )
    yield SimContact(
        company="Snelle Koeriers",
        othernum="0900 1234567",
        city="Rotterdam",
        country="Netherlands",
    )
    yield SimContact(
        firstname="Sophie",
        lastname="Bakker",
        email="sophie.bakker@example.com",
        homenum="010 7654321",
        homefax="010 7654322",
        mobile="06 45678901",
        homenum2="+31107654323",
        country="Netherlands",
    )
