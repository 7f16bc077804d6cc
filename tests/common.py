"""Helpers shared by several test folders: a hand-moved clock, a report receiver, ports."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
import socket
from typing import Any

from aiohttp import web

from simulator import PbxSimulator


class FakeClock:
    """An injectable clock for the simulator that tests move by hand (token life, lock-out)."""

    def __init__(self) -> None:
        """Start at an arbitrary point."""
        self.now = 1000.0

    def __call__(self) -> float:
        """Return the current time in seconds."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
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
        """Keep one report and answer the next status."""
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


@asynccontextmanager
async def serving_receiver() -> AsyncIterator[Receiver]:
    """Run a report receiver on a free 127.0.0.1 port until the block ends."""
    collector = Receiver()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", collector.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    collector.port = runner.addresses[0][1]
    try:
        yield collector
    finally:
        await runner.cleanup()


def simulator_factory(**defaults: Any) -> Callable[..., PbxSimulator]:
    """Return a builder of (unstarted) simulators; its keyword arguments override defaults."""

    def build(**kwargs: Any) -> PbxSimulator:
        """Return a simulator with the defaults, overridden where told."""
        return PbxSimulator(**(defaults | kwargs))

    return build


def endpoints(sim: PbxSimulator) -> list[str]:
    """Return the endpoints the simulator was asked, in order."""
    return [record.endpoint for record in sim.requests]


def free_port() -> int:
    """Return a loopback TCP port that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
