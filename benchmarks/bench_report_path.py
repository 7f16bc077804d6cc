"""Benchmark of the whole report path inside a running Home Assistant, against office size.

Checks the design rule "one PBX report updates only the entities it concerns; a report's
cost must not grow with the number of extensions". For each office size it runs, in this
process, a real Home Assistant core (its own HTTP server and the webhook component on
127.0.0.1), the PBX simulator on 127.0.0.1 over plain HTTP, and the integration set up
through a config entry, then prints:

- the cost of one ExtensionStatus report POSTed straight to the webhook from 127.0.0.1
  (a new connection per report, as the PBX does): the HTTP round trip, the time in the
  integration's webhook handler and the time in `coordinator.async_handle_report` (both
  timed by wrappers this script installs; the integration itself is not changed). Once
  with reports going round every extension of the office, once with every report about
  the same extension: the second keeps the memory touched per report the same size
  whatever the office, so what is left of a difference between sizes is work, not cache;
- the state writes each report causes (state_changed and state_reported events), and
  whether any entity other than the extension's status sensor and the PBX's last-report
  sensor was written;
- the end-to-end latency from the simulator producing a report (a phone losing or
  regaining its registration) to the sensor showing the new state;
- memory: the process's RSS growth across the entry's setup and the size of the
  coordinator's data.

Not a test: nothing is asserted about speed.

    .venv/bin/python benchmarks/bench_report_path.py [--sizes 5,50,500] [--reports 2000]
        [--changes 200] [--tracemalloc]
"""

import argparse
import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
import gc
import json
import logging
import os
from pathlib import Path
import platform
import resource
import socket
import statistics
import sys
import tempfile
import time
import tracemalloc
from types import FunctionType, ModuleType
from typing import Any
from unittest.mock import patch

import aiohttp
from aiohttp.web import Request, Response
from homeassistant import loader
from homeassistant.components import webhook
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    EVENT_STATE_CHANGED,
    EVENT_STATE_REPORTED,
    __version__ as HA_VERSION,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.helpers import entity_registry as er
from homeassistant.runner import HassEventLoopPolicy
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Import the project's package before Home Assistant looks for custom integrations.
import custom_components.yeastar  # noqa: F401
from custom_components.yeastar.const import (
    CONF_POLL_INTERVAL,
    DOMAIN,
    MAX_POLL_INTERVAL,
)
from custom_components.yeastar.coordinator import YeastarCoordinator
from custom_components.yeastar.pbx.events import Report as PbxEvent
from simulator import Office, PbxSimulator, SimExtension, SimTrunk

SERIAL = "369451090405"
USERNAME = "haapi"
PASSWORD = "bench-Pass1"  # noqa: S105 (the simulator's, on loopback)
LOOPBACK = "127.0.0.1"
# What the PBX sends with every report (simulator/reports.py).
PBX_HEADERS = {
    "User-Agent": "WebAPI",
    "Content-Type": "application/json",
    "Accept": "application/json",
}
STATE_OF_STATUS = {"Registered": "idle", "Unregistered": "offline"}
WAIT_FOR_STATE = 5.0  # seconds before an end-to-end change counts as lost
MIB = 1024 * 1024


# ---------------------------------------------------------------- figures


@dataclass(frozen=True, slots=True)
class Spread:
    """Mean, median and 95th percentile of a series of durations, in seconds."""

    mean: float
    median: float
    p95: float

    @classmethod
    def of(cls, values: list[float]) -> "Spread":
        """Summarise a series (at least one value)."""
        ordered = sorted(values)
        return cls(
            mean=statistics.fmean(ordered),
            median=statistics.median(ordered),
            p95=ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        )


@dataclass(frozen=True, slots=True)
class ReportCost:
    """What direct reports to the webhook cost, and which states they wrote."""

    reports: int
    round_trip: Spread
    handler: Spread
    coordinator: Spread
    writes_min: int
    writes_mean: float
    writes_max: int
    changed_mean: float
    reported_mean: float
    other_entities: int
    missed_entities: int
    not_ok: int


@dataclass(frozen=True, slots=True)
class Footprint:
    """What setting the entry up cost: time, entities and memory."""

    entities: int
    setup_seconds: float
    rss_growth: int
    data_bytes: int
    traced_bytes: int | None


@dataclass(frozen=True, slots=True)
class SizeResult:
    """Every figure for one office size."""

    extensions: int
    footprint: Footprint
    latency: Spread
    changes: int
    # Reports going round every extension, and reports all about one extension.
    cost_every: ReportCost
    cost_one: ReportCost

    def costs(self) -> list[tuple[str, ReportCost]]:
        """Return both report costs with what the reports were about."""
        return [("every", self.cost_every), ("one", self.cost_one)]


# ---------------------------------------------------------------- helpers


def free_port() -> int:
    """Return a TCP port free on the loopback address right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def rss_bytes() -> int:
    """Return the process's resident set size now (its peak where /proc is missing)."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def deep_size(root: object) -> int:
    """Return the bytes of an object and of everything it references (types excepted)."""
    seen: set[int] = set()
    pending = [root]
    total = 0
    while pending:
        item = pending.pop()
        if id(item) in seen or isinstance(item, type | ModuleType | FunctionType):
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        pending.extend(gc.get_referents(item))
    return total


def office_of(size: int) -> Office:
    """Return an office of ``size`` registered, monitored SIP extensions and two trunks."""
    return Office(
        serial_number=SERIAL,
        model="Yeastar S300",
        capacity=max(size, 1),
        extensions=[
            SimExtension(number=str(1000 + index), name=f"Desk {index}")
            for index in range(size)
        ],
        trunks=[
            SimTrunk(name="SIPTrunk1", type="SIP", status="Registered", did="5551234"),
            SimTrunk(name="GSM1", type="GSM", status="Idle", port="Port3"),
        ],
    )


def report_body(number: str, status: str) -> bytes:
    """Return an ExtensionStatus report as the PBX posts it."""
    event = {
        "event": "ExtensionStatus",
        "extension": number,
        "status": status,
        "sn": SERIAL,
    }
    return json.dumps(event, separators=(",", ":")).encode()


@callback
def _every_event(_data: Any) -> bool:
    """Let every event through (state_reported listeners need a filter)."""
    return True


class StateWrites:
    """Record every state write (changed or merely reported) by entity id."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Start listening."""
        self.entities: list[str] = []
        self.changed = 0
        self.reported = 0
        self._stop = [
            hass.bus.async_listen(EVENT_STATE_CHANGED, self._on_changed),
            hass.bus.async_listen(
                EVENT_STATE_REPORTED, self._on_reported, event_filter=_every_event
            ),
        ]

    @callback
    def _on_changed(self, event: Event[Any]) -> None:
        """Note a write that changed the state."""
        self.changed += 1
        self.entities.append(event.data["entity_id"])

    @callback
    def _on_reported(self, event: Event[Any]) -> None:
        """Note a write of the same state (e.g. a timestamp equal to the second)."""
        self.reported += 1
        self.entities.append(event.data["entity_id"])

    def close(self) -> None:
        """Stop listening."""
        for stop in self._stop:
            stop()


type WebhookHandler = Callable[[HomeAssistant, str, Request], Awaitable[Response]]


class Stopwatches:
    """Time the webhook handler and the coordinator, by wrapping them from outside."""

    def __init__(
        self, hass: HomeAssistant, webhook_id: str, coordinator: YeastarCoordinator
    ) -> None:
        """Install the wrappers."""
        self.handler: list[float] = []
        self.coordinator: list[float] = []
        self._registration: dict[str, Any] = hass.data[webhook.DOMAIN][webhook_id]
        self._handler: WebhookHandler = self._registration["handler"]
        self._apply_report = coordinator.async_handle_report
        self._coordinator = coordinator
        self._registration["handler"] = self._timed_handler
        # An instance attribute: ReportHandler looks the method up at every report.
        coordinator.async_handle_report = self._timed_apply  # type: ignore[method-assign]

    async def _timed_handler(
        self, hass: HomeAssistant, webhook_id: str, request: Request
    ) -> Response:
        """Run the integration's webhook handler and note its time."""
        start = time.perf_counter()
        try:
            return await self._handler(hass, webhook_id, request)
        finally:
            self.handler.append(time.perf_counter() - start)

    @callback
    def _timed_apply(self, event: PbxEvent) -> None:
        """Run the coordinator's report method and note its time."""
        start = time.perf_counter()
        try:
            self._apply_report(event)
        finally:
            self.coordinator.append(time.perf_counter() - start)

    def reset(self) -> None:
        """Forget what was timed so far (the warm-up)."""
        self.handler.clear()
        self.coordinator.clear()

    def remove(self) -> None:
        """Put the originals back."""
        self._registration["handler"] = self._handler
        del self._coordinator.async_handle_report


# ---------------------------------------------------------------- set-up


@asynccontextmanager
async def home_assistant(config_dir: str) -> AsyncIterator[tuple[HomeAssistant, int]]:
    """Run Home Assistant with its HTTP server on 127.0.0.1; yield it and the port."""
    port = free_port()
    with patch(
        # Home Assistant asks the network stack for its outgoing address: stay on loopback.
        "homeassistant.components.network.util.async_get_source_ip",
        return_value=LOOPBACK,
    ):
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            # What the harness's enable_custom_integrations fixture does.
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
            http_config = {"server_host": [LOOPBACK], "server_port": port}
            try:
                if not (
                    await async_setup_component(hass, "http", {"http": http_config})
                    and await async_setup_component(hass, "webhook", {})
                ):
                    raise RuntimeError("Home Assistant's http/webhook did not set up")
                await hass.http.start()
                await async_process_ha_core_config(
                    hass, {"internal_url": f"http://{LOOPBACK}:{port}"}
                )
                yield hass, port
            finally:
                if hass.http is not None:
                    await hass.http.stop()
                await hass.async_stop(force=True)


@dataclass(slots=True)
class OfficeSetup:
    """A simulated PBX and the config entry that Home Assistant set up for it."""

    simulator: PbxSimulator
    entry: MockConfigEntry
    coordinator: YeastarCoordinator
    footprint: Footprint
    status_entity: dict[str, str]
    last_report_entity: str


@asynccontextmanager
async def office_in_home_assistant(
    hass: HomeAssistant, size: int, *, trace: bool
) -> AsyncIterator[OfficeSetup]:
    """Start a simulated office and set the integration up for it; remove both after."""
    simulator = PbxSimulator(
        office=office_of(size),
        host=LOOPBACK,
        port=0,
        ssl=False,
        username=USERNAME,
        password=PASSWORD,
    )
    await simulator.start()
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"Office of {size}",
        unique_id=SERIAL,
        data={
            CONF_HOST: LOOPBACK,
            CONF_PORT: simulator.port,
            CONF_SSL: False,
            CONF_USERNAME: USERNAME,
            CONF_PASSWORD: PASSWORD,
            CONF_WEBHOOK_ID: os.urandom(32).hex(),
        },
        # Keep the reconciliation poll (which writes every entity) out of the figures.
        options={CONF_POLL_INTERVAL: MAX_POLL_INTERVAL},
    )
    entry.add_to_hass(hass)
    try:
        footprint = await _set_up(hass, entry, trace=trace)
        registry = er.async_get(hass)

        def entity_id(unique_id: str) -> str:
            found = registry.async_get_entity_id("sensor", DOMAIN, unique_id)
            if found is None:
                raise RuntimeError(f"no sensor {unique_id}")
            return found

        yield OfficeSetup(
            simulator=simulator,
            entry=entry,
            coordinator=entry.runtime_data,
            footprint=footprint,
            status_entity={
                extension.number: entity_id(f"{SERIAL}_{extension.number}_status")
                for extension in simulator.office.extensions
            },
            last_report_entity=entity_id(f"{SERIAL}_last_report"),
        )
    finally:
        await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
        await simulator.stop()


async def _set_up(
    hass: HomeAssistant, entry: MockConfigEntry, *, trace: bool
) -> Footprint:
    """Set the entry up; return its time, entity count and memory."""
    gc.collect()
    rss_before = rss_bytes()
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    if not await hass.config_entries.async_setup(entry.entry_id):
        raise RuntimeError(f"the entry did not set up: {entry.state}")
    await hass.async_block_till_done()
    setup_seconds = time.perf_counter() - start
    gc.collect()
    traced = None
    if trace:
        traced = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
    coordinator: YeastarCoordinator = entry.runtime_data
    return Footprint(
        entities=len(
            er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        ),
        setup_seconds=setup_seconds,
        rss_growth=rss_bytes() - rss_before,
        data_bytes=deep_size(coordinator.data),
        traced_bytes=traced,
    )


# ---------------------------------------------------------------- measures


async def measure_latency(
    hass: HomeAssistant, office: OfficeSetup, changes: int, warmup: int
) -> list[float]:
    """Return seconds from the simulator producing a report to the state changing.

    Phones lose and regain their registration in pairs, so every extension ends
    registered again.
    """
    loop = asyncio.get_running_loop()
    waiting: dict[str, tuple[str, asyncio.Future[float]]] = {}

    @callback
    def on_changed(event: Event[Any]) -> None:
        wait = waiting.get(event.data["entity_id"])
        new_state = event.data["new_state"]
        if wait and new_state and new_state.state == wait[0] and not wait[1].done():
            wait[1].set_result(time.perf_counter())

    numbers = list(office.status_entity)
    latencies: list[float] = []
    stop = hass.bus.async_listen(EVENT_STATE_CHANGED, on_changed)
    try:
        for index in range(warmup + changes + (warmup + changes) % 2):
            number = numbers[(index // 2) % len(numbers)]
            status = "Unregistered" if index % 2 == 0 else "Registered"
            entity = office.status_entity[number]
            seen = loop.create_future()
            waiting[entity] = (STATE_OF_STATUS[status], seen)
            start = time.perf_counter()
            if status == "Unregistered":
                office.simulator.unregister_extension(number)
            else:
                office.simulator.register_extension(number)
            async with asyncio.timeout(WAIT_FOR_STATE):
                changed_at = await seen
            del waiting[entity]
            if index >= warmup:
                latencies.append(changed_at - start)
    finally:
        stop()
    return latencies[:changes]


async def measure_reports(
    hass: HomeAssistant,
    port: int,
    office: OfficeSetup,
    numbers: list[str],
    count: int,
    warmup: int,
) -> ReportCost:
    """POST reports about ``numbers`` in turn to the webhook; each changes a state."""
    extensions = office.coordinator.data.extensions
    status = {number: extensions[number].status for number in numbers}
    plan: list[tuple[str, bytes]] = []
    for index in range(warmup + count):
        number = numbers[index % len(numbers)]
        status[number] = (
            "Unregistered" if status[number] == "Registered" else "Registered"
        )
        plan.append((number, report_body(number, status[number])))

    webhook_id = office.entry.data[CONF_WEBHOOK_ID]
    url = f"http://{LOOPBACK}:{port}/api/webhook/{webhook_id}"
    stopwatches = Stopwatches(hass, webhook_id, office.coordinator)
    writes = StateWrites(hass)
    round_trips: list[float] = []
    per_report: list[int] = []
    other = missed = not_ok = 0
    connector = aiohttp.TCPConnector(force_close=True)  # the PBX opens one per report
    try:
        async with aiohttp.ClientSession(
            connector=connector, headers=PBX_HEADERS
        ) as session:
            for index, (number, body) in enumerate(plan):
                if index == warmup:
                    gc.collect()
                    stopwatches.reset()
                    writes.changed = writes.reported = 0
                mark = len(writes.entities)
                start = time.perf_counter()
                async with session.post(url, data=body) as response:
                    await response.read()
                elapsed = time.perf_counter() - start
                if index < warmup:
                    continue
                round_trips.append(elapsed)
                not_ok += response.status != 200
                written = writes.entities[mark:]
                expected = {office.status_entity[number], office.last_report_entity}
                per_report.append(len(written))
                other += len(set(written) - expected)
                missed += len(expected - set(written))
    finally:
        writes.close()
        stopwatches.remove()
    return ReportCost(
        reports=count,
        round_trip=Spread.of(round_trips),
        handler=Spread.of(stopwatches.handler),
        coordinator=Spread.of(stopwatches.coordinator),
        writes_min=min(per_report),
        writes_mean=statistics.fmean(per_report),
        writes_max=max(per_report),
        changed_mean=writes.changed / count,
        reported_mean=writes.reported / count,
        other_entities=other,
        missed_entities=missed,
        not_ok=not_ok,
    )


async def measure_office(
    hass: HomeAssistant, port: int, size: int, reports: int, changes: int, trace: bool
) -> SizeResult:
    """Set an office of ``size`` extensions up, measure it, and remove it."""
    async with office_in_home_assistant(hass, size, trace=trace) as office:
        latencies = await measure_latency(hass, office, changes, min(20, changes))
        numbers = list(office.status_entity)
        warmup = min(200, reports)
        return SizeResult(
            extensions=size,
            footprint=office.footprint,
            latency=Spread.of(latencies),
            changes=len(latencies),
            cost_every=await measure_reports(
                hass, port, office, numbers, reports, warmup
            ),
            cost_one=await measure_reports(
                hass, port, office, numbers[:1], reports, warmup
            ),
        )


async def run(
    sizes: list[int], reports: int, changes: int, trace: bool
) -> list[SizeResult]:
    """Measure every office size in one Home Assistant, one office at a time.

    A small office goes first, unmeasured, so that the first size measured does not pay
    for importing the platforms and warming the HTTP path.
    """
    results: list[SizeResult] = []
    with tempfile.TemporaryDirectory(prefix="bench-ha-") as config_dir:
        async with home_assistant(config_dir) as (hass, port):
            await measure_office(hass, port, 2, 100, 4, trace=False)
            for size in sizes:
                print(f"  office of {size} extensions ...", flush=True)
                results.append(
                    await measure_office(hass, port, size, reports, changes, trace)
                )
    return results


# ---------------------------------------------------------------- output


def _us(spread: Spread) -> str:
    """Return a spread in microseconds: mean, median, p95."""
    return (
        f"{spread.mean * 1e6:7.0f} {spread.median * 1e6:7.0f} {spread.p95 * 1e6:7.0f}"
    )


def print_costs(results: list[SizeResult], reports: int) -> None:
    """Print what one report costs, by office size and by what the reports were about."""
    print(f"1. Cost of one ExtensionStatus report, µs ({reports} reports per row)")
    print("   reports about: every = each extension in turn, one = always the same one")
    print(
        f"{'extensions':>10} {'entities':>8} {'about':>5} | {'POST round trip':^23} |"
        f" {'webhook handler':^23} | {'coordinator':^23} |"
    )
    print(f"{'':>25} |" + f" {'mean':>7} {'median':>7} {'p95':>7} |" * 3)
    for result in results:
        for about, cost in result.costs():
            print(
                f"{result.extensions:>10} {result.footprint.entities:>8} {about:>5} |"
                f" {_us(cost.round_trip)} | {_us(cost.handler)} |"
                f" {_us(cost.coordinator)} |"
            )


def print_writes(results: list[SizeResult]) -> None:
    """Print the state writes each report caused."""
    print("2. State writes per report. Expected: 2, the extension's status sensor and")
    print(
        "   the PBX's last-report sensor (a state_reported write, not a state_changed"
    )
    print("   one, while its timestamp, shown to the second, has not moved)")
    print(
        f"{'extensions':>10} {'about':>5} | {'writes min/mean/max':>19} |"
        f" {'state_changed':>13} | {'state_reported':>14} | {'other entities':>14} |"
        f" {'missed':>6} | {'non-200':>7}"
    )
    for result in results:
        for about, cost in result.costs():
            print(
                f"{result.extensions:>10} {about:>5} |"
                f" {cost.writes_min:>5} {cost.writes_mean:>7.3f} {cost.writes_max:>5} |"
                f" {cost.changed_mean:>13.3f} | {cost.reported_mean:>14.3f} |"
                f" {cost.other_entities:>14} | {cost.missed_entities:>6} |"
                f" {cost.not_ok:>7}"
            )


def print_latency_and_memory(results: list[SizeResult]) -> None:
    """Print the end-to-end latency and what the office's setup cost in memory."""
    print("3. End to end (simulator report -> Home Assistant state) and memory")
    traced = any(result.footprint.traced_bytes is not None for result in results)
    print(
        f"{'extensions':>10} | {'changes':>7} | {'median ms':>9} | {'p95 ms':>7} |"
        f" {'setup s':>7} | {'RSS +MiB':>8} | {'RSS/ext KiB':>11} | {'data KiB':>8}"
        + (f" | {'traced MiB':>10}" if traced else "")
    )
    for result in results:
        footprint = result.footprint
        line = (
            f"{result.extensions:>10} | {result.changes:>7} |"
            f" {result.latency.median * 1e3:>9.2f} | {result.latency.p95 * 1e3:>7.2f} |"
            f" {footprint.setup_seconds:>7.2f} | {footprint.rss_growth / MIB:>8.1f} |"
            f" {footprint.rss_growth / 1024 / result.extensions:>11.1f} |"
            f" {footprint.data_bytes / 1024:>8.1f}"
        )
        if footprint.traced_bytes is not None:
            line += f" | {footprint.traced_bytes / MIB:>10.1f}"
        print(line)
    print(
        "   entities: per extension a status sensor and a call event entity, per trunk"
    )
    print(
        "   a status sensor, and the last-report sensor. RSS counts resident pages: memory"
    )
    print(
        "   freed by the previous office is reused, so small offices may show 0; data is"
    )
    print(
        "   the coordinator's data object; traced (--tracemalloc) is the Python memory"
    )
    print("   allocated during setup and still held after it.")


def print_growth(small: SizeResult, large: SizeResult) -> None:
    """Print how the medians grew from the smallest office to the largest."""
    print(
        f"Growth from {small.extensions} to {large.extensions} extensions"
        f" ({large.extensions / small.extensions:.0f}x more), ratio of medians:"
    )
    print(f"  {'':<16} {'every':>6} {'one':>6}")
    stages: list[tuple[str, Callable[[ReportCost], Spread]]] = [
        ("POST round trip", lambda cost: cost.round_trip),
        ("webhook handler", lambda cost: cost.handler),
        ("coordinator", lambda cost: cost.coordinator),
    ]
    for label, stage in stages:
        ratios = [
            stage(large_cost).median / stage(small_cost).median
            for (_, small_cost), (_, large_cost) in zip(
                small.costs(), large.costs(), strict=True
            )
        ]
        print(f"  {label:<16}" + "".join(f" {ratio:5.2f}x" for ratio in ratios))
    print(f"  {'end to end':<16} {large.latency.median / small.latency.median:5.2f}x")


def main() -> None:
    """Parse the options, run the benchmark and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[5, 50, 500],
        help="office sizes (extensions), comma separated",
    )
    parser.add_argument(
        "--reports", type=int, default=2000, help="reports POSTed per office"
    )
    parser.add_argument(
        "--changes", type=int, default=200, help="end-to-end changes per office"
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also trace Python allocations during setup (slows the setup down)",
    )
    args = parser.parse_args()
    if min(args.sizes) < 1 or args.reports < 1 or args.changes < 1:
        parser.error("sizes, reports and changes must be positive")
    logging.basicConfig(level=logging.WARNING)
    # Known and harmless here: a custom integration is loaded; no zlib-ng for gzip.
    logging.getLogger("homeassistant.loader").setLevel(logging.ERROR)
    logging.getLogger("aiohttp_fast_zlib").setLevel(logging.ERROR)

    print(
        f"Home Assistant {HA_VERSION}, Python {platform.python_version()},"
        f" {os.cpu_count()} CPUs; everything on {LOOPBACK}, one event loop"
    )
    started = time.perf_counter()
    results = asyncio.run(
        run(args.sizes, args.reports, args.changes, args.tracemalloc),
        loop_factory=HassEventLoopPolicy(debug=False).new_event_loop,
    )
    print()
    print_costs(results, args.reports)
    print()
    print_writes(results)
    print()
    print_latency_and_memory(results)
    if len(results) > 1:
        print()
        print_growth(results[0], results[-1])
    print(f"\nTotal run time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
