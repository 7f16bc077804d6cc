"""The PBX's listening socket: serving, closed (connection refused) or accepting but mute."""

import asyncio
from collections.abc import Callable
from enum import StrEnum
import ssl


class Mode(StrEnum):
    """What a client connecting to the PBX port gets."""

    SERVING = "serving"
    REFUSING = "refusing"
    HANGING = "hanging"


class _MuteProtocol(asyncio.Protocol):
    """Accept a connection and never answer (a hung PBX)."""

    def __init__(self, transports: set[asyncio.BaseTransport]) -> None:
        """Remember open transports so they can be closed later."""
        self._transports = transports
        self._transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the connection open."""
        self._transport = transport
        self._transports.add(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the connection."""
        if self._transport is not None:
            self._transports.discard(self._transport)


class Listener:
    """Bind the same host and port again and again, in whichever mode is asked."""

    def __init__(
        self,
        protocol_factory: Callable[[], asyncio.BaseProtocol],
        host: str,
        port: int,
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        """Serve protocol_factory on host:port (port 0 = pick a free port on first bind)."""
        self._factory = protocol_factory
        self.host = host
        self.port = port
        self._ssl = ssl_context
        self._server: asyncio.Server | None = None
        self._mute_transports: set[asyncio.BaseTransport] = set()
        self.mode = Mode.REFUSING
        self.serving = asyncio.Event()

    async def serve(self) -> None:
        """Answer requests."""
        await self._bind(self._factory, self._ssl)
        self.mode = Mode.SERVING
        self.serving.set()

    async def hang(self) -> None:
        """Accept TCP connections but never answer (no TLS handshake either)."""
        await self._bind(lambda: _MuteProtocol(self._mute_transports), None)
        self.mode = Mode.HANGING

    async def refuse(self) -> None:
        """Close the socket: connections are refused."""
        await self._close()
        self.mode = Mode.REFUSING

    async def _bind(
        self,
        factory: Callable[[], asyncio.BaseProtocol],
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        """Close the current socket and listen again on the same address."""
        await self._close()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            factory, self.host, self.port, ssl=ssl_context, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        """Stop listening and drop every open connection."""
        self.serving.clear()
        for transport in list(self._mute_transports):
            transport.close()
        self._mute_transports.clear()
        if self._server is not None:
            server, self._server = self._server, None
            server.close()
            server.close_clients()
            await server.wait_closed()
