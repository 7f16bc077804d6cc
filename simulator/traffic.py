"""Traffic mode: realistic random calls with simulated users, reproducible with a seed.

Each call rings; its caller may give up (missed, `missed_ratio`); or nobody picks up
(`unanswered_ratio`, for phones of the office the PBX gives up on by itself): the call
rings until the extension's ring timeout and goes to its voicemail, or ends as missed when
it has none (or rang a ring group); else someone answers, talks, maybe holds, hangs up.
Outside parties are often company contacts (`contact_ratio`), so that names can show.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import random
import re

from .calls import Call, State
from .engine import CallEngine
from .office import Office, SimExtension
from .tasks import BackgroundTasks
from .wire import ApiError

CALL_KINDS = ("inbound", "outbound", "internal")


@dataclass(frozen=True, kw_only=True)
class TrafficProfile:
    """How busy the office is and how its users behave (times in seconds)."""

    rate: float = 4.0
    ring_time: tuple[float, float] = (2.0, 10.0)
    talk_time: tuple[float, float] = (5.0, 45.0)
    hold_time: tuple[float, float] = (2.0, 6.0)
    missed_ratio: float = 0.2
    unanswered_ratio: float = 0.2
    hold_ratio: float = 0.15
    ring_group_ratio: float = 0.15
    contact_ratio: float = 0.4
    mix: tuple[float, float, float] = (0.5, 0.3, 0.2)
    max_concurrent: int = 3
    max_calls: int | None = None


@dataclass(frozen=True)
class PlannedCall:
    """A call the generator decided to place: its kind and parties."""

    kind: str
    caller: str
    callees: tuple[str, ...]
    trunk: str = ""


@dataclass
class TrafficLog:
    """What the generator did: the calls it placed, in order."""

    planned: list[PlannedCall] = field(default_factory=list)
    callids: list[str] = field(default_factory=list)


class TrafficGenerator:
    """Place random calls on the engine and play their callers and callees."""

    def __init__(
        self,
        engine: CallEngine,
        office: Office,
        profile: TrafficProfile,
        seed: int | None,
        is_up: Callable[[], bool],
    ) -> None:
        """Generate calls with a seeded random source while the PBX is up."""
        self._engine = engine
        self._office = office
        self._profile = profile
        self._random = random.Random(seed)
        self._is_up = is_up
        self._scenarios = BackgroundTasks()
        self._runner: asyncio.Task[None] | None = None
        self._calls: dict[str, Call] = {}
        self.log = TrafficLog()

    @property
    def running(self) -> bool:
        """Return True while the generator places calls or plays them."""
        return self._runner is not None and not self._runner.done()

    def start(self) -> None:
        """Start placing calls."""
        self._runner = asyncio.get_running_loop().create_task(
            self._run(), name="traffic"
        )

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109
        """Wait until a bounded run (max_calls) has placed and finished all its calls."""
        if self._runner is not None:
            async with asyncio.timeout(timeout):
                await asyncio.shield(self._runner)

    async def stop(self) -> None:
        """Stop placing calls, stop the users and hang up the calls still going."""
        if self._runner is not None:
            self._runner.cancel()
            await asyncio.wait([self._runner])
        ongoing = list(self._calls.values())
        await self._scenarios.cancel_all()
        for call in ongoing:
            if call.callid in self._engine.calls:
                self._engine.hangup(call)

    async def _run(self) -> None:
        """Place calls at random intervals, at most max_concurrent at a time."""
        profile = self._profile
        while profile.max_calls is None or len(self.log.planned) < profile.max_calls:
            await asyncio.sleep(self._random.expovariate(profile.rate / 60.0))
            await self._scenarios.wait_below(profile.max_concurrent)
            plan = self._plan() if self._is_up() else None
            if plan is None:
                continue
            call = self._place(plan)
            self.log.planned.append(plan)
            self.log.callids.append(call.callid)
            self._calls[call.callid] = call
            self._scenarios.spawn(
                self._play(call, random.Random(self._random.getrandbits(64))),
                f"traffic {call.callid}",
            )
        await self._scenarios.wait_below(1)

    def _idle_extensions(self) -> list[SimExtension]:
        """Return the extensions that could ring or dial now."""
        return [
            ext
            for ext in self._office.extensions
            if ext.online and not ext.dnd and self._engine.activity(ext.number) is None
        ]

    def _outside_number(self) -> str:
        """Return an outside number: a company contact's (as a trunk shows it), or a random one."""
        known = [
            re.sub(r"[\s\-]", "", number)
            for contact in self._office.contacts
            for number in (
                contact.mobile,
                contact.mobile2,
                contact.businessnum,
                contact.businessnum2,
                contact.homenum,
                contact.homenum2,
                contact.othernum,
            )
            if number
        ]
        if known and self._random.random() < self._profile.contact_ratio:
            return self._random.choice(known)
        return "06" + "".join(str(self._random.randrange(10)) for _ in range(8))

    def _plan(self) -> PlannedCall | None:
        """Choose the next call, or None when the office cannot take it now."""
        kind = self._random.choices(CALL_KINDS, weights=self._profile.mix)[0]
        idle = self._idle_extensions()
        if kind == "inbound":
            trunks = [
                trunk
                for trunk in self._office.trunks
                if trunk.available and not trunk.control_inbound
            ]
            if not trunks or not idle:
                return None
            group = (
                2
                if len(idle) >= 2
                and self._random.random() < self._profile.ring_group_ratio
                else 1
            )
            trunk = self._random.choice(trunks)
            callees = tuple(ext.number for ext in self._random.sample(idle, group))
            return PlannedCall("inbound", self._outside_number(), callees, trunk.name)
        if kind == "outbound":
            callers = [ext for ext in idle if ext.outbound_permission]
            if not callers or self._office.outbound_trunk() is None:
                return None
            return PlannedCall(
                "outbound",
                self._random.choice(callers).number,
                (self._outside_number(),),
            )
        if len(idle) < 2:
            return None
        caller, callee = self._random.sample(idle, 2)
        return PlannedCall("internal", caller.number, (callee.number,))

    def _place(self, plan: PlannedCall) -> Call:
        """Start the planned call on the engine."""
        if plan.kind == "inbound":
            return self._engine.start_inbound(
                plan.trunk, plan.caller, plan.callees, origin="traffic"
            )
        if plan.kind == "outbound":
            return self._engine.start_outbound(
                plan.caller, plan.callees[0], origin="traffic"
            )
        return self._engine.start_internal(
            plan.caller, plan.callees[0], origin="traffic"
        )

    async def _play(self, call: Call, rng: random.Random) -> None:
        """Play the users of one call: ring, maybe miss it or leave it, talk, maybe hold, hang up."""
        profile = self._profile
        try:
            await asyncio.sleep(rng.uniform(*profile.ring_time))
            ringing = [m.party for m in call.live_members if m.state is State.RING]
            if not ringing or call.callid not in self._engine.calls:
                return
            if rng.random() < profile.missed_ratio:
                self._engine.hangup(call)
                return
            if self._engine.gives_up(call) and rng.random() < profile.unanswered_ratio:
                await call.ended.wait()  # ring timeout: voicemail or missed
                return
            self._engine.answer(call, rng.choice(ringing))
            talk = rng.uniform(*profile.talk_time)
            if rng.random() < profile.hold_ratio:
                await asyncio.sleep(talk / 2)
                holder = rng.choice(call.live_members)
                self._engine.hold(call, holder)
                await asyncio.sleep(rng.uniform(*profile.hold_time))
                self._engine.unhold(call, holder)
                talk /= 2
            await asyncio.sleep(talk)
            if call.callid in self._engine.calls:
                self._engine.hangup(call, rng.choice(call.live_members).party)
        except ApiError:
            return  # someone else (a test, the API) changed the call meanwhile
        finally:
            self._calls.pop(call.callid, None)
