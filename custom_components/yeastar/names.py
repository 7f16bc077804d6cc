"""Who a phone number belongs to: the office's extensions, its contacts, the user's book.

A number is shown with its name wherever one is known (``describe``). Three sources, the
first that knows a number wins: the phone book the user keeps in the options, the PBX's
extensions (their users' names), the PBX's company contacts. Numbers match whatever form
they are written in: spaces, dashes, dots and brackets are ignored, and an international
form (``+31 6 12345678``, ``0031612345678``) matches the national one (``06-12345678``)
for the country calling code of the office (the options, else Home Assistant's country).
Short numbers (extensions, ``112``) match as they are.
"""

from collections.abc import Iterable, Mapping
import re
from typing import Final

# Country calling codes (ITU-T E.164) by ISO 3166 alpha-2 country, as Home Assistant
# stores its country setting.
_CALLING_CODE_TABLE: Final = """
AD:376 AE:971 AF:93 AG:1 AI:1 AL:355 AM:374 AO:244 AR:54 AS:1 AT:43 AU:61 AW:297 AX:358
AZ:994 BA:387 BB:1 BD:880 BE:32 BF:226 BG:359 BH:973 BI:257 BJ:229 BL:590 BM:1 BN:673
BO:591 BQ:599 BR:55 BS:1 BT:975 BW:267 BY:375 BZ:501 CA:1 CD:243 CF:236 CG:242 CH:41
CI:225 CK:682 CL:56 CM:237 CN:86 CO:57 CR:506 CU:53 CV:238 CW:599 CY:357 CZ:420 DE:49
DJ:253 DK:45 DM:1 DO:1 DZ:213 EC:593 EE:372 EG:20 ER:291 ES:34 ET:251 FI:358 FJ:679
FK:500 FM:691 FO:298 FR:33 GA:241 GB:44 GD:1 GE:995 GF:594 GG:44 GH:233 GI:350 GL:299
GM:220 GN:224 GP:590 GQ:240 GR:30 GT:502 GU:1 GW:245 GY:592 HK:852 HN:504 HR:385 HT:509
HU:36 ID:62 IE:353 IL:972 IM:44 IN:91 IQ:964 IR:98 IS:354 IT:39 JE:44 JM:1 JO:962 JP:81
KE:254 KG:996 KH:855 KI:686 KM:269 KN:1 KP:850 KR:82 KW:965 KY:1 KZ:7 LA:856 LB:961
LC:1 LI:423 LK:94 LR:231 LS:266 LT:370 LU:352 LV:371 LY:218 MA:212 MC:377 MD:373 ME:382
MF:590 MG:261 MH:692 MK:389 ML:223 MM:95 MN:976 MO:853 MP:1 MQ:596 MR:222 MS:1 MT:356
MU:230 MV:960 MW:265 MX:52 MY:60 MZ:258 NA:264 NC:687 NE:227 NG:234 NI:505 NL:31 NO:47
NP:977 NR:674 NU:683 NZ:64 OM:968 PA:507 PE:51 PF:689 PG:675 PH:63 PK:92 PL:48 PM:508
PR:1 PS:970 PT:351 PW:680 PY:595 QA:974 RE:262 RO:40 RS:381 RU:7 RW:250 SA:966 SB:677
SC:248 SD:249 SE:46 SG:65 SH:290 SI:386 SK:421 SL:232 SM:378 SN:221 SO:252 SR:597 SS:211
ST:239 SV:503 SX:1 SY:963 SZ:268 TC:1 TD:235 TG:228 TH:66 TJ:992 TL:670 TM:993 TN:216
TO:676 TR:90 TT:1 TV:688 TW:886 TZ:255 UA:380 UG:256 US:1 UY:598 UZ:998 VA:39 VC:1 VE:58
VG:1 VI:1 VN:84 VU:678 WF:681 WS:685 XK:383 YE:967 YT:262 ZA:27 ZM:260 ZW:263
"""
_CALLING_CODES: Final = dict(entry.split(":") for entry in _CALLING_CODE_TABLE.split())
# Where the leading 0 of a national number is part of the number (no trunk prefix).
_ZERO_KEPT: Final = frozenset({"39", "378"})
_NANP: Final = "1"  # North America: national numbers have ten digits, no 0 prefix
_IGNORED: Final = re.compile(r"[\s\-./()]")


def with_name(number: str, name: str | None) -> str:
    """Return a number with its name, e.g. ``Plumber (0612345678)``; the number alone."""
    return f"{name} ({number})" if name else number


def calling_code(country: str | None) -> str:
    """Return the calling code of an ISO 3166 country ("" when unknown)."""
    return _CALLING_CODES.get((country or "").upper(), "")


def number_key(number: str, code: str) -> str:
    """Return a number in the one form numbers are matched in (international digits).

    ``code`` is the office's country calling code ("": national forms are kept as they
    are). Short numbers, extensions among them, stay as they are.
    """
    digits = _IGNORED.sub("", number)
    if digits.startswith("+"):
        return digits[1:]
    if digits.startswith("00"):
        return digits[2:]
    if not code or not digits.isdigit():
        return digits
    if code == _NANP:
        if len(digits) == 10:
            return _NANP + digits
        return digits
    if digits.startswith("0") and len(digits) > 4:
        return code + (digits if code in _ZERO_KEPT else digits[1:])
    return digits


class NameBook:
    """The names of the numbers the office knows, from every source (module docstring)."""

    def __init__(self) -> None:
        """Know no name yet."""
        self._code = ""
        self._names: dict[str, str] = {}

    def rebuild(
        self,
        *,
        code: str,
        phone_book: Mapping[str, str],
        extensions: Mapping[str, str],
        contacts: Iterable[tuple[str, str]],
    ) -> None:
        """Take every source again: the user's book, the extensions, the contacts.

        ``extensions``: name by extension number; ``contacts``: (number, name) pairs.
        """
        names: dict[str, str] = {}
        for number, name in contacts:
            if name and (key := number_key(number, code)):
                names.setdefault(key, name)
        for number, name in extensions.items():
            if name and name != number:
                names[number_key(number, code)] = name
        for number, name in phone_book.items():
            if name and (key := number_key(number, code)):
                names[key] = name
        self._code, self._names = code, names

    def key(self, number: str) -> str:
        """Return a number in its matching form."""
        return number_key(number, self._code)

    def name_of(self, number: str) -> str | None:
        """Return the name of a number, None when nobody is known by it."""
        return self._names.get(self.key(number)) if number else None

    def describe(self, number: str) -> str:
        """Return a number with its name when one is known (``with_name``)."""
        return with_name(number, self.name_of(number))
