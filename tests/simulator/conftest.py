"""Fixtures for the simulator tests: a running simulator and a plain API client of it."""

from collections.abc import AsyncIterator, Callable
import hashlib
from typing import Any

import aiohttp
import pytest

from simulator import Office, PbxSimulator, SimulatorTiming
from tests.common import FakeClock, Receiver, simulator_factory

PASSWORD_MD5 = hashlib.md5(b"secret", usedforsecurity=False).hexdigest()


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """Every simulator test talks over real loopback sockets."""


@pytest.fixture
def timing() -> SimulatorTiming:
    """Short durations so nothing waits long; the tests answer and hang up API calls.

    Simulated users would pick up call/dial calls after a few seconds: here nobody does
    by themselves, so that a test sees the phones ring however slow the machine is.
    """
    return SimulatorTiming(
        report_retry_interval=0.05,
        report_timeout=0.5,
        reboot_duration=0.2,
        prompt_duration=0.05,
        simulated_answer_delay=None,
        simulated_callee_answer_delay=None,
        simulated_talk_time=None,
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
    return simulator_factory(office=office, timing=timing, clock=clock)


@pytest.fixture
async def sim(sim_factory: Callable[..., PbxSimulator]) -> AsyncIterator[PbxSimulator]:
    """A running HTTPS simulator with the sample office."""
    async with sim_factory() as simulator:
        yield simulator


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
