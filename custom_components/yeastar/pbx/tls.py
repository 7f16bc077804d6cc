"""Certificate helpers: read and normalise the SHA-256 fingerprint of a PBX certificate."""

import asyncio
import contextlib
import hashlib
import re
import ssl

from .errors import YeastarConnectionError

_FINGERPRINT = re.compile(r"[0-9a-f]{64}")
_CLOSE_TIMEOUT = 1.0


def _unverified_context() -> ssl.SSLContext:
    """Return a TLS client context that accepts any certificate (no CA files loaded)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


_UNVERIFIED_CONTEXT = _unverified_context()


def normalise_fingerprint(text: str) -> str:
    """Return a SHA-256 fingerprint as 64 lower-case hex digits.

    Colons, spaces and upper case are accepted; anything else raises ValueError.
    """
    folded = re.sub(r"[\s:]", "", text).lower()
    if not _FINGERPRINT.fullmatch(folded):
        raise ValueError("a SHA-256 fingerprint has 64 hexadecimal digits")
    return folded


def format_fingerprint(fingerprint: str) -> str:
    """Return a hex fingerprint as colon-separated upper-case pairs (AB:CD:...), as browsers show it."""
    return ":".join(
        fingerprint[index : index + 2] for index in range(0, len(fingerprint), 2)
    ).upper()


async def fetch_certificate_fingerprint(
    host: str,
    port: int,
    *,
    timeout: float = 10.0,  # noqa: ASYNC109 - one deadline for connect and handshake
) -> str:
    """Return the SHA-256 fingerprint of the certificate the server at host:port presents.

    The certificate is not verified: this is how a user is shown what to trust.
    """
    try:
        async with asyncio.timeout(timeout):
            _, writer = await asyncio.open_connection(
                host, port, ssl=_UNVERIFIED_CONTEXT
            )
    except (TimeoutError, OSError) as err:
        raise YeastarConnectionError(
            f"Cannot read the certificate of {host}:{port}: {err!r}"
        ) from err
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        certificate = ssl_object.getpeercert(binary_form=True) if ssl_object else None
    finally:
        writer.close()
        with contextlib.suppress(TimeoutError, OSError):
            async with asyncio.timeout(_CLOSE_TIMEOUT):
                await writer.wait_closed()
    if not certificate:
        raise YeastarConnectionError(f"{host}:{port} presented no certificate")
    return hashlib.sha256(certificate).hexdigest()
