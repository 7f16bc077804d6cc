"""What the benchmark and the soak share: Home Assistant, the simulated PBX, the entry.

Everything runs in one process, on 127.0.0.1 only: a real Home Assistant core (its HTTP
server and the webhook component), the PBX simulator over plain HTTP, and the integration
set up through a config entry, so that the PBX's reports reach the real webhook over
loopback HTTP, from the PBX's address.
"""

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
import logging
import os
from pathlib import Path
import resource
import socket
import sys
import time
from typing import Any
from unittest.mock import patch

from aiohttp.resolver import AsyncResolver
from homeassistant import loader
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.helpers import entity_registry as er, frame
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Import the project's package before Home Assistant looks for custom integrations.
import custom_components.yeastar  # noqa: F401
from custom_components.yeastar.const import DOMAIN
from custom_components.yeastar.identifiers import (
    extension_identifier,
    pbx_identifier,
    unique_id,
)
from custom_components.yeastar.sseries import phone_from_word
from simulator import Office, PbxSimulator, SimExtension, SimTrunk

SERIAL = "369451090405"
USERNAME = "haapi"
PASSWORD = "bench-Pass1"  # noqa: S105 (the simulator's, on loopback)
LOOPBACK = "127.0.0.1"
# What the PBX sends with every report (simulator/reports.py).
PBX_HEADERS = {
    "User-Agent": "WebAPI",
    "Content-Type": "application/json",
    "Accept": "application/json",
}
MIB = 1024 * 1024


def quiet_logs() -> None:
    """Show warnings and errors only, without the ones expected here."""
    logging.basicConfig(level=logging.WARNING)
    # Known and harmless here: a custom integration is loaded; no zlib-ng for gzip.
    logging.getLogger("homeassistant.loader").setLevel(logging.ERROR)
    logging.getLogger("aiohttp_fast_zlib").setLevel(logging.ERROR)


def free_port() -> int:
    """Return a TCP port free on the loopback address right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def rss_bytes() -> int:
    """Return the process's resident set size now (its peak where /proc is missing)."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def office_of(size: int) -> Office:
    """Return an office of ``size`` registered, monitored SIP extensions and two trunks."""
    return Office(
        serial_number=SERIAL,
        model="Yeastar S300",
        capacity=max(size, 1),
        extensions=[
            SimExtension(number=str(1000 + index), name=f"Desk {index}")
            for index in range(size)
        ],
        trunks=[
            SimTrunk(name="SIPTrunk1", type="SIP", status="Registered", did="5551234"),
            SimTrunk(name="GSM1", type="GSM", status="Idle", port="Port3"),
        ],
    )


@asynccontextmanager
async def home_assistant(config_dir: str) -> AsyncIterator[tuple[HomeAssistant, int]]:
    """Run Home Assistant with its HTTP server on 127.0.0.1; yield it and the port."""
    port = free_port()
    with (
        # Home Assistant asks the network stack for its outgoing address: stay on loopback.
        patch(
            "homeassistant.components.network.util.async_get_source_ip",
            return_value=LOOPBACK,
        ),
        # No mDNS (zeroconf) behind Home Assistant's HTTP client: addresses only here.
        patch(
            "homeassistant.helpers.aiohttp_client._async_make_resolver",
            lambda _hass: AsyncResolver(),
        ),
    ):
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            # What the harness's enable_custom_integrations fixture does.
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
            # What Home Assistant's bootstrap does (report_usage needs it).
            frame.async_setup(hass)
            http_config = {"server_host": [LOOPBACK], "server_port": port}
            try:
                if not (
                    await async_setup_component(hass, "http", {"http": http_config})
                    and await async_setup_component(hass, "webhook", {})
                ):
                    raise RuntimeError("Home Assistant's http/webhook did not set up")
                await hass.http.start()
                await async_process_ha_core_config(
                    hass, {"internal_url": f"http://{LOOPBACK}:{port}"}
                )
                yield hass, port
            finally:
                if hass.http is not None:
                    await hass.http.stop()
                await hass.async_stop(force=True)


@dataclass(slots=True)
class Pbx:
    """A simulated PBX and the config entry Home Assistant has for it (not set up yet)."""

    simulator: PbxSimulator
    entry: MockConfigEntry

    @property
    def webhook_path(self) -> str:
        """Return the path the PBX posts its reports to."""
        return f"/api/webhook/{self.entry.data[CONF_WEBHOOK_ID]}"

    def status_entities(self, hass: HomeAssistant) -> dict[str, str]:
        """Return each extension's status sensor entity id, by extension number."""
        registry = er.async_get(hass)
        found = {}
        for extension in self.simulator.office.extensions:
            identifier = extension_identifier(SERIAL, extension.number)
            entity_id = registry.async_get_entity_id(
                "sensor", DOMAIN, unique_id(identifier, "status")
            )
            if entity_id is None:
                raise RuntimeError(f"no status sensor for {extension.number}")
            found[extension.number] = entity_id
        return found


def enable_last_report_sensor(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Enable the last-report sensor (disabled by default), the worst case for reports."""
    er.async_get(hass).async_get_or_create(
        "sensor",
        DOMAIN,
        unique_id(pbx_identifier(SERIAL), "last_report"),
        config_entry=entry,
        disabled_by=None,
    )


@asynccontextmanager
async def pbx_and_entry(
    hass: HomeAssistant,
    office: Office,
    *,
    options: Mapping[str, Any] | None = None,
    clock: Callable[[], float] = time.monotonic,
    history: int = 10_000,
    cdr_history: int = 10_000,
) -> AsyncIterator[Pbx]:
    """Start a simulated PBX and add an entry for it; remove both after.

    The entry is not set up: the caller does it (and may time it). ``clock``,
    ``history`` and ``cdr_history`` are the simulator's.
    """
    simulator = PbxSimulator(
        office=office,
        host=LOOPBACK,
        port=0,
        ssl=False,
        username=USERNAME,
        password=PASSWORD,
        clock=clock,
        history=history,
        cdr_history=cdr_history,
    )
    await simulator.start()
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"Office of {len(office.extensions)}",
        unique_id=SERIAL,
        data={
            CONF_HOST: LOOPBACK,
            CONF_PORT: simulator.port,
            CONF_SSL: False,
            CONF_USERNAME: USERNAME,
            CONF_PASSWORD: PASSWORD,
            CONF_WEBHOOK_ID: os.urandom(32).hex(),
        },
        options=dict(options or {}),
    )
    entry.add_to_hass(hass)
    try:
        yield Pbx(simulator=simulator, entry=entry)
    finally:
        await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
        await simulator.stop()


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set an entry up and wait until everything it started is done."""
    if not await hass.config_entries.async_setup(entry.entry_id):
        raise RuntimeError(f"the entry did not set up: {entry.state}")
    await hass.async_block_till_done()


def pbx_phone_states(simulator: PbxSimulator) -> dict[str, str]:
    """Return, by extension, the status sensor state the PBX's own word stands for."""
    states = {}
    for extension in simulator.office.extensions:
        phone = phone_from_word(simulator.engine.list_status(extension))
        states[extension.number] = phone.value if phone is not None else "unknown"
    return states


def state_mismatches(
    hass: HomeAssistant, simulator: PbxSimulator, entities: Mapping[str, str]
) -> dict[str, tuple[str, str]]:
    """Return the extensions whose status sensor differs from the PBX: (shown, PBX's)."""
    found = {}
    for number, expected in pbx_phone_states(simulator).items():
        current = hass.states.get(entities[number])
        shown = current.state if current is not None else "missing"
        if shown != expected:
            found[number] = (shown, expected)
    return found
