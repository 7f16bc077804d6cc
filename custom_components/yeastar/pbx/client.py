"""Async client of the Yeastar S-Series PBX API 2.0.0: every endpoint the integration uses.

One ``YeastarClient`` talks to one PBX through an injected ``aiohttp.ClientSession``; it
owns the API token (``auth.py``: the login discipline) and speaks HTTP through
``transport.py``.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from .auth import ApiSession, ReportDestination
from .callmodels import Call, Cdr
from .cdr import parse_cdr_csv
from .errors import YeastarApiError
from .models import CompanyContact, Extension, ExtensionSettings, SystemInfo, Trunk
from .text import pick, pick_list
from .transport import API_PATH

__all__ = ["ReportDestination", "YeastarClient"]

ALL = "all"
ERRNO_NO_CDR = "20021"
PBX_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def _yes_no(value: bool) -> str:
    """Return a bool as the PBX's "yes"/"no"."""
    return "yes" if value else "no"


def _number_list(numbers: Iterable[str] | None) -> str:
    """Return extension numbers as the PBX's comma list, or "all" for None."""
    if numbers is None:
        return ALL
    return ",".join(numbers)


def _mappings(items: Iterable[Any]) -> list[Mapping[str, Any]]:
    """Return the entries of a PBX array that are objects."""
    return [item for item in items if isinstance(item, Mapping)]


class YeastarClient(ApiSession):
    """Client of one Yeastar S-Series PBX, owning its API token."""

    # -- system, extensions, trunks -----------------------------------------

    async def device_info(self) -> SystemInfo:
        """Return the PBX's model, serial number and firmware."""
        payload = await self._request("deviceinfo/query")
        lowered = {str(key).lower(): value for key, value in payload.items()}
        info = lowered.get("deviceinfo")
        return SystemInfo.from_dict(info if isinstance(info, Mapping) else {})

    async def extensions(self) -> list[Extension]:
        """Return every extension with its status."""
        payload = await self._request("extension/list")
        return [
            Extension.from_dict(e) for e in _mappings(pick_list(payload, "extlist"))
        ]

    async def extension_settings(
        self, numbers: Iterable[str] | None = None
    ) -> list[ExtensionSettings]:
        """Return the settings of some extensions (None: all of them)."""
        number = _number_list(numbers)
        if not number:
            return []
        payload = await self._request("extension/query", {"number": number})
        return [
            ExtensionSettings.from_dict(entry)
            for entry in _mappings(pick_list(payload, "extinfos"))
        ]

    async def extension_calls(
        self, numbers: Iterable[str] | None = None
    ) -> dict[str, tuple[Call, ...]]:
        """Return the calls in progress of some extensions (None: all), by number."""
        number = _number_list(numbers)
        if not number:
            return {}
        payload = await self._request("extension/query_call", {"number": number})
        return {
            pick(entry, "number", "extnumber", "extid"): tuple(
                Call.from_dict(call)
                for call in _mappings(pick_list(entry, "numbercalls", "calls"))
            )
            for entry in _mappings(pick_list(payload, "calllist"))
        }

    async def update_extension(self, number: str, **settings: str) -> None:
        """Change settings of an extension (``extension/update`` field names)."""
        await self._request("extension/update", {"number": number} | settings)

    async def set_do_not_disturb(self, number: str, enabled: bool) -> None:
        """Switch an extension's do-not-disturb on or off."""
        await self.update_extension(number, dnd="on" if enabled else "off")

    async def trunks(self) -> list[Trunk]:
        """Return every trunk with its status."""
        payload = await self._request("trunk/list")
        return [Trunk.from_dict(t) for t in _mappings(pick_list(payload, "trunklist"))]

    async def company_contacts(
        self, contact_id: str | None = None
    ) -> list[CompanyContact]:
        """Return the PBX's company contacts: all of them, or the one with that id."""
        payload = await self._request(
            "companycontacts/query", {"id": ALL if contact_id is None else contact_id}
        )
        return [
            CompanyContact.from_dict(entry)
            for entry in _mappings(pick_list(payload, "companycontacts", "contacts"))
        ]

    # -- call control --------------------------------------------------------

    async def dial(
        self,
        caller: str,
        callee: str,
        *,
        auto_answer: bool = False,
        dial_permission: str | None = None,
    ) -> str:
        """Ring ``caller``, then connect it to ``callee``; return the call id."""
        body = {"caller": caller, "callee": callee, "autoanswer": _yes_no(auto_answer)}
        if dial_permission is not None:
            body["dialpermission"] = dial_permission
        payload = await self._request("call/dial", body)
        return pick(payload, "callid")

    async def query_calls(
        self, *, call_id: str | None = None, call_type: str | None = None
    ) -> list[Call]:
        """Return calls in progress: one by id, those of a type, or all."""
        body: dict[str, str] = {}
        if call_id is not None:
            body["callid"] = call_id
        if call_type is not None:
            body["type"] = call_type
        payload = await self._request("call/query", body)
        return [Call.from_dict(c) for c in _mappings(pick_list(payload, "calls"))]

    async def hangup(self, channel_id: str) -> None:
        """End the call leg of a channel."""
        await self._request("call/hangup", {"channelid": channel_id})

    async def hold(self, channel_id: str) -> None:
        """Put the call leg of a channel on hold."""
        await self._request("call/hold", {"channelid": channel_id})

    async def unhold(self, channel_id: str) -> None:
        """Take the call leg of a channel off hold."""
        await self._request("call/unhold", {"channelid": channel_id})

    async def transfer(
        self, channel_id: str, number: str, *, dial_permission: str | None = None
    ) -> None:
        """Blind-transfer the party on a channel to ``number``."""
        body = {"channelid": channel_id, "number": number}
        if dial_permission is not None:
            body["dialpermission"] = dial_permission
        await self._request("call/transfer", body)

    async def accept_inbound(self, channel_id: str) -> None:
        """Let an inbound call announced by an Invite report through."""
        await self._request("call/accept_inbound", {"channelid": channel_id})

    async def refuse_inbound(self, channel_id: str) -> None:
        """Refuse an inbound call announced by an Invite report."""
        await self._request("call/refuse_inbound", {"channelid": channel_id})

    async def play_prompt(
        self,
        number: str,
        prompt: str,
        *,
        count: int = 1,
        dial_permission: str | None = None,
        auto_answer: bool | None = None,
        volume: int | None = None,
    ) -> None:
        """Call ``number`` and play custom prompts (``promptA+promptB``)."""
        body = {"number": number, "prompt": prompt, "count": str(count)}
        if dial_permission is not None:
            body["dialpermission"] = dial_permission
        if auto_answer is not None:
            body["autoanswer"] = _yes_no(auto_answer)
        if volume is not None:
            body["volume"] = str(volume)
        await self._request("call/playprompt", body)

    # -- SMS and recordings --------------------------------------------------

    async def send_sms(self, trunk: str, phone_number: str, message: str) -> str:
        """Send a text message through a GSM/LTE trunk; return the SMS id."""
        body = {
            "trunk": trunk,
            "phonenumber": phone_number,
            "message": quote(message, safe=""),
        }
        payload = await self._request("sms/send", body)
        return pick(payload, "smsid")

    async def recording_download_url(self, recording: str) -> str:
        """Return a short-lived, single-use address to download a recording."""
        payload = await self._request("recording/get_random", {"recording": recording})
        query = {
            "recording": recording,
            "random": pick(payload, "random"),
            "token": self._token or "",
        }
        return str(self._url(f"{API_PATH}/recording/download", query))

    async def cdr_records(
        self, start: datetime, end: datetime, number: str = ALL
    ) -> list[Cdr]:
        """Return the records of the calls that started from ``start`` to ``end``.

        ``number``: "all" (default), an extension or an outside number. The times are
        the PBX's local time: their date and time are sent as they are (a time zone is
        not converted). Asks for a download random, then downloads the CSV; a window
        without calls (errno 20021) is an empty list.
        """
        window = {
            "number": number,
            "starttime": start.strftime(PBX_TIME_FORMAT),
            "endtime": end.strftime(PBX_TIME_FORMAT),
        }
        try:
            payload = await self._request("cdr/get_random", window)
            query = window | {
                "random": pick(payload, "random"),
                "token": self._token or "",
            }
            raw = await self._download("cdr/download", query)
        except YeastarApiError as err:
            if err.errno == ERRNO_NO_CDR:
                return []
            raise
        return parse_cdr_csv(raw)
