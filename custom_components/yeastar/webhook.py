"""The webhook the PBX posts its reports to: HTTP in, an answer out.

The webhook is registered before the first login (the PBX posts as soon as it knows
where to) and reads at most what a PBX report could be; what each report means is the
report path's business (``reports.py``). Nothing raises out of the handler: Home
Assistant would log the webhook id with the traceback, and answer the PBX as if the
report had been taken.
"""

from asyncio import IncompleteReadError
from collections.abc import AsyncIterator
from typing import Any, Final

from aiohttp import ClientError
from aiohttp.web import Request, Response
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback

from .addresses import plain_address
from .const import DOMAIN, LOGGER
from .reports import ReportPath

# A PBX report is a few hundred bytes; a CallStatus of a large ring group a few KB.
MAX_REPORT_BYTES: Final = 64 * 1024


@callback
def async_register_webhook(
    hass: HomeAssistant, entry: ConfigEntry[Any], reports: ReportPath
) -> None:
    """Register the entry's webhook; it is unregistered when the entry unloads."""
    webhook_id: str = entry.data[CONF_WEBHOOK_ID]

    async def async_handle(
        hass: HomeAssistant, webhook_id: str, request: Request
    ) -> Response:
        """Answer one POST to the webhook."""
        sender = plain_address(request.remote)
        try:
            body = await _read_bounded(request)
        except (ClientError, OSError) as err:
            LOGGER.debug("Could not read a report from %s: %s", sender, err)
            return Response(status=200)
        try:
            return Response(status=reports.async_handle(sender, body))
        except Exception:  # noqa: BLE001 - a bug must not reach the webhook component
            LOGGER.exception("Unexpected error while handling a report from the PBX")
            return Response(status=200)

    webhook.async_register(
        hass,
        DOMAIN,
        f"Yeastar {entry.title}",
        webhook_id,
        async_handle,
        local_only=True,
        allowed_methods=["POST"],
    )
    entry.async_on_unload(lambda: webhook.async_unregister(hass, webhook_id))


async def _read_bounded(request: Request) -> bytes | None:
    """Return the body, or None when it is larger than any PBX report could be.

    The PBX says how long its reports are: those are read at once (what came when the
    connection closes early); a body without a length is read a chunk at a time.
    """
    if (length := request.content_length) is not None:
        if length > MAX_REPORT_BYTES:
            return None
        try:
            return await request.content.readexactly(length)
        except IncompleteReadError as err:
            return err.partial
    body = bytearray()
    chunks: AsyncIterator[bytes] = request.content.iter_any()
    async for chunk in chunks:
        body += chunk
        if len(body) > MAX_REPORT_BYTES:
            return None
    return bytes(body)
