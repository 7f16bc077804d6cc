"""Bodies of the 2.0.0 event reports (section 7.4); the serial number is added on sending."""

from typing import Any

from .calls import Call, Member


def extension_status(
    number: str, status: str, registered_ip: str = ""
) -> dict[str, Any]:
    """Return an ExtensionStatus report (registeredIP only when given)."""
    event = {"event": "ExtensionStatus", "extension": number, "status": status}
    if registered_ip:
        event["registeredIP"] = registered_ip
    return event


def call_status(call: Call) -> dict[str, Any]:
    """Return a CallStatus report listing every member of the call, including those leaving."""
    return {
        "event": "CallStatus",
        "callid": call.callid,
        "members": [member.wire() for member in call.members],
    }


def call_event(
    name: str, call: Call, members: list[Member], **fields: str
) -> dict[str, Any]:
    """Return a call event whose members carry no state (Invite, Incoming, Transfer, ...)."""
    return {
        "event": name,
        "callid": call.callid,
        **fields,
        "members": [member.wire(with_state=False) for member in members],
    }


def config_change(kind: str, name: str, operation: str) -> dict[str, Any]:
    """Return a ConfigChange report for an extension or a trunk."""
    key = "extid" if kind == "extension" else "trunkname"
    return {"event": "ConfigChange", "type": kind, key: name, "operation": operation}


def boot_up() -> dict[str, Any]:
    """Return the BootUp report."""
    return {"event": "BootUp"}
