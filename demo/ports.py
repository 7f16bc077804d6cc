"""Whether the demo's loopback ports are free before anything starts."""

from collections.abc import Iterable
import socket

from .settings import LOOPBACK


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    """Return True when a server could listen on host:port now (as aiohttp binds: SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def taken_ports(ports: Iterable[int], host: str = LOOPBACK) -> list[int]:
    """Return the ports of the list that something else already uses."""
    return [port for port in ports if not port_is_free(port, host)]
