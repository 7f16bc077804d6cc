"""Build the PBX client from a config entry's data: the one place that does it."""

from collections.abc import Callable, Mapping
import contextlib
from typing import Any

from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .const import CONF_TLS_FINGERPRINT, DEFAULT_PORT, DEFAULT_SSL
from .pbx import LoginResult, ReportDestination, SystemInfo, YeastarClient, YeastarError


def create_client(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    *,
    report_destination: ReportDestination | None = None,
    on_login: Callable[[LoginResult], None] | None = None,
) -> YeastarClient:
    """Return a client for the PBX described by entry data (or flow input)."""
    return YeastarClient(
        data[CONF_HOST],
        data.get(CONF_PORT, DEFAULT_PORT),
        ssl=data.get(CONF_SSL, DEFAULT_SSL),
        username=data[CONF_USERNAME],
        password=data[CONF_PASSWORD],
        session=async_get_clientsession(hass),
        tls_fingerprint=data.get(CONF_TLS_FINGERPRINT),
        report_destination=report_destination,
        on_login=on_login,
    )


async def async_read_device_info(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> SystemInfo:
    """Log in once, read the PBX's identity, and log out (best effort).

    How a flow proves a connection before it stores it; raises the client's errors.
    """
    client = create_client(hass, data)
    await client.login()
    try:
        return await client.device_info()
    finally:
        with contextlib.suppress(YeastarError):
            await client.logout()
