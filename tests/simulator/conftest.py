"""Fixtures for the simulator tests: a running simulator, a plain API client, a report receiver."""

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
import hashlib
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from simulator import Office, PbxSimulator, SimulatorTiming

PASSWORD_MD5 = hashlib.md5(b"secret", usedforsecurity=False).hexdigest()


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """Every simulator test talks over real loopback sockets."""


class FakeClock:
    """An injectable clock that tests move by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Received:
    """One report as the receiver got it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    remote: str
    method: str


@dataclass
class Receiver:
    """A tiny HTTP server that collects reports; `statuses` are answered first, then 200."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(
            Received(
                request.path,
                dict(request.headers),
                body,
                request.remote or "",
                request.method,
            )
        )
        self.arrived.set()
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)

    async def wait_for(
        self, name: str, count: int = 1, within: float = 3.0
    ) -> list[dict[str, Any]]:
        """Wait until `count` reports of an event arrived; return them."""
        async with asyncio.timeout(within):
            while len(self.events(name)) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.events(name)

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        """Return the bodies received (only those of one event when named), duplicates included."""
        return [
            r.body for r in self.received if name is None or r.body.get("event") == name
        ]

    def summary(self) -> list[tuple[str, ...]]:
        """Return a compact view of the reports: (event, main fields...)."""
        return [summarise(body) for body in self.events()]


def summarise(body: dict[str, Any]) -> tuple[str, ...]:
    """Return a compact, comparable view of one report."""
    name = body["event"]
    if name == "ExtensionStatus":
        return (name, body["extension"], body["status"])
    if name == "CallStatus":
        states = []
        for member in body["members"]:
            ((kind, data),) = member.items()
            states.append(f"{data.get('number') or kind}:{data['memberstatus']}")
        return (name, *states)
    if name == "NewCdr":
        return (name, body["type"], body["status"])
    return (name,)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """Collect reports on 127.0.0.1."""
    collector = Receiver()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", collector.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    collector.port = runner.addresses[0][1]
    yield collector
    await runner.cleanup()


@pytest.fixture
def clock() -> FakeClock:
    """The simulator's clock."""
    return FakeClock()


@pytest.fixture
def timing() -> SimulatorTiming:
    """Short durations so nothing waits long."""
    return SimulatorTiming(
        report_retry_interval=0.05,
        report_timeout=0.5,
        reboot_duration=0.2,
        prompt_duration=0.05,
    )


@pytest.fixture
def office() -> Office:
    """The sample office (fresh for each test)."""
    return Office.sample()


@pytest.fixture
def sim_factory(
    clock: FakeClock, timing: SimulatorTiming, office: Office
) -> Callable[..., PbxSimulator]:
    """Build simulators with the test clock and timing; the test starts them."""

    def build(**kwargs: Any) -> PbxSimulator:
        kwargs.setdefault("office", office)
        kwargs.setdefault("timing", timing)
        kwargs.setdefault("clock", clock)
        return PbxSimulator(**kwargs)

    return build


@pytest.fixture
async def sim(sim_factory: Callable[..., PbxSimulator]) -> AsyncIterator[PbxSimulator]:
    """A running HTTPS simulator with the sample office."""
    simulator = sim_factory()
    await simulator.start()
    yield simulator
    await simulator.stop()


class Api:
    """A plain aiohttp client of the PBX API (independent of the project's client library)."""

    def __init__(self, sim: PbxSimulator, session: aiohttp.ClientSession) -> None:
        self.sim = sim
        self.session = session
        self.token = ""

    def url(self, endpoint: str) -> str:
        return f"{self.sim.base_url}/api/v2.0.0/{endpoint}"

    async def post(
        self,
        endpoint: str,
        body: dict[str, Any] | None = None,
        *,
        token: str | None = None,
    ) -> dict[str, Any]:
        """POST JSON (no body when None) with the current token; return the JSON answer."""
        token = self.token if token is None else token
        params = {"token": token} if token else {}
        data = None if body is None else aiohttp.JsonPayload(body)
        async with self.session.post(
            self.url(endpoint), params=params, data=data, ssl=False
        ) as response:
            assert response.status == 200
            return await response.json(content_type=None)

    async def raw(
        self, method: str, endpoint: str, data: bytes | None = None, **params: str
    ) -> aiohttp.ClientResponse:
        """Send anything; the response is read and released."""
        async with self.session.request(
            method, self.url(endpoint), params=params, data=data, ssl=False
        ) as response:
            await response.read()
            return response

    async def login(
        self, receiver: Receiver | None = None, **fields: Any
    ) -> dict[str, Any]:
        """Log in (reports to the receiver when given) and keep the token."""
        body: dict[str, Any] = {
            "username": "api",
            "password": PASSWORD_MD5,
            "version": "2.0.0",
        }
        if receiver is not None:
            body |= {"port": str(receiver.port), "url": "yeastar/events"}
        body |= fields
        answer = await self.post("login", body, token="")
        if answer["status"] == "Success":
            self.token = answer["token"]
        return answer


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A client session, closed at the end."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def api(sim: PbxSimulator, http: aiohttp.ClientSession) -> Api:
    """An API client of the running simulator (not logged in)."""
    return Api(sim, http)


@pytest.fixture
async def connected(api: Api, receiver: Receiver) -> Api:
    """An API client logged in, with reports going to the receiver."""
    answer = await api.login(receiver)
    assert answer["status"] == "Success"
    return api
