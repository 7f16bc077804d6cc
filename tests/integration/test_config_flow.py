"""Tests of the config, reauth, reconfigure and options flows against the simulated PBX.

Everything but the `unknown` error is real: the flow logs in to the simulator over
loopback HTTP (or HTTPS with its self-signed certificate).
"""

import asyncio
from collections.abc import AsyncGenerator, Generator
import contextlib
import json
from pathlib import Path
import re
import ssl
from typing import Any
from unittest.mock import AsyncMock, patch

from homeassistant.config_entries import SOURCE_USER
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
from homeassistant.data_entry_flow import FlowResult, FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.yeastar import config_flow, options_flow
from custom_components.yeastar.const import (
    CONF_CALLBACK_HOST,
    CONF_CALLBACK_PORT,
    CONF_COUNTRY_CODE,
    CONF_PHONE_BOOK,
    CONF_POLL_INTERVAL,
    CONF_REPORT_ADDRESSES,
    CONF_TLS_FINGERPRINT,
    DOMAIN,
)
from custom_components.yeastar.pbx.client import YeastarClient
from simulator import Office, PbxSimulator, SimulatorTiming
from tests.common import free_port

from .conftest import (
    PASSWORD,
    SERIAL,
    USERNAME,
    WEBHOOK_ID,
    connection_input,
    logins,
    open_options,
    pbx_simulator,
    stored_entry,
)

pytestmark = pytest.mark.usefixtures("mock_setup_entry")

LOCKOUT_DURATION = 0.3
OLD_FINGERPRINT = "00" * 32
REJECTED_HANDSHAKE = "Error on transport creation for incoming connection"


@pytest.fixture
def mock_setup_entry() -> Generator[AsyncMock]:
    """Keep the flow tests independent of the integration's setup."""
    with patch(
        "custom_components.yeastar.async_setup_entry", return_value=True
    ) as mock_setup:
        yield mock_setup


@pytest.fixture
def tolerate_rejected_handshakes(hass: HomeAssistant) -> Generator[None]:
    """Accept the TLS resets that a client refusing the PBX's certificate causes.

    The event loop runs in debug mode under the harness, so it reports a client that
    rejects the self-signed certificate as an error of the simulator's server, which
    fails the test. These tests provoke exactly that rejection; anything else still fails.
    """
    harness_handler = hass.loop.get_exception_handler()
    assert harness_handler is not None

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if context.get("message") == REJECTED_HANDSHAKE and isinstance(
            context.get("exception"), ConnectionResetError | ssl.SSLError
        ):
            return
        harness_handler(loop, context)

    hass.loop.set_exception_handler(handler)
    yield
    hass.loop.set_exception_handler(harness_handler)


@pytest.fixture
async def https_simulator(
    socket_enabled: None, tolerate_rejected_handshakes: None, office: Office
) -> AsyncGenerator[PbxSimulator]:
    """Run a simulated PBX serving HTTPS with its self-signed certificate."""
    async with pbx_simulator(office, ssl=True) as sim:
        yield sim


@pytest.fixture
async def quick_lockout_simulator(
    socket_enabled: None, office: Office
) -> AsyncGenerator[PbxSimulator]:
    """Run a simulated PBX whose lock-out lapses after a fraction of a second."""
    async with pbx_simulator(
        office, timing=SimulatorTiming(lockout_duration=LOCKOUT_DURATION)
    ) as sim:
        yield sim


@pytest.fixture
def closed_port(socket_enabled: None) -> int:
    """Return a loopback port nothing listens on."""
    return free_port()


class OneConnectionProxy:
    """Forward the first TCP connection to a target, then stop listening.

    The flow's login meets the PBX's certificate through it; the fingerprint read
    that follows finds the port closed.
    """

    def __init__(self, target_port: int) -> None:
        """Remember where to forward."""
        self.target_port = target_port
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        """Listen on a free loopback port."""
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and wait for the forwarded connection to end."""
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _forward(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Pipe one connection to the target and back."""
        assert self._server is not None
        self._server.close()
        up_reader, up_writer = await asyncio.open_connection(
            "127.0.0.1", self.target_port
        )
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy bytes until the reading side ends, then close the writing side."""
    with contextlib.suppress(OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()


def suggested_values(result: FlowResult) -> dict[str, Any]:
    """Return the values a form shows pre-filled."""
    return {
        marker.schema: marker.description["suggested_value"]
        for marker in result["data_schema"].schema
        if marker.description and "suggested_value" in marker.description
    }


def selector_options(result: FlowResult, field: str) -> list[dict[str, str]]:
    """Return the choices a form's select field offers."""
    (marker,) = [m for m in result["data_schema"].schema if m.schema == field]
    options: list[dict[str, str]] = (
        result["data_schema"].schema[marker].config["options"]
    )
    return options


async def start_user_flow(hass: HomeAssistant) -> FlowResult:
    """Start a user flow and check its first form."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return result


# ---------------------------------------------------------------------- user


async def test_user_flow_creates_entry(
    hass: HomeAssistant, simulator: PbxSimulator, mock_setup_entry: AsyncMock
) -> None:
    """One submit logs in once, reads the PBX and creates the entry."""
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(simulator)
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Yeastar S100"
    entry = result["result"]
    assert entry.unique_id == SERIAL
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    assert len(webhook_id) == 64
    assert entry.data == connection_input(simulator) | {CONF_WEBHOOK_ID: webhook_id}
    assert not entry.options
    assert logins(simulator) == 1
    assert [r.endpoint for r in simulator.requests][-1] == "logout"
    assert len(mock_setup_entry.mock_calls) == 1


async def test_user_flow_defaults(hass: HomeAssistant) -> None:
    """The form offers port 8088 and HTTPS by default."""
    result = await start_user_flow(hass)
    defaults = {
        marker.schema: marker.default()
        for marker in result["data_schema"].schema
        if callable(marker.default)
    }
    assert defaults == {CONF_PORT: 8088, CONF_SSL: True}


async def test_user_flow_invalid_auth_then_success(
    hass: HomeAssistant, simulator: PbxSimulator
) -> None:
    """A wrong password is shown on its field; the same flow then succeeds."""
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(simulator, password="wrong")
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {CONF_PASSWORD: "invalid_auth"}
    assert suggested_values(result) == {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: simulator.port,
        CONF_SSL: False,
        CONF_USERNAME: USERNAME,
    }
    assert logins(simulator) == 1

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].data[CONF_PASSWORD] == PASSWORD
    assert logins(simulator) == 2


async def test_user_flow_cannot_connect_then_success(
    hass: HomeAssistant, simulator: PbxSimulator, closed_port: int
) -> None:
    """A port nobody listens on is shown on the host field; fixing it succeeds."""
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(simulator) | {CONF_PORT: closed_port}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: "cannot_connect"}
    assert result["description_placeholders"]["error"] == (
        f"Cannot reach the PBX at 127.0.0.1:{closed_port}: the connection was refused"
    )
    assert suggested_values(result)[CONF_PORT] == closed_port

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(simulator) | {CONF_HOST: " 127.0.0.1 "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].data[CONF_PORT] == simulator.port
    assert result["result"].data[CONF_HOST] == "127.0.0.1"


# localhost also resolves to ::1, which the harness lets no test connect to (it warns, and
# the client goes on to 127.0.0.1, where the simulator listens).
@pytest.mark.filterwarnings(
    "ignore:A test tried to use socket.socket.connect:UserWarning"
)
async def test_user_flow_with_a_host_name(
    hass: HomeAssistant, simulator: PbxSimulator
) -> None:
    """A PBX given by host name (here localhost) is reached through Home Assistant's resolver."""
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(simulator) | {CONF_HOST: "localhost"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].data[CONF_HOST] == "localhost"
    assert logins(simulator) == 1


async def test_user_flow_unknown_host_name(
    hass: HomeAssistant, simulator: PbxSimulator, unresolvable_host: str
) -> None:
    """A host name that does not resolve is a connection error that says so."""
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(simulator) | {CONF_HOST: unresolvable_host}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: "cannot_connect"}
    assert result["description_placeholders"]["error"] == (
        f"The host name {unresolvable_host} was not found"
    )
    assert logins(simulator) == 0


async def test_user_flow_locked_out_then_success(
    hass: HomeAssistant, quick_lockout_simulator: PbxSimulator
) -> None:
    """Five wrong passwords lock the address out; every submit logs in only once."""
    sim = quick_lockout_simulator
    result = await start_user_flow(hass)
    errors = []
    for attempt in range(1, 7):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], connection_input(sim, password="wrong")
        )
        assert result["type"] is FlowResultType.FORM
        errors.append(result["errors"])
        assert logins(sim) == attempt
    assert errors == [{CONF_PASSWORD: "invalid_auth"}] * 5 + [{"base": "locked_out"}]

    # Even the right password is refused while the lock lasts...
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(sim)
    )
    assert result["errors"] == {"base": "locked_out"}
    assert logins(sim) == 7

    # ...and accepted once it has lapsed.
    await asyncio.sleep(LOCKOUT_DURATION)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(sim)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert logins(sim) == 8


async def test_user_flow_api_disabled_then_success(
    hass: HomeAssistant, simulator: PbxSimulator
) -> None:
    """A PBX with its API switched off gives api_disabled until it is switched on."""
    simulator.api_enabled = False
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(simulator)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "api_disabled"}

    simulator.api_enabled = True
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_unknown_error_then_success(
    hass: HomeAssistant, simulator: PbxSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """An unexpected failure is logged and shown as unknown; a retry succeeds."""
    result = await start_user_flow(hass)
    with patch.object(YeastarClient, "login", side_effect=RuntimeError("boom")):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], connection_input(simulator)
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while connecting to the PBX" in caplog.text

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_already_configured(
    hass: HomeAssistant, simulator: PbxSimulator
) -> None:
    """A PBX that already has an entry is not added twice."""
    stored_entry(simulator, **{CONF_HOST: "192.0.2.1"}).add_to_hass(hass)
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(simulator)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


# --------------------------------------------------------------- certificates


async def test_user_flow_trusts_self_signed_certificate(
    hass: HomeAssistant, https_simulator: PbxSimulator
) -> None:
    """An unverifiable certificate is shown; trusting it pins its fingerprint."""
    sim = https_simulator
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(sim, ssl=True)
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "trust_certificate"
    fingerprint = sim.certificate_fingerprint
    placeholders = result["description_placeholders"]
    assert placeholders["fingerprint"].replace(":", "").lower() == fingerprint
    assert placeholders["fingerprint"][:3] == fingerprint[:2].upper() + ":"
    assert placeholders["host"] == "127.0.0.1"
    assert placeholders["port"] == str(sim.port)
    assert logins(sim) == 0

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.data[CONF_TLS_FINGERPRINT] == fingerprint
    assert entry.data[CONF_SSL] is True
    assert entry.unique_id == SERIAL
    assert logins(sim) == 1


async def test_trusted_certificate_kept_after_wrong_password(
    hass: HomeAssistant, https_simulator: PbxSimulator
) -> None:
    """A login error after trusting returns to the form; the retry keeps the pin."""
    sim = https_simulator
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(sim, ssl=True, password="wrong")
    )
    assert result["step_id"] == "trust_certificate"

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {CONF_PASSWORD: "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(sim, ssl=True)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].data[CONF_TLS_FINGERPRINT] == sim.certificate_fingerprint
    assert logins(sim) == 2


async def test_trusted_certificate_not_stored_for_http(
    hass: HomeAssistant, https_simulator: PbxSimulator, simulator: PbxSimulator
) -> None:
    """A certificate trusted in the flow is not stored when the user turns to HTTP."""
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(https_simulator, ssl=True, password="x")
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["errors"] == {CONF_PASSWORD: "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert CONF_TLS_FINGERPRINT not in result["result"].data


async def test_certificate_fingerprint_unreadable(
    hass: HomeAssistant, https_simulator: PbxSimulator
) -> None:
    """When the certificate cannot be read for the trust step, the host cannot be reached."""
    proxy = OneConnectionProxy(https_simulator.port)
    await proxy.start()
    try:
        result = await start_user_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            connection_input(https_simulator, ssl=True) | {CONF_PORT: proxy.port},
        )
    finally:
        await proxy.stop()
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {CONF_HOST: "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(https_simulator, ssl=True)
    )
    assert result["step_id"] == "trust_certificate"


# -------------------------------------------------------------------- reauth


async def test_reauth_success(hass: HomeAssistant, simulator: PbxSimulator) -> None:
    """New credentials are tested against the stored PBX and saved."""
    entry = stored_entry(simulator, **{CONF_PASSWORD: "outdated"})
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["host"] == "127.0.0.1"
    assert suggested_values(result) == {CONF_USERNAME: USERNAME}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == PASSWORD
    assert entry.data[CONF_WEBHOOK_ID] == WEBHOOK_ID
    assert logins(simulator) == 1


async def test_reauth_wrong_password_then_success(
    hass: HomeAssistant, simulator: PbxSimulator
) -> None:
    """A wrong password is shown on its field; the same flow then succeeds."""
    entry = stored_entry(simulator, **{CONF_PASSWORD: "outdated"})
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: "still-wrong"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {CONF_PASSWORD: "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == PASSWORD
    assert logins(simulator) == 2


async def test_reauth_cannot_connect_shown_on_form(
    hass: HomeAssistant, simulator: PbxSimulator, closed_port: int
) -> None:
    """The reauth form has no host field, so an unreachable PBX is a form error."""
    entry = stored_entry(simulator, **{CONF_PORT: closed_port})
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}


async def test_reauth_other_pbx(hass: HomeAssistant, simulator: PbxSimulator) -> None:
    """Credentials that reach a PBX with another serial number are refused."""
    entry = stored_entry(simulator, unique_id="another-pbx")
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unique_id_mismatch"
    assert entry.unique_id == "another-pbx"


async def test_reauth_uses_pinned_certificate(
    hass: HomeAssistant, https_simulator: PbxSimulator
) -> None:
    """Reauthentication talks to the PBX through the stored certificate pin."""
    sim = https_simulator
    entry = stored_entry(
        sim,
        **{
            CONF_SSL: True,
            CONF_PASSWORD: "outdated",
            CONF_TLS_FINGERPRINT: sim.certificate_fingerprint,
        },
    )
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_TLS_FINGERPRINT] == sim.certificate_fingerprint


# --------------------------------------------------------------- reconfigure


async def test_reconfigure_success(
    hass: HomeAssistant, simulator: PbxSimulator, closed_port: int
) -> None:
    """A new port is tested and saved; an empty password keeps the stored one."""
    entry = stored_entry(simulator, **{CONF_PORT: closed_port})
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert suggested_values(result) == {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: closed_port,
        CONF_SSL: False,
        CONF_USERNAME: USERNAME,
    }

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_HOST: "127.0.0.1",
            CONF_PORT: closed_port,
            CONF_SSL: False,
            CONF_USERNAME: USERNAME,
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_HOST: "127.0.0.1",
            CONF_PORT: simulator.port,
            CONF_SSL: False,
            CONF_USERNAME: USERNAME,
            CONF_PASSWORD: "",
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: simulator.port,
        CONF_SSL: False,
        CONF_USERNAME: USERNAME,
        CONF_PASSWORD: PASSWORD,
        CONF_WEBHOOK_ID: WEBHOOK_ID,
    }


async def test_reconfigure_new_password(
    hass: HomeAssistant, simulator: PbxSimulator
) -> None:
    """A typed password replaces the stored one."""
    entry = stored_entry(simulator, **{CONF_PASSWORD: "outdated"})
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(simulator)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PASSWORD] == PASSWORD


async def test_reconfigure_other_pbx(
    hass: HomeAssistant, simulator: PbxSimulator
) -> None:
    """A new address that leads to another PBX is refused and nothing changes."""
    entry = stored_entry(simulator, unique_id="another-pbx", **{CONF_HOST: "192.0.2.1"})
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(simulator)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unique_id_mismatch"
    assert entry.data[CONF_HOST] == "192.0.2.1"


async def test_reconfigure_changed_certificate(
    hass: HomeAssistant, https_simulator: PbxSimulator
) -> None:
    """A certificate that no longer matches the pin is shown and, once trusted, stored."""
    sim = https_simulator
    entry = stored_entry(sim, **{CONF_SSL: True, CONF_TLS_FINGERPRINT: OLD_FINGERPRINT})
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], connection_input(sim, ssl=True)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "trust_certificate"
    shown = result["description_placeholders"]["fingerprint"]
    assert shown.replace(":", "").lower() == sim.certificate_fingerprint
    assert logins(sim) == 0

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_TLS_FINGERPRINT] == sim.certificate_fingerprint
    assert entry.data[CONF_WEBHOOK_ID] == WEBHOOK_ID
    assert logins(sim) == 1


# ------------------------------------------------------------------- options


async def test_options_stored(hass: HomeAssistant) -> None:
    """The options are stored as numbers and trimmed text."""
    entry = MockConfigEntry(domain=DOMAIN, unique_id=SERIAL)
    entry.add_to_hass(hass)
    result = await open_options(hass, entry)
    defaults = {
        marker.schema: marker.default()
        for marker in result["data_schema"].schema
        if callable(marker.default)
    }
    assert defaults == {CONF_POLL_INTERVAL: 300}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_POLL_INTERVAL: 30.0,
            CONF_CALLBACK_HOST: " 192.168.1.20 ",
            CONF_CALLBACK_PORT: 8123.0,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_POLL_INTERVAL: 30,
        CONF_CALLBACK_HOST: "192.168.1.20",
        CONF_CALLBACK_PORT: 8123,
    }
    assert isinstance(entry.options[CONF_POLL_INTERVAL], int)
    assert isinstance(entry.options[CONF_CALLBACK_PORT], int)


async def test_options_empty_fields_left_out(hass: HomeAssistant) -> None:
    """Cleared optional fields are removed from the options."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=SERIAL,
        options={
            CONF_POLL_INTERVAL: 30,
            CONF_CALLBACK_HOST: "192.168.1.20",
            CONF_CALLBACK_PORT: 8123,
        },
    )
    entry.add_to_hass(hass)
    result = await open_options(hass, entry)
    assert suggested_values(result) == dict(entry.options)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_POLL_INTERVAL: 90, CONF_CALLBACK_HOST: "  "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_POLL_INTERVAL: 90}


async def test_options_callback_host_must_be_an_address(hass: HomeAssistant) -> None:
    """A host name or URL is refused: the PBX takes an IP address."""
    entry = MockConfigEntry(domain=DOMAIN, unique_id=SERIAL)
    entry.add_to_hass(hass)
    result = await open_options(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_POLL_INTERVAL: 60, CONF_CALLBACK_HOST: "http://ha.local:8123"},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_CALLBACK_HOST: "invalid_callback_host"}
    assert suggested_values(result)[CONF_CALLBACK_HOST] == "http://ha.local:8123"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_POLL_INTERVAL: 60, CONF_CALLBACK_HOST: "fd00::20"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_POLL_INTERVAL: 60, CONF_CALLBACK_HOST: "fd00::20"}


async def test_options_report_addresses(hass: HomeAssistant) -> None:
    """Accepted report addresses are kept as a sorted list of IP addresses."""
    entry = MockConfigEntry(domain=DOMAIN, unique_id=SERIAL)
    entry.add_to_hass(hass)
    result = await open_options(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_POLL_INTERVAL: 60, CONF_REPORT_ADDRESSES: ["10.0.0.9", "pbx.lan"]},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_REPORT_ADDRESSES: "invalid_report_address"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_POLL_INTERVAL: 60, CONF_REPORT_ADDRESSES: [" 10.0.0.9", "10.0.0.2", ""]},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_POLL_INTERVAL: 60,
        CONF_REPORT_ADDRESSES: ["10.0.0.2", "10.0.0.9"],
    }


async def test_options_country_code(hass: HomeAssistant) -> None:
    """A country calling code is kept as digits (a leading + dropped); words are not."""
    entry = MockConfigEntry(domain=DOMAIN, unique_id=SERIAL)
    entry.add_to_hass(hass)
    result = await open_options(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_POLL_INTERVAL: 60, CONF_COUNTRY_CODE: "NL"}
    )
    assert result["errors"] == {CONF_COUNTRY_CODE: "invalid_country_code"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_POLL_INTERVAL: 60, CONF_COUNTRY_CODE: " +31 "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_POLL_INTERVAL: 60, CONF_COUNTRY_CODE: "31"}


async def test_settings_keep_the_phone_book(hass: HomeAssistant) -> None:
    """Saving the settings leaves the phone book as it was."""
    book = {"0612345678": "Plumber"}
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=SERIAL,
        options={CONF_POLL_INTERVAL: 60, CONF_PHONE_BOOK: book},
    )
    entry.add_to_hass(hass)
    result = await open_options(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_POLL_INTERVAL: 120}
    )
    assert entry.options == {CONF_POLL_INTERVAL: 120, CONF_PHONE_BOOK: book}


async def test_phone_book_menu_offers_changes_only_with_numbers(
    hass: HomeAssistant,
) -> None:
    """Changing and removing numbers is offered once the book has some."""
    entry = MockConfigEntry(domain=DOMAIN, unique_id=SERIAL)
    entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["menu_options"] == ["settings", "add_number"]
    hass.config_entries.options.async_abort(result["flow_id"])
    hass.config_entries.async_update_entry(
        entry, options={CONF_PHONE_BOOK: {"112": "Emergency"}}
    )
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["menu_options"] == [
        "settings",
        "add_number",
        "change_number",
        "remove_numbers",
    ]


async def test_phone_book_add_change_remove(hass: HomeAssistant) -> None:
    """Numbers are added, renamed, re-numbered and removed; the settings stay."""
    await async_process_ha_core_config(hass, {"country": "NL"})
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=SERIAL, options={CONF_POLL_INTERVAL: 90}
    )
    entry.add_to_hass(hass)

    result = await open_options(hass, entry, "add_number")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"number": "06-1234 5678 ", "name": " Plumber "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_POLL_INTERVAL: 90,
        CONF_PHONE_BOOK: {"06-1234 5678": "Plumber"},
    }

    # The same number in its international form renames the entry, not a second one.
    result = await open_options(hass, entry, "add_number")
    await hass.config_entries.options.async_configure(
        result["flow_id"], {"number": "+31 6 12345678", "name": "Plumber Jansen"}
    )
    result = await open_options(hass, entry, "add_number")
    await hass.config_entries.options.async_configure(
        result["flow_id"], {"number": "112", "name": "Emergency"}
    )
    assert entry.options[CONF_PHONE_BOOK] == {
        "+31 6 12345678": "Plumber Jansen",
        "112": "Emergency",
    }

    result = await open_options(hass, entry, "change_number")
    labels = {
        option["value"]: option["label"]
        for option in selector_options(result, "number")
    }
    assert labels == {
        "+31 6 12345678": "Plumber Jansen (+31 6 12345678)",
        "112": "Emergency (112)",
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"number": "112"}
    )
    assert result["step_id"] == "edit_number"
    assert suggested_values(result) == {"number": "112", "name": "Emergency"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"number": "0800 1234", "name": "Helpdesk"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_PHONE_BOOK] == {
        "+31 6 12345678": "Plumber Jansen",
        "0800 1234": "Helpdesk",
    }

    result = await open_options(hass, entry, "remove_numbers")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"numbers": ["+31 6 12345678"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_POLL_INTERVAL: 90,
        CONF_PHONE_BOOK: {"0800 1234": "Helpdesk"},
    }


@pytest.mark.parametrize(
    ("number", "name", "errors"),
    [
        ("plumber", "Plumber", {"number": "invalid_number"}),
        ("+", "Plumber", {"number": "invalid_number"}),
        ("06 1234 ++", "Plumber", {"number": "invalid_number"}),
        ("0612345678", "   ", {"name": "invalid_name"}),
        ("", "", {"number": "invalid_number", "name": "invalid_name"}),
        ("0" * 41, "Plumber", {"number": "invalid_number"}),
        ("\u0660\u0661\u0662", "Plumber", {"number": "invalid_number"}),
        ("06\n12", "Plumber", {"number": "invalid_number"}),
        ("0612345678", "P" * 101, {"name": "invalid_name"}),
        ("0612345678", "Plumber\ud800", {"name": "invalid_name"}),
        ("0612345678", "Plumber\x00", {"name": "invalid_name"}),
    ],
)
async def test_phone_book_refuses_what_is_not_a_number_and_name(
    hass: HomeAssistant, number: str, name: str, errors: dict[str, str]
) -> None:
    """A number must be digits (and separators); a name must be more than spaces."""
    entry = MockConfigEntry(domain=DOMAIN, unique_id=SERIAL)
    entry.add_to_hass(hass)
    result = await open_options(hass, entry, "add_number")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"number": number, "name": name}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert suggested_values(result) == {"number": number, "name": name}
    assert not entry.options


# --------------------------------------------------------------- translations


def test_translations_cover_every_form() -> None:
    """Every field, error and abort of the flows has its text in en.json."""
    strings = json.loads(
        (Path(config_flow.__file__).parent / "translations" / "en.json").read_text()
    )
    forms = {
        "user": config_flow.USER_SCHEMA,
        "reconfigure": config_flow.RECONFIGURE_SCHEMA,
        "reauth_confirm": config_flow.REAUTH_SCHEMA,
    }
    for section, step_id, schema in [
        *(("config", step_id, schema) for step_id, schema in forms.items()),
        ("options", "settings", options_flow.OPTIONS_SCHEMA),
        ("options", "add_number", options_flow.NUMBER_SCHEMA),
        ("options", "edit_number", options_flow.NUMBER_SCHEMA),
    ]:
        step = strings[section]["step"][step_id]
        fields = {marker.schema for marker in schema.schema}
        assert set(step["data"]) == fields, step_id
        assert set(step["data_description"]) == fields, step_id
        assert step["title"]
        if step_id != "edit_number":
            assert step["description"]
    options = strings["options"]["step"]
    assert set(options["init"]["menu_options"]) == {
        "settings",
        "add_number",
        "change_number",
        "remove_numbers",
    }
    assert set(options["change_number"]["data"]) == {options_flow.CONF_NUMBER}
    assert set(options["remove_numbers"]["data"]) == {options_flow.CONF_NUMBERS}

    config = strings["config"]
    trust = config["step"]["trust_certificate"]["description"]
    assert {"{fingerprint}", "{host}", "{port}"} <= set(re.findall(r"{\w+}", trust))
    assert set(config["error"]) == {
        "cannot_connect",
        "invalid_auth",
        "locked_out",
        "api_disabled",
        "unknown",
    }
    assert set(config["abort"]) == {
        "already_configured",
        "unique_id_mismatch",
        "reauth_successful",
        "reconfigure_successful",
    }
    assert set(strings["options"]["error"]) == {
        "invalid_callback_host",
        "invalid_report_address",
        "invalid_country_code",
        "invalid_number",
        "invalid_name",
    }
    assert "Blocked IP" in config["error"]["locked_out"]
    assert "Settings > PBX > General > API" in config["error"]["api_disabled"]
    assert not any("[%key:" in text for text in _texts(config))


def _texts(tree: Any) -> list[str]:
    """Return every string in a translation tree."""
    if isinstance(tree, dict):
        return [text for value in tree.values() for text in _texts(value)]
    return [tree]
