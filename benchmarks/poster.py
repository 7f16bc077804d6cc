"""The benchmark's PBX stand-in: posts reports the way the PBX does, from its own process.

Run by ``bench_report_path.py``, not by hand. It reads one JSON line per batch on
stdin, ``{"port": 8123, "path": "/api/webhook/ID", "bodies": ["{...}", ...]}``, posts
every body to 127.0.0.1 one after the other, each on a new connection from 127.0.0.1
(as the PBX does: one report at a time, the next once the last was answered), and
writes one JSON line back: ``{"starts": [...], "ends": [...], "statuses": [...]}``,
the ``time.monotonic()`` of each report's connect and of its answer (the same clock
as Home Assistant's process on Linux) and the HTTP status.

Blocking sockets on purpose: this process has no event loop, and its share of the time
per report stays small, so that the figures are Home Assistant's.
"""

import json
import socket
import sys
import time

LOOPBACK = "127.0.0.1"


def post(port: int, request: bytes) -> int:
    """Send one request on a new connection; return the answer's HTTP status."""
    with socket.create_connection(
        (LOOPBACK, port), source_address=(LOOPBACK, 0)
    ) as sock:
        sock.sendall(request)
        answer = bytearray()
        while chunk := sock.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def request_of(port: int, path: str, body: bytes) -> bytes:
    """Return the bytes of a report's POST, with the PBX's headers."""
    head = (
        f"POST {path} HTTP/1.1\r\n"
        f"Host: {LOOPBACK}:{port}\r\n"
        "User-Agent: WebAPI\r\n"
        "Content-Type: application/json\r\n"
        "Accept: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


def run_batch(batch: dict[str, object]) -> dict[str, list[float] | list[int]]:
    """Post one batch of bodies; return when each started and ended, and its status."""
    port = int(str(batch["port"]))
    path = str(batch["path"])
    bodies = batch["bodies"]
    assert isinstance(bodies, list)
    requests = [request_of(port, path, str(body).encode()) for body in bodies]
    starts: list[float] = []
    ends: list[float] = []
    statuses: list[int] = []
    for request in requests:
        starts.append(time.monotonic())
        statuses.append(post(port, request))
        ends.append(time.monotonic())
    return {"starts": starts, "ends": ends, "statuses": statuses}


def main() -> None:
    """Answer every batch read on stdin until it closes."""
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(run_batch(json.loads(line))) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
