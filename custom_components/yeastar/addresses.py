"""Where the PBX's reports may come from.

Reports are accepted from the PBX's own addresses (its host name looked up with c-ares,
as Home Assistant's HTTP client does, not with the system resolver) and from addresses
the user accepted in the options. Addresses are compared in one form.
"""

from functools import lru_cache
import ipaddress
import socket
from typing import Final

from aiohttp.resolver import AsyncResolver

from .const import LOGGER

# The senders whose plain form is remembered (the PBX's, and a few strangers').
ADDRESSES_CACHED: Final = 64


@lru_cache(maxsize=ADDRESSES_CACHED)
def plain_address(address: str | None) -> str:
    """Return an address in the form they are compared in (IPv4-mapped IPv6 as IPv4).

    Cached: every report comes from the same few addresses, and parsing one costs more
    than the rest of the sender check.
    """
    if address is None:
        return ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped:
        return str(parsed.ipv4_mapped)
    return str(parsed)


async def async_lookup_addresses(host: str) -> frozenset[str]:
    """Return the addresses of a host (none when its name does not resolve)."""
    try:
        return frozenset({str(ipaddress.ip_address(host))})
    except ValueError:
        pass
    resolver = AsyncResolver()
    try:
        found = await resolver.resolve(host, 0, family=socket.AF_UNSPEC)
    except OSError as err:
        LOGGER.debug("Could not look up %s: %s", host, err)
        return frozenset()
    finally:
        await resolver.close()
    return frozenset(plain_address(result["host"]) for result in found)
