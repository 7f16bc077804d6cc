"""Where the PBX's reports may come from.

Reports are accepted from the PBX's own addresses (its host name looked up with c-ares,
as Home Assistant's HTTP client does, not with the system resolver) and from addresses
the user accepted in the options. Addresses are compared in one form.
"""

import ipaddress
import socket

from aiohttp.resolver import AsyncResolver

from .const import LOGGER


def plain_address(address: str | None) -> str:
    """Return an address in the form they are compared in (IPv4-mapped IPv6 as IPv4)."""
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
