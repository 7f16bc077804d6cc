"""Soak: the simulator's traffic at a high rate against a real Home Assistant, for minutes.

In one process, on 127.0.0.1 only (``harness.py``): Home Assistant (real core, HTTP
server, webhook component) with the integration set up at its default options (poll and
heartbeat every five minutes) against the PBX simulator, whose traffic generator places
calls far faster than an office does (short rings and talks, many at once; answered,
missed, held, sent to voicemail, ring groups). Every minute it checks, at an instant
when no report is on its way (the simulator's queue empty: every report it produced has
been answered, and so applied), that every extension's status sensor equals the PBX's
own state, and prints the reports of the minute, the mismatches, RSS and the Python
memory traced since the traffic started (tracemalloc). At the end: the totals, the
growth of both, and where the traced memory grew most.

Not a test and not part of CI; nothing is asserted (the exit status is 1 when a state
ever differed).

    .venv/bin/python benchmarks/soak.py [--minutes 30] [--extensions 100] [--rate 600]
        [--concurrent 40] [--seed 1]
"""

import argparse
import asyncio
from dataclasses import dataclass, field
import gc
import os
import platform
import sys
import tempfile
import time
import tracemalloc

from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.runner import HassEventLoopPolicy

from harness import (  # isort: skip
    MIB,
    Pbx,
    enable_last_report_sensor,
    home_assistant,
    office_of,
    pbx_and_entry,
    quiet_logs,
    rss_bytes,
    set_up,
    state_mismatches,
)
from custom_components.yeastar.reports import ReportCounters
from simulator import TrafficProfile

QUIET_WAIT = 10.0  # seconds to wait for an instant with no report on its way
SHOWN_MISMATCHES = 3
TOP_GROWTH = 8
# The simulator keeps its last requests, reports and call records for tests: fewer here,
# so that its own memory is full after the first minutes.
SIMULATOR_HISTORY = 2000


@dataclass(slots=True)
class Minute:
    """What one minute of the soak saw."""

    reports: int
    calls: int
    mismatches: int
    quiet_after: float | None
    rss: int
    traced: int


@dataclass(slots=True)
class Soak:
    """Every minute of a soak, and the counters at its start."""

    minutes: list[Minute] = field(default_factory=list)
    start_rss: int = 0
    start_traced: int = 0


def profile_of(args: argparse.Namespace) -> TrafficProfile:
    """Return the traffic: short rings and talks, many calls at once."""
    return TrafficProfile(
        rate=args.rate,
        ring_time=(1.0, 4.0),
        talk_time=(2.0, 10.0),
        hold_time=(1.0, 3.0),
        max_concurrent=args.concurrent,
    )


def handled(counters: ReportCounters) -> int:
    """Return the reports from the PBX the report path has counted, whatever became of them."""
    return (
        counters.accepted
        + counters.duplicates
        + counters.unparsable
        + counters.other_serial
    )


async def check_states(
    hass: HomeAssistant, pbx: Pbx, entities: dict[str, str]
) -> tuple[dict[str, tuple[str, str]], float | None]:
    """Compare every extension with the PBX at an instant with no report on its way.

    Returns the mismatches and how long the wait for that instant took (None: there was
    none within ``QUIET_WAIT``; compared anyway).
    """
    started = time.monotonic()
    while time.monotonic() - started < QUIET_WAIT:
        if not pbx.simulator._reports.pending:  # noqa: SLF001 - the bench's own PBX
            # No await from here on: nothing can change between the two reads.
            return state_mismatches(hass, pbx.simulator, entities), (
                time.monotonic() - started
            )
        await asyncio.sleep(0.001)
    return state_mismatches(hass, pbx.simulator, entities), None


def show_minute(index: int, minute: Minute, found: dict[str, tuple[str, str]]) -> None:
    """Print one minute's line."""
    quiet = (
        f"{minute.quiet_after * 1e3:.0f} ms"
        if minute.quiet_after is not None
        else "none"
    )
    shown = ", ".join(
        f"{number}: {seen} not {pbx}"
        for number, (seen, pbx) in list(found.items())[:SHOWN_MISMATCHES]
    )
    print(
        f"minute {index:>3}: {minute.reports:>6} reports ({minute.reports / 60:5.1f}/s),"
        f" {minute.calls:>5} calls, {minute.mismatches} mismatches"
        f" (quiet instant after {quiet}){' ' + shown if shown else ''};"
        f" RSS {minute.rss / MIB:7.1f} MiB, traced {minute.traced / MIB:6.1f} MiB",
        flush=True,
    )


def show_growth(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot) -> None:
    """Print where the traced memory grew most between two snapshots, by file."""
    print(f"Where traced memory grew most (by file, top {TOP_GROWTH}):")
    for stat in after.compare_to(before, "filename")[:TOP_GROWTH]:
        frame = stat.traceback[0]
        print(
            f"  {stat.size_diff / 1024:+9.1f} KiB ({stat.count_diff:+7} blocks)"
            f" {frame.filename}"
        )


async def soak(args: argparse.Namespace) -> int:
    """Run the soak; return the number of minutes with a mismatch."""
    result = Soak()
    with tempfile.TemporaryDirectory(prefix="soak-ha-") as config_dir:
        async with (
            home_assistant(config_dir) as (hass, _port),
            pbx_and_entry(
                hass,
                office_of(args.extensions),
                history=SIMULATOR_HISTORY,
                cdr_history=SIMULATOR_HISTORY,
            ) as pbx,
        ):
            enable_last_report_sensor(hass, pbx.entry)
            await set_up(hass, pbx.entry)
            entities = pbx.status_entities(hass)
            counters = pbx.entry.runtime_data.reports.counters
            gc.collect()
            tracemalloc.start()
            first = tracemalloc.take_snapshot()
            result.start_rss, result.start_traced = (
                rss_bytes(),
                tracemalloc.get_traced_memory()[0],
            )
            print(
                f"set up: {len(entities)} extensions; RSS"
                f" {result.start_rss / MIB:.1f} MiB; traffic {args.rate:g} calls/min,"
                f" up to {args.concurrent} at once",
                flush=True,
            )
            traffic = pbx.simulator.start_traffic(
                seed=args.seed, profile=profile_of(args)
            )
            started = time.monotonic()
            reports, calls = handled(counters), 0
            for index in range(1, args.minutes + 1):
                await asyncio.sleep(max(0.0, started + 60 * index - time.monotonic()))
                found, quiet_after = await check_states(hass, pbx, entities)
                now_reports, now_calls = handled(counters), len(traffic.log.planned)
                minute = Minute(
                    reports=now_reports - reports,
                    calls=now_calls - calls,
                    mismatches=len(found),
                    quiet_after=quiet_after,
                    rss=rss_bytes(),
                    traced=tracemalloc.get_traced_memory()[0],
                )
                reports, calls = now_reports, now_calls
                result.minutes.append(minute)
                show_minute(index, minute, found)
            await pbx.simulator.stop_traffic()
            await pbx.simulator.wait_for_reports(timeout=30)
            found, _ = await check_states(hass, pbx, entities)
            gc.collect()
            last = tracemalloc.take_snapshot()
            elapsed = time.monotonic() - started
            total = handled(counters)
            print()
            print(
                f"Soak of {elapsed / 60:.1f} minutes: {total} reports"
                f" ({total / elapsed:.1f}/s; accepted {counters.accepted}, resends"
                f" {counters.duplicates}, unreadable {counters.unparsable}),"
                f" {len(traffic.log.planned)} calls,"
                f" {len(pbx.simulator.requests)} PBX requests kept"
                f" (the last {SIMULATOR_HISTORY})"
            )
            print(
                "mismatches per minute:",
                [minute.mismatches for minute in result.minutes],
                f"; after the traffic stopped and every report arrived: {len(found)}",
            )
            show_memory(result)
            show_growth(first, last)
            tracemalloc.stop()
    return sum(1 for minute in result.minutes if minute.mismatches) + bool(found)


def show_memory(result: Soak) -> None:
    """Print RSS and traced memory: at the start, the first minute, the end, growth."""
    if not result.minutes:
        return
    first, last = result.minutes[0], result.minutes[-1]
    middle = result.minutes[len(result.minutes) // 2]
    print(
        f"RSS: start {result.start_rss / MIB:.1f} MiB, minute 1 {first.rss / MIB:.1f},"
        f" half-way {middle.rss / MIB:.1f}, end {last.rss / MIB:.1f}"
        f" (growth from minute 1 {(last.rss - first.rss) / MIB:+.1f} MiB, in the second"
        f" half {(last.rss - middle.rss) / MIB:+.1f} MiB)"
    )
    print(
        f"traced (tracemalloc, since the traffic started): minute 1"
        f" {first.traced / MIB:.1f} MiB, half-way {middle.traced / MIB:.1f}, end"
        f" {last.traced / MIB:.1f} (growth from minute 1"
        f" {(last.traced - first.traced) / MIB:+.1f} MiB, in the second half"
        f" {(last.traced - middle.traced) / MIB:+.1f} MiB)"
    )


def main() -> None:
    """Parse the options and run the soak."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=30, help="how long (minutes)")
    parser.add_argument("--extensions", type=int, default=100, help="office size")
    parser.add_argument(
        "--rate", type=float, default=600, help="calls placed per minute (at most)"
    )
    parser.add_argument(
        "--concurrent", type=int, default=40, help="calls in progress at most"
    )
    parser.add_argument("--seed", type=int, default=1, help="the traffic's seed")
    args = parser.parse_args()
    if args.minutes < 1 or args.extensions < 2:
        parser.error("at least one minute and two extensions")
    quiet_logs()
    print(
        f"Home Assistant {HA_VERSION}, Python {platform.python_version()},"
        f" {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M %Z')}; everything on"
        f" 127.0.0.1; {args.minutes} minutes",
        flush=True,
    )
    bad = asyncio.run(
        soak(args), loop_factory=HassEventLoopPolicy(debug=False).new_event_loop
    )
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
