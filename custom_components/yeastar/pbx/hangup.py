"""Ending calls: which channels to hang up, and which of the PBX's answers mean "gone".

A call is ended by hanging up its legs' channels (``call/hangup``). The channels come from
what the caller already knows (from ``CallStatus`` reports); when it knows none, or they are
all gone already (a report was missed), they are asked of the PBX: the extension's calls
(``extension/query_call``) or the call (``call/query``). Hanging up one leg often ends the
whole call, so "the call does not exist" for a later channel is expected, not an error.
"""

from collections.abc import Iterable
from typing import Final

from .callmodels import Call, MemberKind, MemberStatus
from .client import YeastarClient
from .errors import YeastarApiError

# The PBX's answers for a call or channel that no longer exists: "the call ID does not
# exist" (call/query) and "the call does not exist" (call/hangup).
ERRNOS_CALL_GONE: Final = frozenset({"10005", "10007"})


async def hang_up_extension(
    client: YeastarClient, extension: str, known_channels: Iterable[str] = ()
) -> bool:
    """Hang up every call leg of an extension; return False when it had none."""
    if await hang_up_channels(client, known_channels):
        return True
    calls_by_number = await client.extension_calls([extension])
    calls = [call for calls in calls_by_number.values() for call in calls]
    return await hang_up_channels(client, live_channels(calls, extension))


async def hang_up_call(
    client: YeastarClient, call_id: str, known_channels: Iterable[str] = ()
) -> bool:
    """Hang up every leg of a call; return False when the PBX has no such call."""
    if await hang_up_channels(client, known_channels):
        return True
    try:
        calls = await client.query_calls(call_id=call_id)
    except YeastarApiError as err:
        if err.errno in ERRNOS_CALL_GONE:
            return False
        raise
    # Keep only the asked call, in case a PBX ignores the filter and lists them all.
    own = [call for call in calls if call.call_id == call_id]
    return await hang_up_channels(client, live_channels(own))


def live_channels(calls: Iterable[Call], extension: str | None = None) -> list[str]:
    """Return the channels of the live legs of calls: one extension's, or all of them.

    All of them: extension legs first, then trunk legs.
    """
    members = [
        member
        for call in calls
        for member in call.members
        if member.channel_id and member.status is not MemberStatus.BYE
    ]
    if extension is not None:
        members = [
            member
            for member in members
            if member.kind is MemberKind.EXTENSION and member.number == extension
        ]
    members.sort(key=lambda member: member.kind is not MemberKind.EXTENSION)
    return list(dict.fromkeys(member.channel_id for member in members))


async def hang_up_channels(client: YeastarClient, channels: Iterable[str]) -> bool:
    """Hang up each channel; return True when at least one was still there."""
    ended = False
    for channel in channels:
        try:
            await client.hangup(channel)
        except YeastarApiError as err:
            if err.errno not in ERRNOS_CALL_GONE:
                raise
        else:
            ended = True
    return ended
