"""Fixtures for the PBX client tests: sessions, a scriptable fake PBX, certificates, stored reports."""

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
import itertools
import json
from pathlib import Path
import ssl
from typing import Any

from aiohttp import ClientSession, web
import pytest

from custom_components.yeastar.pbx.client import ReportDestination, YeastarClient
from simulator import PbxSimulator, SimulatorTiming
from simulator.tls import self_signed
from tests.common import FakeClock, Receiver, simulator_factory

type Answer = (
    dict[str, Any] | web.StreamResponse | Callable[[web.Request], Awaitable[Any]]
)
type ClientFactory = Callable[..., YeastarClient]
type SimFactory = Callable[..., PbxSimulator]

EVENT_FIXTURES = Path(__file__).parent / "fixtures" / "events"


def stored_report(name: str) -> bytes:
    """Return a stored report body exactly as the PBX would post it."""
    return (EVENT_FIXTURES / f"{name}.json").read_bytes()


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """Let every test of the client open loopback sockets."""


@pytest.fixture
async def session() -> AsyncGenerator[ClientSession]:
    """Return an aiohttp session that is closed after the test."""
    async with ClientSession() as client_session:
        yield client_session


@dataclass(frozen=True, slots=True)
class Certificate:
    """A self-signed server certificate and the server context that presents it."""

    context: ssl.SSLContext
    fingerprint: str


@pytest.fixture(scope="session")
def certificate() -> Certificate:
    """Return a self-signed certificate for a fake PBX (made as the simulator makes its own)."""
    made = self_signed("pbx", "127.0.0.1")
    return Certificate(context=made.server_context(), fingerprint=made.fingerprint)


@dataclass(slots=True)
class SeenRequest:
    """One request the fake PBX received."""

    method: str
    endpoint: str
    token: str | None
    content_type: str
    body: Any


@dataclass
class FakePbx:
    """A scriptable stand-in for the PBX API on 127.0.0.1.

    ``answer(endpoint, *answers)`` queues answers for an endpoint; once they are used
    up, ``login`` hands out tokens ``token1``, ``token2`` ... and everything else
    answers ``{"status": "Success"}``.
    """

    certificate: Certificate | None = None
    requests: list[SeenRequest] = field(default_factory=list)
    port: int = 0
    _queued: dict[str, list[Answer]] = field(default_factory=dict)
    _tokens: "itertools.count[int]" = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def answer(self, endpoint: str, *answers: Answer) -> None:
        """Queue answers for an endpoint, used in order."""
        self._queued.setdefault(endpoint, []).extend(answers)

    def seen(self, endpoint: str) -> list[SeenRequest]:
        """Return the requests received for one endpoint."""
        return [r for r in self.requests if r.endpoint == endpoint]

    @property
    def endpoints(self) -> list[str]:
        """Return the endpoints requested, in order."""
        return [r.endpoint for r in self.requests]

    async def hang(self, request: web.Request) -> web.Response:
        """Never answer (until the server stops)."""
        await self.release.wait()
        return web.json_response({"status": "Success"})

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        """Log a request and send the next answer."""
        endpoint = request.match_info["endpoint"]
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        self.requests.append(
            SeenRequest(
                method=request.method,
                endpoint=endpoint,
                token=request.query.get("token"),
                content_type=request.headers.get("Content-Type", ""),
                body=body,
            )
        )
        queue = self._queued.get(endpoint)
        answer: Answer
        if queue:
            answer = queue.pop(0)
        elif endpoint == "login":
            answer = {"status": "Success", "token": f"token{next(self._tokens)}"}
        else:
            answer = {"status": "Success"}
        if isinstance(answer, dict):
            return web.json_response(answer)
        if isinstance(answer, web.StreamResponse):
            return answer
        result = await answer(request)
        if isinstance(result, dict):
            return web.json_response(result)
        assert isinstance(result, web.StreamResponse)
        return result

    async def start(self) -> None:
        """Serve on a free loopback port."""
        app = web.Application()
        app.router.add_route("*", "/api/v2.0.0/{endpoint:.+}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        context = self.certificate.context if self.certificate else None
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.Server)
        self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Release hanging requests and stop serving."""
        self.release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> "FakePbx":
        """Start on entering an async with block."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop on leaving the block."""
        await self.stop()


@pytest.fixture
async def fake_pbx() -> AsyncGenerator[FakePbx]:
    """Return a running plain-HTTP fake PBX."""
    async with FakePbx() as pbx:
        yield pbx


@pytest.fixture
async def tls_fake_pbx(certificate: Certificate) -> AsyncGenerator[FakePbx]:
    """Return a running HTTPS fake PBX with a self-signed certificate."""
    async with FakePbx(certificate=certificate) as pbx:
        yield pbx


def _client(
    host: str, port: int, session: ClientSession, **kwargs: Any
) -> YeastarClient:
    """Return a client with the test credentials and a short timeout, unless told."""
    kwargs.setdefault("username", "api")
    kwargs.setdefault("password", "secret")
    kwargs.setdefault("request_timeout", 2.0)
    return YeastarClient(host, port, session=session, **kwargs)


@pytest.fixture
def make_client(session: ClientSession) -> ClientFactory:
    """Return a factory of clients of a fake PBX (plain HTTP unless told)."""

    def _make(pbx: FakePbx, **kwargs: Any) -> YeastarClient:
        kwargs.setdefault("ssl", pbx.certificate is not None)
        return _client("127.0.0.1", pbx.port, session, **kwargs)

    return _make


@pytest.fixture
def client(fake_pbx: FakePbx, make_client: ClientFactory) -> YeastarClient:
    """Return a client of the plain-HTTP fake PBX."""
    return make_client(fake_pbx)


# -- the PBX simulator ---------------------------------------------------------------


@pytest.fixture
def sim_factory(clock: FakeClock) -> SimFactory:
    """Return a factory of simulators (plain HTTP unless told), to run with ``async with``.

    Nobody answers or hangs up API calls by themselves: the tests see the phones ring.
    """
    return simulator_factory(
        ssl=False,
        clock=clock,
        timing=SimulatorTiming(
            report_retry_interval=0.05,
            report_timeout=0.5,
            reboot_duration=0.05,
            simulated_answer_delay=None,
            simulated_callee_answer_delay=None,
            simulated_talk_time=None,
        ),
    )


@pytest.fixture
async def sim(sim_factory: SimFactory) -> AsyncGenerator[PbxSimulator]:
    """Return a running plain-HTTP simulator of the sample office."""
    async with sim_factory() as simulator:
        yield simulator


@pytest.fixture
def sim_client(session: ClientSession, receiver: Receiver) -> ClientFactory:
    """Return a factory of clients of a simulator, reporting to the receiver."""

    def _make(simulator: PbxSimulator, **kwargs: Any) -> YeastarClient:
        kwargs.setdefault("ssl", simulator.base_url.startswith("https"))
        kwargs.setdefault(
            "report_destination",
            ReportDestination(port=receiver.port, url="api/webhook/abc"),
        )
        return _client(simulator.host, simulator.port, session, **kwargs)

    return _make
