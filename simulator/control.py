"""Test-bench control routes outside the PBX API: POST /control/<action>, GET /control/state.

They are not authenticated: a simulator exposing them must only ever listen where the test
bench alone can reach it. Answers are JSON: {"ok": true, ...} or {"ok": false, "error": ...}
with HTTP 400 (404 for an unknown action).
"""

from collections.abc import Awaitable, Callable
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .office import SimContact, SimExtension, SimTrunk
from .traffic import TrafficProfile
from .wire import ApiError

if TYPE_CHECKING:
    from .server import PbxSimulator

type Action = Callable[["PbxSimulator", dict[str, Any]], Awaitable[dict[str, Any]]]
RESPONSE_DELAY = 0.1


def _text(body: dict[str, Any], name: str, default: str | None = None) -> str:
    """Return a required (or defaulted) string field."""
    value = body.get(name, default)
    if value is None:
        raise ValueError(f"missing {name}")
    return str(value)


def _optional(body: dict[str, Any], name: str) -> str | None:
    """Return an optional string field."""
    value = body.get(name)
    return None if value is None else str(value)


async def _inbound_call(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Ring one extension or a list of them from an outside caller."""
    extension = body.get("extension")
    targets = (
        [str(number) for number in extension]
        if isinstance(extension, list)
        else _text(body, "extension")
    )
    callid = await sim.inbound_call(
        _text(body, "trunk"),
        _text(body, "caller"),
        targets,
        did=_optional(body, "did"),
        group=_optional(body, "group"),
    )
    return {"callid": callid}


async def _outbound_call(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Dial an outside number from an extension."""
    return {
        "callid": await sim.outbound_call(
            _text(body, "extension"), _text(body, "number"), _optional(body, "trunk")
        )
    }


async def _internal_call(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Call one extension from another."""
    return {
        "callid": await sim.internal_call(_text(body, "caller"), _text(body, "callee"))
    }


async def _answer(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Pick up a ringing call."""
    await sim.answer(_text(body, "callid"), _optional(body, "number"))
    return {}


async def _hangup(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Hang up a call or one of its members."""
    await sim.hangup(_text(body, "callid"), _optional(body, "number"))
    return {}


async def _hold(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Put a member on hold."""
    await sim.hold(_text(body, "callid"), _text(body, "number"))
    return {}


async def _unhold(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Take a member off hold."""
    await sim.unhold(_text(body, "callid"), _text(body, "number"))
    return {}


async def _transfer(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Blind transfer by a phone user (reported as Transfer)."""
    await sim.user_transfer(
        _text(body, "callid"), by=_text(body, "by"), to=_text(body, "to")
    )
    return {}


async def _fail(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Fail a call being set up."""
    await sim.fail_call(_text(body, "callid"), _text(body, "reason", "486 Busy here"))
    return {}


async def _voicemail(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Send a ringing call to voicemail."""
    await sim.to_voicemail(_text(body, "callid"))
    return {}


async def _dtmf(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Press keys as the caller."""
    await sim.press_keys(_text(body, "callid"), _text(body, "keys"))
    return {}


async def _register(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Register a SIP phone."""
    sim.register_extension(_text(body, "number"))
    return {}


async def _unregister(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Lose a SIP phone's registration."""
    sim.unregister_extension(_text(body, "number"))
    return {}


async def _add_extension(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Create an extension (fields of SimExtension)."""
    sim.add_extension(SimExtension(**body))
    return {}


async def _remove_extension(
    sim: "PbxSimulator", body: dict[str, Any]
) -> dict[str, Any]:
    """Delete an extension."""
    sim.remove_extension(_text(body, "number"))
    return {}


async def _update_extension(
    sim: "PbxSimulator", body: dict[str, Any]
) -> dict[str, Any]:
    """Change an extension's settings or attributes."""
    settings = {key: value for key, value in body.items() if key != "number"}
    sim.update_extension(_text(body, "number"), **settings)
    return {}


async def _add_trunk(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Create a trunk (fields of SimTrunk)."""
    sim.add_trunk(SimTrunk(**body))
    return {}


async def _remove_trunk(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Delete a trunk."""
    sim.remove_trunk(_text(body, "name"))
    return {}


async def _add_contact(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Create a company contact (fields of companycontacts/query); answer its id."""
    return {"id": sim.add_contact(SimContact(**body)).id}


async def _update_contact(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Change fields of a company contact."""
    fields = {key: value for key, value in body.items() if key != "id"}
    sim.update_contact(_text(body, "id"), **fields)
    return {}


async def _remove_contact(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Delete a company contact."""
    sim.remove_contact(_text(body, "id"))
    return {}


async def _add_cdr(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Keep a call record of the past for cdr/download."""
    return {"record": sim.add_cdr(body)}


async def _trunk_status(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Change a trunk's status (no report: trunks are polled)."""
    sim.set_trunk_status(_text(body, "name"), _text(body, "status"))
    return {}


async def _reboot(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Reboot shortly after answering."""
    sim.schedule(RESPONSE_DELAY, sim.reboot)
    return {"reboot_duration": sim.timing.reboot_duration}


async def _offline(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Go offline for a while ("refuse" or "hang"), then come back by itself."""
    mode = _text(body, "mode", "refuse")
    duration = float(body.get("duration", 10.0))
    if mode not in {"refuse", "hang"}:
        raise ValueError("mode must be refuse or hang")

    async def outage() -> None:
        """Be offline for the duration."""
        await sim.take_offline(mode)
        sim.schedule(duration, sim.bring_online)

    sim.schedule(RESPONSE_DELAY, outage)
    return {"mode": mode, "duration": duration}


async def _api(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Switch the PBX API on or off."""
    sim.api_enabled = bool(body.get("enabled", True))
    return {"enabled": sim.api_enabled}


async def _tokens(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Refuse every token though logins succeed, and/or let a login end other sessions."""
    if "refuse" in body:
        sim.refuse_tokens = bool(body["refuse"])
    if "single_session" in body:
        sim.single_session = bool(body["single_session"])
    return {"refuse": sim.refuse_tokens, "single_session": sim.single_session}


async def _report_source(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Post later reports from another local address (a second interface, NAT)."""
    sim.report_source = _text(body, "address")
    return {"address": sim.report_source}


async def _traffic(sim: "PbxSimulator", body: dict[str, Any]) -> dict[str, Any]:
    """Start or stop traffic mode."""
    await sim.stop_traffic()
    if body.get("on", True):
        fields = {
            key: body[key]
            for key in (
                "rate",
                "max_calls",
                "max_concurrent",
                "missed_ratio",
                "unanswered_ratio",
                "hold_ratio",
                "contact_ratio",
            )
            if key in body
        }
        seed = body.get("seed")
        sim.start_traffic(
            seed=None if seed is None else int(seed), profile=TrafficProfile(**fields)
        )
    return {"running": sim.traffic_running}


ACTIONS: dict[str, Action] = {
    "inbound_call": _inbound_call,
    "outbound_call": _outbound_call,
    "internal_call": _internal_call,
    "answer": _answer,
    "hangup": _hangup,
    "hold": _hold,
    "unhold": _unhold,
    "transfer": _transfer,
    "fail": _fail,
    "voicemail": _voicemail,
    "dtmf": _dtmf,
    "register": _register,
    "unregister": _unregister,
    "add_extension": _add_extension,
    "remove_extension": _remove_extension,
    "update_extension": _update_extension,
    "add_trunk": _add_trunk,
    "remove_trunk": _remove_trunk,
    "trunk_status": _trunk_status,
    "add_contact": _add_contact,
    "update_contact": _update_contact,
    "remove_contact": _remove_contact,
    "add_cdr": _add_cdr,
    "reboot": _reboot,
    "offline": _offline,
    "api": _api,
    "tokens": _tokens,
    "report_source": _report_source,
    "traffic": _traffic,
}


def _answer_json(data: dict[str, Any], status: int = 200) -> web.Response:
    """Return a control answer."""
    return web.json_response(data, status=status, headers={"Connection": "close"})


def _json_object(raw: str) -> dict[str, Any]:
    """Return the JSON object of a control request ({} for an empty body)."""
    body = json.loads(raw) if raw.strip() else {}
    if not isinstance(body, dict):
        raise TypeError("the body must be a JSON object")
    return body


def control_routes(sim: "PbxSimulator") -> list[web.RouteDef]:
    """Return the control routes bound to a simulator."""

    async def state(request: web.Request) -> web.Response:
        """GET /control/state: office, calls, sessions and counters."""
        return _answer_json({"ok": True, **sim.state()})

    async def act(request: web.Request) -> web.Response:
        """POST /control/<action>."""
        action = ACTIONS.get(request.match_info["action"])
        if action is None:
            return _answer_json({"ok": False, "error": "unknown action"}, 404)
        try:
            result = await action(sim, _json_object(await request.text()))
        except (ApiError, ValueError, TypeError, KeyError) as err:
            return _answer_json({"ok": False, "error": str(err)}, 400)
        return _answer_json({"ok": True, **result})

    return [web.get("/control/state", state), web.post("/control/{action}", act)]
