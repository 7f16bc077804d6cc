"""Call records and their CSV download with single-use randoms (section 5.8).

Decisions where the reference is silent or only inferred:
- the parameters are `number`, `starttime`, `endtime` (the v2 name `number` is [INF]) in
  both steps; `number` is "all", an extension number or an outside number (a comma list is
  accepted too); a record belongs to a number when it is its `callfrom` or `callto`, or the
  answering extension of a group (`6300(1001)`);
- times are "YYYY-MM-DD HH:MM:SS" in PBX local time, compared with `timestart`, both ends
  included; a malformed time, or a start after the end, is 20019; a blank one 10004;
- cdr/get_random answers 20021 when the window holds no record, and so does the download
  when the records are gone meanwhile;
- the random is single use and lives `cdr_random_lifetime` (about 30 s, like recording
  randoms); it is bound to the number and window it was asked for: anything else is 20020;
- the real CSV's column set and order are unknown: the simulator writes a header row with
  the NewCdr field names, spellings of the reference included (`callduraction`,
  `dsttrcunkname`), then one row per record in time order, UTF-8 without BOM, CRLF lines.
"""

from collections.abc import Iterable, Mapping
import csv
from dataclasses import dataclass
from datetime import datetime
import io
import secrets

from .auth import Clock
from .wire import ApiError, Errno

CDR_COLUMNS = (
    "callid",
    "timestart",
    "callfrom",
    "callto",
    "callduraction",
    "talkduraction",
    "srctrunkname",
    "dsttrcunkname",
    "pincode",
    "status",
    "type",
    "recording",
    "didnumber",
    "agentringtime",
)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def parse_time(value: str) -> datetime:
    """Return a "YYYY-MM-DD HH:MM:SS" time, or raise 20019."""
    try:
        return datetime.strptime(value.strip(), TIME_FORMAT)
    except ValueError as err:
        raise ApiError(Errno.CDR_TIME_FORMAT, f"bad time {value!r}") from err


def involves(record: Mapping[str, str], number: str) -> bool:
    """Return True when a record is a call of that number ("all": every record)."""
    if number.lower() == "all":
        return True
    wanted = {part.strip() for part in number.split(",") if part.strip()}
    callto = record.get("callto", "")
    group, _, answered = callto.partition("(")
    parties = {record.get("callfrom", ""), callto, group, answered.rstrip(")")}
    return bool(wanted & parties)


def to_csv(records: Iterable[Mapping[str, str]]) -> bytes:
    """Return the CSV of records: a header row, then one row per record."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CDR_COLUMNS)
    for record in records:
        writer.writerow([record.get(column, "") for column in CDR_COLUMNS])
    return buffer.getvalue().encode()


@dataclass(frozen=True)
class _Grant:
    """A random handed out for one number and window."""

    number: str
    start: str
    end: str
    expires: float
    allowed_ip: str


class CdrStore:
    """The PBX's call records (shared with the engine) and their download randoms."""

    def __init__(
        self, records: Iterable[Mapping[str, str]], clock: Clock, lifetime: float
    ) -> None:
        """Serve the given records (a live collection); randoms live `lifetime` seconds."""
        self._records = records
        self._clock = clock
        self._lifetime = lifetime
        self._grants: dict[str, _Grant] = {}

    def select(self, number: str, start: str, end: str) -> list[Mapping[str, str]]:
        """Return the records of a number within a window, oldest first (20019, 20021)."""
        first, last = parse_time(start), parse_time(end)
        if first > last:
            raise ApiError(Errno.CDR_TIME_FORMAT, "the start is after the end")
        chosen = []
        for record in self._records:
            try:
                started = datetime.strptime(record.get("timestart", ""), TIME_FORMAT)
            except ValueError:
                continue
            if first <= started <= last and involves(record, number):
                chosen.append((started, record))
        if not chosen:
            raise ApiError(Errno.NO_CDR, f"no record of {number} from {start} to {end}")
        chosen.sort(key=lambda item: item[0])
        return [record for _, record in chosen]

    def grant(self, number: str, start: str, end: str, allowed_ip: str = "") -> str:
        """Return a new random for the records of a window (20019, 20021)."""
        self.select(number, start, end)
        random = secrets.token_hex(16)
        self._grants[random] = _Grant(
            number, start, end, self._clock() + self._lifetime, allowed_ip
        )
        return random

    def download(
        self, number: str, start: str, end: str, random: str, source: str
    ) -> bytes:
        """Use a random once and return the CSV (20020 bad random, 20015 wrong address)."""
        grant = self._grants.get(random)
        if (
            grant is None
            or (grant.number, grant.start, grant.end) != (number, start, end)
            or self._clock() > grant.expires
        ):
            raise ApiError(Errno.CDR_RANDOM_INVALID, "random invalid")
        if grant.allowed_ip and grant.allowed_ip != source:
            raise ApiError(Errno.ALLOWEDIP_ERROR, f"{source} is not {grant.allowed_ip}")
        del self._grants[random]
        return to_csv(self.select(number, start, end))

    def clear_grants(self) -> None:
        """Forget every random (reboot)."""
        self._grants.clear()
