"""Call records downloaded as CSV (``cdr/download``, API reference section 5.8).

The real file's column set and order are not documented. Parsing is therefore led by the
header row, tolerant on purpose: names are matched case-insensitively and without spaces,
underscores or dashes ("Call From" is ``callfrom``), every spelling the reference lists for
the ``NewCdr`` fields is accepted (``callduraction``, ``dsttrcunkname`` ...), unknown
columns are ignored, a byte order mark, CRLF or LF line ends and quoted fields are fine,
and the delimiter may be a comma, a semicolon or a tab. An empty body, or one without a
recognisable header (a "no records" text), holds no record.
"""

import csv
import io
import re

from .callmodels import Cdr

_KNOWN_COLUMNS = frozenset(
    {
        "callid",
        "timestart",
        "callfrom",
        "callto",
        "callduraction",
        "callduration",
        "talkduraction",
        "talkduration",
        "srctrunkname",
        "dsttrcunkname",
        "dsttrunkname",
        "desttrunkname",
        "dstrunkname",
        "pincode",
        "status",
        "type",
        "recording",
        "didnumber",
        "agentringtime",
    }
)
_DELIMITERS = (",", ";", "\t")
_SEPARATORS = re.compile(r"[\s_\-]+")


def _column(name: str) -> str:
    """Return a header name folded for matching: lower case, no spaces, _ or -."""
    return _SEPARATORS.sub("", name.strip().lstrip("\ufeff")).lower()


def _rows(text: str, delimiter: str) -> list[list[str]]:
    """Return the non-blank rows of a CSV text."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [row for row in reader if any(cell.strip() for cell in row)]


def _known(row: list[str]) -> int:
    """Return how many cells of a row name a known column."""
    return sum(_column(cell) in _KNOWN_COLUMNS for cell in row)


def parse_cdr_csv(data: bytes | str) -> list[Cdr]:
    """Return the call records of a ``cdr/download`` body, in the file's order."""
    text = (
        data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    )
    text = text.lstrip("\ufeff")
    best: list[list[str]] = []
    for delimiter in _DELIMITERS:
        rows = _rows(text, delimiter)
        if rows and (not best or _known(rows[0]) > _known(best[0])):
            best = rows
    if not best or not _known(best[0]):
        return []
    header = [_column(cell) for cell in best[0]]
    records = []
    for row in best[1:]:
        if [_column(cell) for cell in row] == header:
            continue  # the header again (files put together)
        fields = {
            name: value
            for name, value in zip(header, row, strict=False)
            if name in _KNOWN_COLUMNS
        }
        records.append(Cdr.from_dict(fields))
    return records
