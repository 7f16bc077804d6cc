"""The report path beside what Home Assistant itself needs, in one run.

One Home Assistant (real core, its HTTP server and the webhook component, on 127.0.0.1)
runs the integration against the PBX simulator (over loopback HTTP) and, in the same
process, a baseline webhook of this script's own: a plain ``webhook.async_register``
handler that parses the JSON and writes one state with ``hass.states.async_set``. A
separate process (``poster.py``) posts the same ExtensionStatus reports to both, from
127.0.0.1, a new connection per report and one at a time, as the PBX does; every report
changes a state (each extension goes Registered / Unavailable in turn). The two are
driven in rounds, each of slices of 50 reports posted to one webhook then the same to
the other (which goes first alternates), so that the noise of a shared machine hits
both. Printed:

1. per round and overall: both throughputs (reports/s), their ratio (integration /
   baseline; the median ratio is the figure), p50/p99 latency from the post to the
   state (Home Assistant's state_changed event), and the integration's state writes
   per report (the last-report sensor is enabled, its worst case);
2. set-up time and memory (RSS growth, and Python memory kept, by tracemalloc) of a
   500-extension office;
3. the cost of one report against office size (5/50/500/5,000 extensions): time in
   each webhook handler (wrapped by this script), throughputs and ratio;
4. the PBX requests per hour at default settings in steady state: two hours of
   simulated time (the event loop's clock, which Home Assistant's timers and the
   simulator share, is moved on), the requests the simulator received in the second.

Not a test: nothing is asserted about speed.

    .venv/bin/python benchmarks/bench_report_path.py [--rounds 10] [--reports 500]
        [--extensions 50] [--sizes 5,50,500,5000] [--setup-size 500]
        [--only side,sizes,setup,budget] [--profile FILE]
"""

import argparse
import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
import gc
import json
import os
from pathlib import Path
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from typing import Any

from aiohttp.web import Request, Response
from homeassistant.components import webhook
from homeassistant.const import EVENT_STATE_CHANGED, __version__ as HA_VERSION
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.runner import HassEventLoopPolicy

from harness import (  # isort: skip
    MIB,
    SERIAL,
    Pbx,
    enable_last_report_sensor,
    home_assistant,
    office_of,
    pbx_and_entry,
    quiet_logs,
    rss_bytes,
    set_up,
)
from custom_components.yeastar.const import CONF_POLL_INTERVAL, MAX_POLL_INTERVAL

POSTER = Path(__file__).with_name("poster.py")
BASELINE_ID = "baseline-" + os.urandom(16).hex()
BASELINE_PATH = f"/api/webhook/{BASELINE_ID}"
STATUSES = ("Registered", "Unavailable")
SIMULATED_HOURS = 2
STEP_SECONDS = 5
SLICE = 50  # reports posted to one webhook before the other gets the same

type Handler = Callable[[HomeAssistant, str, Request], Awaitable[Response]]


# ---------------------------------------------------------------- the baseline


async def baseline_handler(
    hass: HomeAssistant, webhook_id: str, request: Request
) -> Response:
    """Do what Home Assistant itself needs for a report: parse it, write one state."""
    report = json.loads(await request.read())
    hass.states.async_set(f"sensor.baseline_{report['extension']}", report["status"])
    return Response(status=200)


@callback
def register_baseline(hass: HomeAssistant) -> None:
    """Register the baseline webhook, as the integration registers its own."""
    webhook.async_register(
        hass,
        "bench",
        "Baseline",
        BASELINE_ID,
        baseline_handler,
        local_only=True,
        allowed_methods=["POST"],
    )


# ---------------------------------------------------------------- figures


def percentile(values: list[float], share: float) -> float:
    """Return a percentile (nearest rank) of a non-empty series."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass(slots=True)
class Run:
    """One round's reports to one webhook, in slices: their time, latencies and writes."""

    reports: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    writes: int = 0

    @property
    def throughput(self) -> float:
        """Return the reports per second, from each slice's first post to its last answer."""
        return self.reports / self.seconds

    def add(self, result: dict[str, Any], changed: list[float], writes: int) -> None:
        """Add one slice: the poster's timings, when each state changed, the writes."""
        starts: list[float] = result["starts"]
        self.reports += len(starts)
        self.seconds += result["ends"][-1] - starts[0]
        self.latencies += [
            moment - start for start, moment in zip(starts, changed, strict=True)
        ]
        self.writes += writes


@dataclass(slots=True)
class Side:
    """Every run of one webhook."""

    runs: list[Run] = field(default_factory=list)
    handler: list[float] = field(default_factory=list)

    @property
    def latencies(self) -> list[float]:
        """Return every latency of every run."""
        return [latency for run in self.runs for latency in run.latencies]

    def median_throughput(self) -> float:
        """Return the median of the runs' throughputs."""
        return statistics.median(run.throughput for run in self.runs)


# ---------------------------------------------------------------- driving


class Poster:
    """The poster process (``poster.py``): it posts the batches it is sent."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        """Talk to a started poster process."""
        self._process = process

    async def post(self, port: int, path: str, bodies: list[str]) -> dict[str, Any]:
        """Post bodies one after the other; return the poster's timings."""
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        batch = {"port": port, "path": path, "bodies": bodies}
        self._process.stdin.write(json.dumps(batch).encode() + b"\n")
        await self._process.stdin.drain()
        line = await self._process.stdout.readline()
        if not line:
            raise RuntimeError("the poster process stopped")
        result: dict[str, Any] = json.loads(line)
        return result


@asynccontextmanager
async def poster() -> AsyncIterator[Poster]:
    """Start the poster process; stop it after."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(POSTER),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=1 << 24,
    )
    try:
        yield Poster(process)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        await process.wait()


class StateTimes:
    """Note when the watched entities change, and count every state write."""

    def __init__(self, hass: HomeAssistant, watched: set[str]) -> None:
        """Listen to state_changed."""
        self.watched = watched
        self.changed: list[tuple[str, float]] = []
        self.writes = 0
        self._stop = hass.bus.async_listen(EVENT_STATE_CHANGED, self._on_changed)

    @callback
    def _on_changed(self, event: Event[Any]) -> None:
        entity_id: str = event.data["entity_id"]
        if entity_id in self.watched:
            self.changed.append((entity_id, time.monotonic()))
        self.writes += 1

    def take(self) -> tuple[list[tuple[str, float]], int]:
        """Return what was noted since the last take, and forget it."""
        taken, self.changed = self.changed, []
        writes, self.writes = self.writes, 0
        return taken, writes

    def close(self) -> None:
        """Stop listening."""
        self._stop()


class Timed:
    """Time a registered webhook's handler by wrapping it (the handler is unchanged)."""

    def __init__(self, hass: HomeAssistant, webhook_id: str, into: list[float]) -> None:
        """Install the wrapper."""
        self._registration: dict[str, Any] = hass.data[webhook.DOMAIN][webhook_id]
        self._handler: Handler = self._registration["handler"]
        self._into = into
        self._registration["handler"] = self._timed

    async def _timed(
        self, hass: HomeAssistant, webhook_id: str, request: Request
    ) -> Response:
        start = time.perf_counter()
        try:
            return await self._handler(hass, webhook_id, request)
        finally:
            self._into.append(time.perf_counter() - start)

    def remove(self) -> None:
        """Put the handler back."""
        self._registration["handler"] = self._handler


class Plan:
    """The reports both webhooks get: extensions in turn, each changing its status."""

    def __init__(self, numbers: list[str]) -> None:
        """Plan reports about these extensions (all registered now)."""
        self._numbers = numbers
        self._status = dict.fromkeys(numbers, 0)
        self._next = 0

    def batch(self, count: int) -> tuple[list[str], list[str]]:
        """Return the next ``count`` bodies and the extension each is about."""
        bodies, about = [], []
        for _ in range(count):
            number = self._numbers[self._next % len(self._numbers)]
            self._next += 1
            self._status[number] ^= 1
            report = {
                "event": "ExtensionStatus",
                "extension": number,
                "status": STATUSES[self._status[number]],
                "sn": SERIAL,
            }
            bodies.append(json.dumps(report, separators=(",", ":")))
            about.append(number)
        return bodies, about


@dataclass(slots=True)
class Target:
    """One webhook the reports go to: its path and each extension's entity."""

    name: str
    path: str
    entity: Callable[[str], str]
    side: Side = field(default_factory=Side)


async def run_once(
    port: int,
    post: Poster,
    times: StateTimes,
    target: Target,
    bodies: list[str],
    about: list[str],
    run: Run,
) -> None:
    """Post one slice to one target, into ``run``; check each report changed its entity."""
    times.take()
    result = await post.post(port, target.path, bodies)
    changed, writes = times.take()
    expected = [target.entity(number) for number in about]
    seen = [entity for entity, _ in changed]
    if seen != expected or set(result["statuses"]) != {200}:
        raise RuntimeError(
            f"{target.name}: {len(seen)} state changes for {len(expected)} reports,"
            f" statuses {set(result['statuses'])}"
        )
    run.add(result, [moment for _, moment in changed], writes)


async def side_by_side(
    hass: HomeAssistant,
    port: int,
    pbx: Pbx,
    *,
    rounds: int,
    reports: int,
    warmup: int,
    profile: str | None = None,
) -> tuple[Target, Target]:
    """Drive the integration and the baseline with the same reports, in rounds.

    A round posts its reports in slices of ``SLICE``, each slice to both webhooks, the
    integration first in one slice and the baseline first in the next. With
    ``profile``, pyinstrument profiles the integration's batches into that file.
    """
    entities = pbx.status_entities(hass)
    ours = Target("integration", pbx.webhook_path, entities.__getitem__)
    base = Target("baseline", BASELINE_PATH, lambda number: f"sensor.baseline_{number}")
    watched = set(entities.values()) | {base.entity(number) for number in entities}
    for number in entities:  # as the integration's: every extension registered
        hass.states.async_set(base.entity(number), STATUSES[0])
    times = StateTimes(hass, watched)
    plan = Plan(list(entities))
    profiler = _profiler(profile)
    timers = [
        Timed(hass, pbx.entry.data["webhook_id"], ours.side.handler),
        Timed(hass, BASELINE_ID, base.side.handler),
    ]
    try:
        async with poster() as post:
            bodies, about = plan.batch(warmup)
            for target in (ours, base):
                await run_once(port, post, times, target, bodies, about, Run())
            ours.side.handler.clear()
            base.side.handler.clear()
            for _ in range(rounds):
                runs = {ours.name: Run(), base.name: Run()}
                gc.collect()
                for index in range(0, reports, SLICE):
                    bodies, about = plan.batch(min(SLICE, reports - index))
                    first = (index // SLICE) % 2 == 0
                    for target in (ours, base) if first else (base, ours):
                        if profiler is not None and target is ours:
                            profiler.start()
                        await run_once(
                            port, post, times, target, bodies, about, runs[target.name]
                        )
                        if profiler is not None and target is ours:
                            profiler.stop()
                for target in (ours, base):
                    target.side.runs.append(runs[target.name])
    finally:
        times.close()
        for timer in timers:
            timer.remove()
    if profiler is not None and profile is not None:
        Path(profile).write_text(profiler.output_text(unicode=True), encoding="utf-8")
        print(f"   profile of the integration's batches written to {profile}")
    return ours, base


def _profiler(path: str | None) -> Any:
    """Return a pyinstrument profiler when asked for (see benchmarks/README.md)."""
    if path is None:
        return None
    from pyinstrument import Profiler

    return Profiler(interval=0.0001, async_mode="disabled")


# ---------------------------------------------------------------- sections


def entity_count(hass: HomeAssistant, pbx: Pbx) -> int:
    """Return how many entities the integration made for a PBX."""
    registry = er.async_get(hass)
    return len(er.async_entries_for_config_entry(registry, pbx.entry.entry_id))


FAST_OPTIONS = {CONF_POLL_INTERVAL: MAX_POLL_INTERVAL}  # the poll stays out of the way


async def section_side(
    hass: HomeAssistant, port: int, args: argparse.Namespace
) -> None:
    """Print section 1: both webhooks, round by round."""
    print(
        f"1. Side by side: office of {args.extensions} extensions, {args.rounds} rounds"
        f" of {args.reports} reports each way"
    )
    async with pbx_and_entry(
        hass, office_of(args.extensions), options=FAST_OPTIONS
    ) as pbx:
        enable_last_report_sensor(hass, pbx.entry)
        await set_up(hass, pbx.entry)
        ours, base = await side_by_side(
            hass,
            port,
            pbx,
            rounds=args.rounds,
            reports=args.reports,
            warmup=args.reports,
            profile=args.profile,
        )
    print(
        f"   {'round':>5} | {'integration/s':>13} {'baseline/s':>10}"
        f" {'ratio':>6} | {'p50 ms':>6} {'p99 ms':>6} (integration)"
        f" | {'p50 ms':>6} {'p99 ms':>6} (baseline)"
    )
    ratios = []
    for index, (mine, theirs) in enumerate(
        zip(ours.side.runs, base.side.runs, strict=True)
    ):
        ratio = mine.throughput / theirs.throughput
        ratios.append(ratio)
        print(
            f"   {index + 1:>5} |"
            f" {mine.throughput:>13.0f} {theirs.throughput:>10.0f} {ratio:>6.2f} |"
            f" {percentile(mine.latencies, 0.5) * 1e3:>6.2f}"
            f" {percentile(mine.latencies, 0.99) * 1e3:>6.2f}              |"
            f" {percentile(theirs.latencies, 0.5) * 1e3:>6.2f}"
            f" {percentile(theirs.latencies, 0.99) * 1e3:>6.2f}"
        )
    print(
        f"   median ratio {statistics.median(ratios):.2f}"
        f" (min {min(ratios):.2f}, max {max(ratios):.2f});"
        f" median throughput: integration {ours.side.median_throughput():.0f}/s,"
        f" baseline {base.side.median_throughput():.0f}/s"
    )
    for target in (ours, base):
        latencies = target.side.latencies
        print(
            f"   {target.name:>11}: post to state p50"
            f" {percentile(latencies, 0.5) * 1e3:.2f} ms,"
            f" p99 {percentile(latencies, 0.99) * 1e3:.2f} ms; time in its webhook"
            f" handler median {statistics.median(target.side.handler) * 1e6:.0f} µs"
        )
    for target in (ours, base):
        reports = sum(run.reports for run in target.side.runs)
        writes = sum(run.writes for run in target.side.runs)
        print(
            f"   {target.name:>11}: {writes} state writes for {reports} reports"
            f" ({writes / reports:.3f} per report)"
        )
    print("   (the integration's last-report sensor is enabled: its worst case)")


async def section_sizes(
    hass: HomeAssistant, port: int, args: argparse.Namespace
) -> None:
    """Print section 3: the cost of one report against office size."""
    print(f"3. One report against office size ({args.size_rounds} rounds each)")
    print(
        f"   {'extensions':>10} {'entities':>8} | {'handler µs':>10} {'baseline µs':>11}"
        f" | {'integration/s':>13} {'baseline/s':>10} {'ratio':>6}"
        f" | {'p50 ms':>6} {'p99 ms':>6}"
    )
    for size in args.sizes:
        async with pbx_and_entry(hass, office_of(size), options=FAST_OPTIONS) as pbx:
            await set_up(hass, pbx.entry)
            entities = entity_count(hass, pbx)
            ours, base = await side_by_side(
                hass,
                port,
                pbx,
                rounds=args.size_rounds,
                reports=args.reports,
                warmup=min(args.reports, 200),
            )
        ratios = [
            mine.throughput / theirs.throughput
            for mine, theirs in zip(ours.side.runs, base.side.runs, strict=True)
        ]
        latencies = ours.side.latencies
        print(
            f"   {size:>10} {entities:>8} |"
            f" {statistics.median(ours.side.handler) * 1e6:>10.0f}"
            f" {statistics.median(base.side.handler) * 1e6:>11.0f} |"
            f" {ours.side.median_throughput():>13.0f}"
            f" {base.side.median_throughput():>10.0f}"
            f" {statistics.median(ratios):>6.2f} |"
            f" {percentile(latencies, 0.5) * 1e3:>6.2f}"
            f" {percentile(latencies, 0.99) * 1e3:>6.2f}"
        )
    print("   handler: median time in the webhook handler (the integration's, the")
    print("   baseline's); entities: the integration's at that size")


async def section_setup(hass: HomeAssistant, args: argparse.Namespace) -> None:
    """Print section 2: set-up time and memory of one office."""
    size = args.setup_size
    print(f"2. Set-up of an office of {size} extensions (default options)")
    async with pbx_and_entry(hass, office_of(5)) as pbx:
        await set_up(hass, pbx.entry)  # unmeasured: the platforms are imported once
    for trace in (False, True):
        async with pbx_and_entry(hass, office_of(size)) as pbx:
            gc.collect()
            rss_before = rss_bytes()
            if trace:
                tracemalloc.start()
            start = time.perf_counter()
            await set_up(hass, pbx.entry)
            seconds = time.perf_counter() - start
            gc.collect()
            if trace:
                kept, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                print(
                    f"   with tracemalloc: {seconds:.2f} s; Python memory kept after"
                    f" set-up {kept / MIB:.1f} MiB ({kept / size / 1024:.1f} KiB per"
                    f" extension), peak {peak / MIB:.1f} MiB"
                )
            else:
                grown = rss_bytes() - rss_before
                print(
                    f"   set-up time {seconds:.2f} s; RSS {rss_bytes() / MIB:.0f} MiB"
                    f" (+{grown / MIB:.1f} MiB, {grown / size / 1024:.1f} KiB per"
                    f" extension); {entity_count(hass, pbx)} entities"
                )


def section_budget() -> None:
    """Print section 4: the PBX requests per hour at default settings (simulated time)."""
    print(
        f"4. PBX requests per hour at default settings, office of 11 extensions:"
        f" {SIMULATED_HOURS} simulated hours, the second counted"
    )
    loop = HassEventLoopPolicy(debug=False).new_event_loop()
    clock = VirtualClock()
    loop.time = clock.time  # type: ignore[method-assign]
    try:
        counted = loop.run_until_complete(_budget(clock))
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        loop.close()
    print(f"   {sum(counted.values())} requests in the hour: {dict(counted)}")


class VirtualClock:
    """The event loop's clock, moved on by hand: Home Assistant's timers follow it."""

    def __init__(self) -> None:
        """Start at the real monotonic clock."""
        self.offset = 0.0

    def time(self) -> float:
        """Return the clock's time."""
        return time.monotonic() + self.offset


async def _budget(clock: VirtualClock) -> dict[str, int]:
    """Walk simulated time with an office at rest; count the requests of the last hour."""
    from simulator import Office

    with tempfile.TemporaryDirectory(prefix="bench-ha-") as config_dir:
        async with home_assistant(config_dir) as (hass, _port):
            async with pbx_and_entry(hass, Office.sample(), clock=clock.time) as pbx:
                await set_up(hass, pbx.entry)
                start = 0
                for hour in range(SIMULATED_HOURS):
                    start = len(pbx.simulator.requests)
                    for _ in range(3600 // STEP_SECONDS):
                        clock.offset += STEP_SECONDS
                        await asyncio.sleep(0)
                        await hass.async_block_till_done(wait_background_tasks=True)
                    print(
                        f"   simulated hour {hour + 1}:"
                        f" {len(pbx.simulator.requests) - start} requests"
                    )
                counted: dict[str, int] = {}
                for record in pbx.simulator.requests[start:]:
                    counted[record.endpoint] = counted.get(record.endpoint, 0) + 1
                return counted


async def run_sections(args: argparse.Namespace) -> None:
    """Run the sections that need the shared Home Assistant."""
    with tempfile.TemporaryDirectory(prefix="bench-ha-") as config_dir:
        async with home_assistant(config_dir) as (hass, port):
            register_baseline(hass)
            if "side" in args.only:
                await section_side(hass, port, args)
                print()
            if "setup" in args.only:
                await section_setup(hass, args)
                print()
            if "sizes" in args.only:
                await section_sizes(hass, port, args)
                print()


def main() -> None:
    """Parse the options, run the sections, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="side-by-side rounds")
    parser.add_argument(
        "--reports", type=int, default=500, help="reports per round and webhook"
    )
    parser.add_argument(
        "--extensions", type=int, default=50, help="office size of section 1"
    )
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[5, 50, 500, 5000],
        help="office sizes of section 2, comma separated",
    )
    parser.add_argument(
        "--size-rounds", type=int, default=3, help="rounds per size in section 2"
    )
    parser.add_argument(
        "--setup-size", type=int, default=500, help="office size of section 3"
    )
    parser.add_argument(
        "--only",
        type=lambda text: set(text.split(",")),
        default={"side", "sizes", "setup", "budget"},
        help="sections to run: side,sizes,setup,budget",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="profile the integration's batches of section 1 with pyinstrument",
    )
    args = parser.parse_args()
    quiet_logs()
    print(
        f"Home Assistant {HA_VERSION}, Python {platform.python_version()},"
        f" {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M %Z')};"
        " everything on 127.0.0.1, reports posted by a separate process"
    )
    started = time.perf_counter()
    if args.only & {"side", "sizes", "setup"}:
        asyncio.run(
            run_sections(args),
            loop_factory=HassEventLoopPolicy(debug=False).new_event_loop,
        )
    if "budget" in args.only:
        section_budget()
    print(f"\nTotal run time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
