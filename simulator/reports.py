"""Event reports pushed to API clients: one FIFO queue per session, retried until HTTP 200.

Decisions where the reference is silent: each session (token) has its own queue, read in
order with head-of-line retry, so a report is never overtaken by a later one; the
destination is read from the session at every attempt, so a heartbeat that moves it also
redirects reports still waiting; a report is dropped with the rest of its queue as soon as
the token is no longer valid (expired, logged out, forgotten by a reboot).
"""

import asyncio
from collections import deque
from dataclasses import dataclass, field
import ipaddress
import json
import logging
from typing import Any

import aiohttp

from .auth import Session, TokenStore
from .tasks import BackgroundTasks

_LOGGER = logging.getLogger(__name__)
REPORT_HEADERS = {
    "User-Agent": "WebAPI",
    "Content-Type": "application/json",
    "Accept": "application/json",
}


@dataclass(eq=False, kw_only=True)
class ReportRecord:
    """One report for one session: its body, where it went, how often, and the outcome."""

    event: dict[str, Any]
    token: str
    url: str
    attempts: int = 0
    delivered: bool = False
    dropped: bool = False
    statuses: list[int | str] = field(default_factory=list)


def report_body(event: dict[str, Any], session: Session) -> dict[str, Any]:
    """Return the event as this session receives it: 2.0.0 shape, or the 1.x "action" shape."""
    if not session.legacy_reports:
        return dict(event)
    body = {key: value for key, value in event.items() if key not in {"event", "sn"}}
    return {"action": event["event"], **body}


def source_address(host: str) -> tuple[str, int] | None:
    """Return the local address reports are sent from: the PBX's own IP when it has one."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    return None if address.is_unspecified else (host, 0)


class ReportDispatcher:
    """Fan events out to every valid session and deliver them over plain HTTP."""

    def __init__(
        self,
        tokens: TokenStore,
        *,
        serial_number: str,
        host: str,
        retry_interval: float,
        timeout: float,
        history: int,
    ) -> None:
        """Remember how to deliver; the HTTP client is created by start()."""
        self._tokens = tokens
        self._serial_number = serial_number
        self._host = host
        self._retry_interval = retry_interval
        self._timeout = timeout
        self._queues: dict[str, deque[ReportRecord]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._tasks = BackgroundTasks()
        self._idle = asyncio.Event()
        self._idle.set()
        self._client: aiohttp.ClientSession | None = None
        # Superseded clients (the source address changed) are closed with the dispatcher.
        self._old_clients: list[aiohttp.ClientSession] = []
        self.source = host
        self.records: deque[ReportRecord] = deque(maxlen=history)

    async def start(self) -> None:
        """Create the HTTP client: a new connection per report, sent from the PBX's address."""
        self._client = self._new_client(self.source)

    def _new_client(self, source: str) -> aiohttp.ClientSession:
        """Return an HTTP client whose connections leave from one local address."""
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                force_close=True, local_addr=source_address(source)
            ),
            headers=REPORT_HEADERS,
            skip_auto_headers=("Accept-Encoding",),
            timeout=aiohttp.ClientTimeout(total=self._timeout),
        )

    def send_from(self, source: str) -> None:
        """Post every later report from another local address (a second interface, NAT)."""
        self.source = source
        if self._client is not None:
            self._old_clients.append(self._client)
            self._client = self._new_client(source)

    async def close(self) -> None:
        """Stop every delivery and close the HTTP clients."""
        self.drop_all()
        await self._tasks.cancel_all()
        for client in [*self._old_clients, self._client]:
            if client is not None:
                await client.close()
        self._old_clients.clear()
        self._client = None

    def publish(self, event: dict[str, Any]) -> None:
        """Queue an event for every session whose token is valid now."""
        for session in self._tokens.active():
            self.send(session, event)

    def send(self, session: Session, event: dict[str, Any]) -> None:
        """Queue one event for one session (the serial number is added here)."""
        body = report_body({**event, "sn": self._serial_number}, session)
        record = ReportRecord(event=body, token=session.token, url=session.destination)
        self.records.append(record)
        self._queues.setdefault(session.token, deque()).append(record)
        self._idle.clear()
        if session.token not in self._workers:
            self._workers[session.token] = self._tasks.spawn(
                self._deliver(session.token), f"reports {session.token[:8]}"
            )

    def drop(self, token: str) -> None:
        """Drop every report still waiting for a session and stop its delivery."""
        for record in self._queues.pop(token, deque()):
            record.dropped = True
        if (
            worker := self._workers.pop(token, None)
        ) and worker is not asyncio.current_task():
            worker.cancel()
        self._update_idle()

    def drop_all(self) -> None:
        """Drop every waiting report (reboot, stop)."""
        for token in list(self._queues):
            self.drop(token)

    @property
    def pending(self) -> int:
        """Return the number of reports waiting in all queues."""
        return sum(len(queue) for queue in self._queues.values())

    async def wait_idle(self, timeout: float) -> None:  # noqa: ASYNC109
        """Wait until every queue is empty; raise TimeoutError otherwise."""
        async with asyncio.timeout(timeout):
            await self._idle.wait()

    def _update_idle(self) -> None:
        """Flag the dispatcher idle when nothing waits any more."""
        if not self.pending:
            self._idle.set()

    async def _deliver(self, token: str) -> None:
        """Deliver a session's queue in order, retrying the head until it is answered 200."""
        queue = self._queues[token]
        try:
            while queue:
                record = queue[0]
                session = self._tokens.get(token)
                if session is None:
                    self.drop(token)
                    return
                record.url = session.destination
                record.attempts += 1
                if await self._post(record):
                    record.delivered = True
                    queue.popleft()
                    self._tokens.touch(token)
                    self._update_idle()
                else:
                    await asyncio.sleep(self._retry_interval)
            self._queues.pop(token, None)
        finally:
            if self._workers.get(token) is asyncio.current_task():
                del self._workers[token]

    async def _post(self, record: ReportRecord) -> bool:
        """POST one report once; return True when the receiver answered 200."""
        if self._client is None:
            raise RuntimeError("report client not started")
        try:
            async with self._client.post(
                record.url,
                data=json.dumps(record.event, separators=(",", ":")).encode(),
            ) as response:
                record.statuses.append(response.status)
                return response.status == 200
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as err:
            record.statuses.append(type(err).__name__)
            _LOGGER.debug("Report to %s failed: %s", record.url, err)
            return False
