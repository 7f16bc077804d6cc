"""Benchmark of the report path: parse_report, report_fingerprint and CallTracker.handle.

Builds a synthetic day of office traffic (inbound answered and missed calls, ring groups,
outbound and internal calls, extension status reports) spread over many extensions,
with many calls in progress at once, then prints throughput and memory figures.
Not a test: nothing is asserted about speed.

    .venv/bin/python benchmarks/bench_events.py [--events 100000] [--extensions 500]
"""

import argparse
from collections.abc import Callable, Iterator
import gc
import json
from pathlib import Path
import random
import sys
import time
import tracemalloc
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from custom_components.yeastar.pbx.calls import CallTracker
from custom_components.yeastar.pbx.events import (
    Report,
    parse_report,
    report_fingerprint,
)

SN = "369451090405"
TRUNK = "SIPTrunk1"


def _ext(number: str, status: str, serial: int) -> dict[str, Any]:
    """Return an extension member."""
    return {
        "ext": {
            "number": number,
            "channelid": f"PJSIP/{number}-{serial:08x}",
            "memberstatus": status,
        }
    }


def _trunk(
    kind: str, caller: str, callee: str, status: str, serial: int
) -> dict[str, Any]:
    """Return a trunk member."""
    return {
        kind: {
            "from": caller,
            "to": callee,
            "trunkname": TRUNK,
            "channelid": f"PJSIP/trunk-{TRUNK}-endpoint-{serial:08x}",
            "memberstatus": status,
        }
    }


def _status(call_id: str, *members: dict[str, Any]) -> dict[str, Any]:
    """Return a CallStatus report."""
    return {
        "event": "CallStatus",
        "callid": call_id,
        "members": list(members),
        "sn": SN,
    }


def _cdr(
    call_id: str, caller: str, callee: str, status: str, kind: str
) -> dict[str, Any]:
    """Return a NewCdr report."""
    return {
        "event": "NewCdr",
        "callid": call_id,
        "timestart": "2024-03-01 10:00:00",
        "callfrom": caller,
        "callto": callee,
        "callduraction": "47",
        "talkduraction": "39" if status == "ANSWERED" else "0",
        "srctrunkname": TRUNK if kind == "Inbound" else "",
        "dsttrcunkname": TRUNK if kind == "Outbound" else "",
        "pincode": "",
        "status": status,
        "type": kind,
        "recording": "",
        "didnumber": "5551234" if kind == "Inbound" else "",
        "agentringtime": "",
        "sn": SN,
    }


def _call(
    rng: random.Random, index: int, extensions: list[str]
) -> list[dict[str, Any]]:
    """Return the reports of one synthetic call."""
    call_id = f"{1709287200 + index}.{index % 1000}"
    serial = index * 8
    external = f"06{rng.randrange(10**8):08d}"
    shape = rng.random()
    if shape < 0.5:  # inbound, to one extension or a ring group of 2-6
        group = rng.sample(extensions, 1 if shape < 0.3 else rng.randint(2, 6))
        answered = rng.random() < 0.7
        taker = group[0]
        line = lambda status: _trunk("inbound", external, "5551234", status, serial)  # noqa: E731
        reports = [
            {"event": "ExtensionStatus", "extension": e, "status": "Ringing", "sn": SN}
            for e in group
        ]
        reports.append(
            _status(
                call_id, line("ALERT"), *(_ext(e, "RING", serial + 1) for e in group)
            )
        )
        if answered:
            reports.append(
                _status(
                    call_id,
                    line("ANSWERED"),
                    *(
                        _ext(e, "ANSWER" if e == taker else "BYE", serial + 1)
                        for e in group
                    ),
                )
            )
            reports.append(
                _status(call_id, line("BYE"), _ext(taker, "BYE", serial + 1))
            )
        else:
            reports.append(
                _status(
                    call_id, line("BYE"), *(_ext(e, "BYE", serial + 1) for e in group)
                )
            )
        reports += [
            {
                "event": "ExtensionStatus",
                "extension": e,
                "status": "Registered",
                "sn": SN,
            }
            for e in group
        ]
        reports.append(
            _cdr(
                call_id,
                external,
                taker,
                "ANSWERED" if answered else "NO ANSWER",
                "Inbound",
            )
        )
        return reports
    caller = rng.choice(extensions)
    if shape < 0.8:  # outbound
        line = lambda status: _trunk("outbound", caller, external, status, serial)  # noqa: E731
        return [
            {
                "event": "ExtensionStatus",
                "extension": caller,
                "status": "Busy",
                "sn": SN,
            },
            _status(call_id, _ext(caller, "ALERT", serial + 1), line("RING")),
            _status(call_id, _ext(caller, "ANSWERED", serial + 1), line("ANSWER")),
            _status(call_id, _ext(caller, "BYE", serial + 1), line("BYE")),
            {
                "event": "ExtensionStatus",
                "extension": caller,
                "status": "Registered",
                "sn": SN,
            },
            _cdr(call_id, caller, external, "ANSWERED", "Outbound"),
        ]
    callee = rng.choice(extensions)
    return [
        _status(
            call_id, _ext(caller, "ALERT", serial + 1), _ext(callee, "RING", serial + 2)
        ),
        _status(
            call_id,
            _ext(caller, "ANSWERED", serial + 1),
            _ext(callee, "ANSWER", serial + 2),
        ),
        _status(
            call_id, _ext(caller, "BYE", serial + 1), _ext(callee, "BYE", serial + 2)
        ),
        _cdr(call_id, caller, callee, "ANSWERED", "Internal"),
    ]


def traffic(
    count: int, extension_count: int, concurrency: int, seed: int
) -> list[bytes]:
    """Return ``count`` report bodies: calls interleaved, ``concurrency`` at a time."""
    rng = random.Random(seed)  # noqa: S311 (synthetic traffic)
    extensions = [str(1000 + n) for n in range(extension_count)]
    streams: list[Iterator[dict[str, Any]]] = []
    bodies: list[bytes] = []
    index = 0
    while len(bodies) < count:
        while len(streams) < concurrency:
            streams.append(iter(_call(rng, index, extensions)))
            index += 1
        stream = streams[rng.randrange(len(streams))]
        if (report := next(stream, None)) is None:
            streams.remove(stream)
            continue
        bodies.append(json.dumps(report, separators=(",", ":")).encode())
    return bodies


def _rate(label: str, count: int, work: Callable[[], object]) -> float:
    """Time ``work`` (which handles ``count`` items) and print its throughput."""
    gc.collect()
    start = time.perf_counter()
    work()
    elapsed = time.perf_counter() - start
    print(
        f"  {label:<38} {count / elapsed:>12,.0f} /s   {elapsed * 1e6 / count:7.2f} µs each"
    )
    return elapsed


def _tracked_bytes(work: Callable[[], object]) -> tuple[object, int, int]:
    """Run ``work`` under tracemalloc; return its result, retained bytes and peak bytes."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    result = work()
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, current - before, peak - before


def _feed(tracker: CallTracker, events: list[Report]) -> int:
    """Hand every event to the tracker; return how many activities came out."""
    return sum(len(tracker.handle(event)) for event in events)


def main() -> None:
    """Build the traffic and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--extensions", type=int, default=500)
    parser.add_argument(
        "--concurrency", type=int, default=60, help="calls in progress at once"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    bodies = traffic(args.events, args.extensions, args.concurrency, args.seed)
    size = sum(map(len, bodies))
    print(
        f"{len(bodies):,} reports, {size / len(bodies):.0f} bytes each on average, "
        f"{args.extensions} extensions, ~{args.concurrency} calls at once"
    )

    print("Throughput")
    events: list[Report] = []
    _rate("parse_report", len(bodies), lambda: events.extend(map(parse_report, bodies)))
    _rate(
        "report_fingerprint (of the event)",
        len(events),
        lambda: list(map(report_fingerprint, events)),
    )
    tracker = CallTracker()
    activities = 0

    def run_tracker() -> None:
        nonlocal activities
        activities = _feed(tracker, events)

    _rate("CallTracker.handle", len(events), run_tracker)
    pipeline = CallTracker()
    _rate(
        "parse + fingerprint + handle",
        len(bodies),
        lambda: [
            pipeline.handle(e)
            for b in bodies
            if report_fingerprint(e := parse_report(b))
        ],
    )
    print(f"  {activities:,} call activities emitted")

    print("Memory")
    sample = bodies[:10_000]
    _, retained, _ = _tracked_bytes(lambda: [parse_report(body) for body in sample])
    print(
        f"  one retained parsed event             {retained / len(sample):>12,.0f} bytes on average"
    )
    fresh = CallTracker()
    _, retained, peak = _tracked_bytes(lambda: _feed(fresh, events))
    print(
        f"  tracker after {len(events):,} events       {retained:>12,} bytes retained "
        f"({retained / len(events):.1f} per event), peak {peak:,}"
    )
    print(
        f"  tracker holds {len(fresh._calls)} calls in progress and "  # noqa: SLF001
        f"{len(fresh._finished)} finished call ids"  # noqa: SLF001
    )

    print("Cost per event against office size (same traffic shape)")
    for extension_count in (50, 500, 5000):
        sized = [
            parse_report(body)
            for body in traffic(20_000, extension_count, args.concurrency, args.seed)
        ]
        _rate(
            f"handle, {extension_count} extensions",
            len(sized),
            lambda sized=sized: _feed(CallTracker(), sized),
        )


if __name__ == "__main__":
    main()
