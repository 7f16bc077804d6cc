"""Fixtures for the PBX client tests: sessions, a scriptable fake PBX and certificates."""

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
import datetime
import hashlib
import ipaddress
import itertools
import json
from pathlib import Path
import ssl
from typing import Any

from aiohttp import ClientSession, web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
import pytest

from custom_components.yeastar.pbx.client import ReportDestination, YeastarClient
from simulator import PbxSimulator, SimulatorTiming

type Answer = (
    dict[str, Any] | web.StreamResponse | Callable[[web.Request], Awaitable[Any]]
)


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


def _self_signed(directory: Path, name: str) -> Certificate:
    """Write a self-signed certificate for 127.0.0.1 and return its server context."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file = directory / f"{name}.pem"
    key_file = directory / f"{name}.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    der = certificate.public_bytes(serialization.Encoding.DER)
    return Certificate(context=context, fingerprint=hashlib.sha256(der).hexdigest())


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """Return a self-signed certificate for a fake PBX."""
    return _self_signed(tmp_path_factory.mktemp("tls"), "pbx")


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


@pytest.fixture
async def fake_pbx() -> AsyncGenerator[FakePbx]:
    """Return a running plain-HTTP fake PBX."""
    pbx = FakePbx()
    await pbx.start()
    yield pbx
    await pbx.stop()


@pytest.fixture
async def tls_fake_pbx(certificate: Certificate) -> AsyncGenerator[FakePbx]:
    """Return a running HTTPS fake PBX with a self-signed certificate."""
    pbx = FakePbx(certificate=certificate)
    await pbx.start()
    yield pbx
    await pbx.stop()


@pytest.fixture
def make_client(session: ClientSession) -> Callable[..., YeastarClient]:
    """Return a factory of clients of a fake PBX (plain HTTP unless told)."""

    def _make(pbx: FakePbx, **kwargs: Any) -> YeastarClient:
        kwargs.setdefault("ssl", pbx.certificate is not None)
        kwargs.setdefault("username", "api")
        kwargs.setdefault("password", "secret")
        kwargs.setdefault("request_timeout", 2.0)
        return YeastarClient("127.0.0.1", pbx.port, session=session, **kwargs)

    return _make


@pytest.fixture
def client(
    fake_pbx: FakePbx, make_client: Callable[..., YeastarClient]
) -> YeastarClient:
    """Return a client of the plain-HTTP fake PBX."""
    return make_client(fake_pbx)


# -- the PBX simulator ---------------------------------------------------------------


class FakeClock:
    """The simulator's clock, moved by hand (tokens, lock-outs, Invite windows)."""

    def __init__(self) -> None:
        """Start at an arbitrary time."""
        self.now = 1000.0

    def __call__(self) -> float:
        """Return the current time."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += seconds


@dataclass
class ReportReceiver:
    """A tiny HTTP server that answers 200 to every report and keeps them."""

    port: int = 0
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        """Keep one report."""
        self.received.append((request.path, await request.json()))
        self.arrived.set()
        return web.Response()

    async def wait_for(self, event: str) -> dict[str, Any]:
        """Return the first report of an event, waiting up to two seconds for it."""
        async with asyncio.timeout(2):
            while True:
                for _, body in self.received:
                    if body.get("event") == event:
                        return body
                self.arrived.clear()
                await self.arrived.wait()


@pytest.fixture
async def receiver() -> AsyncGenerator[ReportReceiver]:
    """Collect the simulator's reports on 127.0.0.1."""
    collector = ReportReceiver()
    app = web.Application()
    app.router.add_route("POST", "/{tail:.*}", collector.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    collector.port = runner.addresses[0][1]
    yield collector
    await runner.cleanup()


@pytest.fixture
def clock() -> FakeClock:
    """Return the simulator's clock."""
    return FakeClock()


@pytest.fixture
def sim_factory(
    clock: FakeClock,
) -> Callable[..., AbstractAsyncContextManager[PbxSimulator]]:
    """Return a factory of running simulators (plain HTTP unless told), stopped on exit."""

    @asynccontextmanager
    async def _run(**kwargs: Any) -> AsyncGenerator[PbxSimulator]:
        kwargs.setdefault("ssl", False)
        kwargs.setdefault("clock", clock)
        kwargs.setdefault(
            "timing",
            SimulatorTiming(
                report_retry_interval=0.05, report_timeout=0.5, reboot_duration=0.05
            ),
        )
        simulator = PbxSimulator(username="api", password="secret", **kwargs)
        await simulator.start()
        try:
            yield simulator
        finally:
            await simulator.stop()

    return _run


@pytest.fixture
async def sim(
    sim_factory: Callable[..., AbstractAsyncContextManager[PbxSimulator]],
) -> AsyncGenerator[PbxSimulator]:
    """Return a running plain-HTTP simulator of the sample office."""
    async with sim_factory() as simulator:
        yield simulator


@pytest.fixture
def sim_client(
    session: ClientSession, receiver: ReportReceiver
) -> Callable[..., YeastarClient]:
    """Return a factory of clients of a simulator, reporting to the receiver."""

    def _make(simulator: PbxSimulator, **kwargs: Any) -> YeastarClient:
        kwargs.setdefault("ssl", simulator.base_url.startswith("https"))
        kwargs.setdefault("username", "api")
        kwargs.setdefault("password", "secret")
        kwargs.setdefault("request_timeout", 2.0)
        kwargs.setdefault(
            "report_destination",
            ReportDestination(port=receiver.port, url="api/webhook/abc"),
        )
        return YeastarClient(simulator.host, simulator.port, session=session, **kwargs)

    return _make
