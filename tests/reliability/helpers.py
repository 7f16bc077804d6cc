"""What the reliability tests share: posting to the webhook, counting, walking time, figures.

Each test prints its figures on lines that start with ``RELIABILITY:`` (shown with
``pytest -s``) and asserts the behaviour behind them.
"""

import asyncio
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import json
import logging
import re
import time
from types import TracebackType
from typing import Any, Self
from unittest.mock import patch

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import async_fire_time_changed
import pytest_socket

from custom_components.yeastar.const import DOMAIN
from custom_components.yeastar.identifiers import extension_identifier, unique_id
from custom_components.yeastar.pbx.client import YeastarClient
from custom_components.yeastar.sseries import phone_from_word
from simulator import Office, PbxSimulator, SimExtension, SimTrunk
from tests.common import FakeClock
from tests.integration.conftest import SERIAL, WEBHOOK_ID

WEBHOOK_PATH = f"/api/webhook/{WEBHOOK_ID}"
PBX_ADDRESS = "127.0.0.1"
# Loopback addresses the tests post from besides the PBX's own (all of 127.0.0.0/8 is
# loopback on Linux).
LOOPBACK = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]


def figure(test: str, **values: object) -> None:
    """Print one line of a test's figures."""
    shown = ", ".join(f"{name}={value}" for name, value in values.items())
    print(f"RELIABILITY: {test}: {shown}")  # noqa: T201


def allow_loopback() -> None:
    """Let the test connect to (and from) the other loopback addresses too."""
    pytest_socket.socket_allow_hosts(LOOPBACK)


def extension_report(
    number: str, status: str, serial: str = SERIAL, **extra: str
) -> dict[str, Any]:
    """Return an ExtensionStatus report as the PBX posts it."""
    return {
        "event": "ExtensionStatus",
        "extension": number,
        "status": status,
        **extra,
        "sn": serial,
    }


def encode(body: bytes | dict[str, Any]) -> bytes:
    """Return a body as the PBX sends it (compact JSON)."""
    if isinstance(body, bytes):
        return body
    return json.dumps(body, separators=(",", ":")).encode()


class Poster:
    """An HTTP client that posts to Home Assistant's webhook from one loopback address."""

    def __init__(
        self, port: int, source: str = PBX_ADDRESS, path: str = WEBHOOK_PATH
    ) -> None:
        """Post to Home Assistant's server on `port`, from `source`."""
        self.base = f"http://127.0.0.1:{port}"
        self.path = path
        self.source = source
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        """Open the client (its connections leave from `source`)."""
        allow_loopback()
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(local_addr=(self.source, 0), limit=50),
            headers={"User-Agent": "WebAPI", "Content-Type": "application/json"},
        )
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Close the client."""
        if self._session is not None:
            await self._session.close()

    async def send(
        self,
        body: bytes | dict[str, Any] = b"",
        *,
        method: str = "POST",
        path: str | None = None,
    ) -> int:
        """Send one request; return the HTTP status."""
        assert self._session is not None
        async with self._session.request(
            method, self.base + (path or self.path), data=encode(body)
        ) as response:
            await response.read()
            return response.status

    async def post_all(
        self, bodies: Iterable[bytes | dict[str, Any]], concurrency: int = 1
    ) -> list[int]:
        """POST every body: one after the other, or `concurrency` at a time (in batches).

        Batches run one after the other, so the order between batches is kept.
        """
        statuses: list[int] = []
        batch: list[bytes | dict[str, Any]] = []
        for body in bodies:
            batch.append(body)
            if len(batch) == concurrency:
                statuses += await self._post_batch(batch)
                batch = []
        if batch:
            statuses += await self._post_batch(batch)
        return statuses

    async def _post_batch(self, batch: Sequence[bytes | dict[str, Any]]) -> list[int]:
        """POST a batch of bodies at once."""
        if len(batch) == 1:
            return [await self.send(batch[0])]
        return list(await asyncio.gather(*(self.send(body) for body in batch)))


class StateWrites:
    """Count the state changes Home Assistant records, per entity."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Start counting now."""
        self.counts: Counter[str] = Counter()
        self._remove = hass.bus.async_listen("state_changed", self._count)

    @callback
    def _count(self, event: Event[EventStateChangedData]) -> None:
        self.counts[event.data["entity_id"]] += 1

    def stop(self) -> None:
        """Stop counting."""
        self._remove()

    @property
    def total(self) -> int:
        """Return the state changes counted."""
        return sum(self.counts.values())


def pbx_phone(sim: PbxSimulator, number: str) -> str:
    """Return the sensor state the PBX's own word for an extension stands for."""
    extension = sim.office.extension(number)
    assert extension is not None, number
    phone = phone_from_word(sim.engine.list_status(extension))
    assert phone is not None
    return phone.value


def mismatches(hass: HomeAssistant, sim: PbxSimulator) -> dict[str, tuple[str, str]]:
    """Return the monitored extensions whose status sensor differs from the PBX."""
    found = {}
    for extension in sim.office.extensions:
        entity_id = status_entity(hass, extension.number)
        current = hass.states.get(entity_id)
        shown = current.state if current else "missing"
        expected = pbx_phone(sim, extension.number)
        if shown != expected:
            found[extension.number] = (shown, expected)
    return found


def status_entity(hass: HomeAssistant, number: str) -> str:
    """Return the entity id of an extension's status sensor."""
    registry = er.async_get(hass)
    entity_id = registry.async_get_entity_id(
        "sensor", DOMAIN, unique_id(extension_identifier(SERIAL, number), "status")
    )
    assert entity_id is not None, number
    return entity_id


def invalid_states(hass: HomeAssistant) -> list[str]:
    """Return the integration's entities whose state is not a valid one.

    Valid: one of a sensor's options, an event entity's time and one of its event
    types, or unknown / unavailable; and every state serialises to JSON.
    """
    registry = er.async_get(hass)
    bad = []
    for entry in [e for e in registry.entities.values() if e.platform == DOMAIN]:
        current = hass.states.get(entry.entity_id)
        if current is None:
            continue
        try:
            current.as_dict_json  # noqa: B018 - serialises the state
        except (TypeError, ValueError, UnicodeError) as err:
            bad.append(f"{entry.entity_id}: not serialisable ({err})")
            continue
        if current.state in (STATE_UNKNOWN, STATE_UNAVAILABLE):
            continue
        attributes = current.attributes
        if entry.domain == "sensor" and "options" in attributes:
            if current.state not in attributes["options"]:
                bad.append(f"{entry.entity_id}: {current.state!r}")
        elif entry.domain == "event":
            try:
                datetime.fromisoformat(current.state)
            except ValueError:
                bad.append(f"{entry.entity_id}: {current.state!r}")
            if attributes.get("event_type") not in attributes.get("event_types", ()):
                bad.append(f"{entry.entity_id}: event {attributes.get('event_type')!r}")
    return bad


def error_records(records: Iterable[logging.LogRecord]) -> list[str]:
    """Return the log records at ERROR or above, as text."""
    return [
        f"{record.name}: {record.getMessage()}"
        for record in records
        if record.levelno >= logging.ERROR
    ]


def tracebacks(records: Iterable[logging.LogRecord]) -> list[str]:
    """Return the records from INFO up that carry a traceback.

    At DEBUG, Home Assistant 2026.x's coordinator logs every failed poll's exception
    chain on purpose ("Full error:"); that is no error report.
    """
    return [
        f"{record.name}: {record.getMessage()}"
        for record in records
        if record.exc_info and record.levelno >= logging.INFO
    ]


# What names the integration in a timer's callback or a task: its package, its job
# names. (Not just "yeastar": the newest stage's Home Assistant lives in /opt/yeastar/.)
OURS = re.compile(r"custom_components\.yeastar|yeastar_|Yeastar ")


def yeastar_timers(hass: HomeAssistant) -> list[asyncio.TimerHandle]:
    """Return the timers the integration scheduled (their callbacks name it)."""
    return [
        handle
        for handle in hass.loop._scheduled  # type: ignore[attr-defined]
        if not handle.cancelled() and OURS.search(repr(handle._callback))
    ]


def yeastar_tasks(hass: HomeAssistant) -> list[str]:
    """Return the integration's tasks (by name or coroutine) Home Assistant tracks."""
    found = []
    for task in [*hass._tasks, *hass._background_tasks]:
        described = f"{task.get_name()} {task.get_coro()!r}"
        if OURS.search(described):
            found.append(described)
    return found


def logins(sim: PbxSimulator) -> int:
    """Return how many login requests the simulator received."""
    return sum(1 for record in sim.requests if record.endpoint == "login")


def failed_logins(sim: PbxSimulator) -> int:
    """Return how many logins the simulator refused."""
    return sum(
        1
        for record in sim.requests
        if record.endpoint == "login"
        and (record.response or {}).get("status") != "Success"
    )


class RequestSpy:
    """Count every request Home Assistant's PBX client sends, reached or not.

    The simulator records only the requests it receives; one that is refused or hangs
    never shows there, so the storm bounds count the client's attempts instead (the
    client's one transport method, wrapped; its behaviour is unchanged).
    """

    def __init__(self) -> None:
        """Count nothing yet."""
        self.endpoints: list[str] = []
        self._patch: Any = None

    def __enter__(self) -> Self:
        """Start counting."""
        original = YeastarClient._post
        endpoints = self.endpoints

        async def counted(
            client: YeastarClient,
            endpoint: str,
            body: Mapping[str, str],
            token: str | None,
        ) -> dict[str, Any]:
            endpoints.append(endpoint)
            return await original(client, endpoint, body, token)

        self._patch = patch.object(YeastarClient, "_post", counted)
        self._patch.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop counting."""
        self._patch.stop()

    @property
    def logins(self) -> int:
        """Return the logins sent."""
        return self.endpoints.count("login")


@dataclass
class Traffic:
    """What Home Assistant asked of the PBX, minute by simulated minute."""

    requests: list[int] = field(default_factory=list)
    logins: list[int] = field(default_factory=list)
    failed_logins: list[int] = field(default_factory=list)
    endpoints: list[Counter[str]] = field(default_factory=list)

    @property
    def peak(self) -> int:
        """Return the most requests in one minute."""
        return max(self.requests, default=0)

    @property
    def total_logins(self) -> int:
        """Return the logins of the whole walk."""
        return sum(self.logins)

    def logins_in_any(self, minutes: int) -> int:
        """Return the most logins in any window of that many minutes."""
        return _window_peak(self.logins, minutes)

    def failed_logins_in_any(self, minutes: int) -> int:
        """Return the most failed logins in any window of that many minutes."""
        return _window_peak(self.failed_logins, minutes)

    def show(self) -> str:
        """Return the per-minute requests compactly."""
        return "[" + " ".join(str(count) for count in self.requests) + "]"

    def figures(self) -> dict[str, object]:
        """Return the figures every fault test prints."""
        return {
            "minutes": len(self.requests),
            "requests_per_minute": self.show(),
            "peak_per_minute": self.peak,
            "requests": sum(self.requests),
            "logins": self.total_logins,
            "failed_logins": sum(self.failed_logins),
            "busiest_minute": dict(self.endpoints[self.requests.index(self.peak)])
            if self.requests
            else {},
        }


def _window_peak(per_minute: list[int], minutes: int) -> int:
    """Return the largest sum over a sliding window."""
    if not per_minute:
        return 0
    return max(
        sum(per_minute[start : start + minutes])
        for start in range(max(1, len(per_minute) - minutes + 1))
    )


async def walk(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    clock: FakeClock,
    sim: PbxSimulator,
    spy: RequestSpy,
    minutes: int,
    *,
    traffic: Traffic | None = None,
    step: int = 10,
    wait: bool = True,
) -> Traffic:
    """Let simulated time pass for Home Assistant and the PBX alike, counting requests.

    Every `step` seconds: the freezer (Home Assistant's clock and the event loop's) and
    the simulator's clock move on, due timers fire (polls, heartbeats), and what they
    started runs. `wait=False` for a PBX that hangs: a request it never answers ends by
    the client's timeout in a later step instead of being waited for.
    """
    traffic = traffic or Traffic()
    for _ in range(minutes):
        before, before_logins = len(spy.endpoints), spy.logins
        before_failed = failed_logins(sim)
        for _ in range(60 // step):
            freezer.tick(timedelta(seconds=step))
            clock.advance(step)
            async_fire_time_changed(hass)
            if wait:
                await hass.async_block_till_done(wait_background_tasks=True)
            else:
                await real_pause(0.01)
            if sim._reports.pending:  # a report on its way: let it arrive first
                await real_pause(0.01)
        traffic.requests.append(len(spy.endpoints) - before)
        traffic.logins.append(spy.logins - before_logins)
        traffic.failed_logins.append(failed_logins(sim) - before_failed)
        traffic.endpoints.append(Counter(spy.endpoints[before:]))
    return traffic


async def real_pause(seconds: float) -> None:
    """Wait real time, also while the freezer holds the event loop's clock."""
    await asyncio.get_running_loop().run_in_executor(None, time.sleep, seconds)


async def deliver(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, sim: PbxSimulator
) -> None:
    """Let the simulator deliver every report waiting, under the freezer (at most 5 s).

    A report not answered 200 is retried after a short sleep on the event loop, whose
    clock the freezer holds: it is moved on a little at a time.
    """
    for _ in range(500):
        await hass.async_block_till_done()
        if not sim._reports.pending:
            return
        freezer.tick(timedelta(milliseconds=50))
        await real_pause(0.01)
    raise AssertionError(f"{sim._reports.pending} reports still waiting")


def big_office(count: int = 50) -> Office:
    """Return an office of `count` SIP extensions (1000 up) and a SIP trunk, all monitored."""
    return Office(
        serial_number=SERIAL,
        model="Yeastar S100",
        firmware="30.13.0.30",
        hardware="V1.10 0000-0000",
        extensions=[
            SimExtension(number=str(1000 + index), name=f"Desk {index}", type="SIP")
            for index in range(count)
        ],
        trunks=[
            SimTrunk(name="SIPTrunk1", type="SIP", status="Registered", did="5551234")
        ],
    )
