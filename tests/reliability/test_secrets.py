"""Secrets: after every error path, no secret in any log record, nor in the diagnostics.

Secrets: the API password and its MD5 (what the API receives), every token the PBX
issued, the webhook id, and the pinned certificate's fingerprint (in any of its forms).
Records are captured at DEBUG for the integration, Home Assistant and aiohttp. Three
lines are Home Assistant's and aiohttp's own and name the webhook's URL by design; they
are left out, exactly: the webhook component's "Handling webhook POST payload for <id>"
and the HTTP views' "Serving <path> to <address>" (both DEBUG), and aiohttp's access
log. The simulator's own records (the PBX's side) and the test
harness's (its stand-in for Home Assistant's storage logs what it is given to write:
Home Assistant's own storage logs only the file's name) are not Home Assistant's.
"""

from collections.abc import AsyncGenerator
from hashlib import md5
import json
import logging

from aiohttp.test_utils import TestClient
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.yeastar.backoff import BACKOFFS
from custom_components.yeastar.const import CONF_TLS_FINGERPRINT, DOMAIN, LOGGER
from custom_components.yeastar.pbx.tls import format_fingerprint
from simulator import Office, PbxSimulator
from tests.common import FakeClock
from tests.integration.conftest import (
    PASSWORD,
    SERIAL,
    TOKEN_LIFE,
    WEBHOOK_ID,
    lock_out,
    pbx_simulator,
    stored_entry,
)

from .conftest import FAST
from .helpers import Poster, extension_report, figure

NEW_PASSWORD = "n3w-Secret!"
# A mistyped password (distinct enough not to appear in any message by chance).
TYPO = "Tyqo-9x!k"
CAPTURED = ("custom_components.yeastar", "homeassistant", "aiohttp")
FORMATTER = logging.Formatter()
# Home Assistant's own DEBUG lines that name the URL of every request they handle: the
# webhook component's, and its HTTP views' (not in the brief, which named the first and
# aiohttp's access log only; found here, and just as much Home Assistant's by design).
HOME_ASSISTANTS_URL_LINES = {
    ("homeassistant.components.webhook", "Handling webhook %s payload for %s"),
    ("homeassistant.helpers.http", "Serving %s to %s (auth: %s)"),
}


@pytest.fixture(autouse=True)
async def diagnostics_component(hass: HomeAssistant, socket_enabled: None) -> None:
    """Set diagnostics up before ha_http starts serving (the router freezes then)."""
    assert await async_setup_component(hass, "diagnostics", {})


@pytest.fixture(autouse=True)
def debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Capture everything at DEBUG."""
    for name in CAPTURED:
        caplog.set_level(logging.DEBUG, logger=name)


@pytest.fixture
async def simulator(
    socket_enabled: None, office: Office, clock: FakeClock
) -> AsyncGenerator[PbxSimulator]:
    """Run the PBX over HTTPS (its certificate's fingerprint is a secret too)."""
    async with pbx_simulator(office, ssl=True, timing=FAST, clock=clock) as sim:
        yield sim


@pytest.fixture
def mock_config_entry(simulator: PbxSimulator) -> MockConfigEntry:
    """Return the entry for the HTTPS PBX, its certificate pinned."""
    return stored_entry(
        simulator,
        ssl=True,
        **{CONF_TLS_FINGERPRINT: simulator.certificate_fingerprint},
    )


def secrets(sim: PbxSimulator, *passwords: str) -> dict[str, str]:
    """Return every secret, by what it is."""
    found = {"webhook id": WEBHOOK_ID}
    for password in (PASSWORD, *passwords):
        found[f"password {password[:2]}…"] = password
        found[f"MD5 of {password[:2]}…"] = md5(
            password.encode(), usedforsecurity=False
        ).hexdigest()
    fingerprint = sim.certificate_fingerprint
    assert fingerprint
    found["fingerprint"] = fingerprint
    found["fingerprint, upper case"] = fingerprint.upper()
    found["fingerprint, as shown"] = format_fingerprint(fingerprint)
    tokens = {
        record.response["token"]
        for record in sim.requests
        if record.endpoint == "login"
        and record.response
        and record.response.get("token")
    } | set(sim.tokens)
    assert tokens
    for token in tokens:
        found[f"token {token[:4]}…"] = token
    return found


def excluded(record: logging.LogRecord) -> bool:
    """Tell the two lines that name the webhook's URL by design, and the PBX's own."""
    if record.name.startswith(("simulator", "pytest_homeassistant_custom_component")):
        return True  # the PBX's side; the harness's stand-in for Home Assistant's disk
    if record.name == "aiohttp.access":
        return True
    return (record.name, record.msg) in HOME_ASSISTANTS_URL_LINES


def leaks(caplog: pytest.LogCaptureFixture, found: dict[str, str]) -> list[str]:
    """Return every log record that shows a secret, and which."""
    shown = []
    for record in caplog.records:
        if excluded(record):
            continue
        text = record.getMessage()
        if record.exc_info:
            text += FORMATTER.formatException(record.exc_info)
        if record.stack_info:
            text += record.stack_info
        shown += [
            f"{what} in {record.name} ({record.levelname}): {text[:300]}"
            for what, secret in found.items()
            if secret in text
        ]
    return shown


def checked(caplog: pytest.LogCaptureFixture) -> int:
    """Return how many records were read."""
    return sum(1 for record in caplog.records if not excluded(record))


async def refresh(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Poll now and wait for what it starts."""
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)


async def dial(hass: HomeAssistant, caller: str, callee: str) -> str:
    """Call yeastar.dial; return the error in words ("" when it worked)."""
    try:
        await hass.services.async_call(
            DOMAIN,
            "dial",
            {"caller": caller, "callee": callee},
            blocking=True,
            return_response=True,
        )
    except HomeAssistantError as err:
        return str(err)
    return ""


async def test_report_connection_and_action_errors(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    ha_http: TestClient,
    simulator: PbxSimulator,
    clock: FakeClock,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Bad reports, strangers, a lost token, an outage (refused and hanging), the API
    off, refused actions, a logout that cannot reach the PBX; and the diagnostics."""
    entry = init_integration
    async with (
        Poster(ha_http.server.port) as pbx,
        Poster(ha_http.server.port, source="127.0.0.2") as stranger,
    ):
        for body in (
            b"not json",
            b"\xff",
            b"[" * 10_000,
            b'{"event":"X","pad":"' + b"a" * 70_000 + b'"}',
            {"event": "SomethingNew", "sn": SERIAL},
            extension_report("1000", "Ringing", serial="000000000000"),
        ):
            assert await pbx.send(body) == 200
            assert await stranger.send(body) == 403
        assert await stranger.send(extension_report("1000", "Ringing")) == 403
        assert (
            await pbx.send(extension_report("1000", "Ringing"), path="/api/webhook/x")
            == 200
        )

    clock.advance(TOKEN_LIFE + 1)  # the PBX forgets the token: one re-login
    await refresh(hass, entry)
    client = entry.runtime_data.backend.session.client
    await simulator.take_offline("refuse")
    await refresh(hass, entry)
    assert "connection was refused" in await dial(hass, "1000", "1001")
    await entry.runtime_data.backend.session.async_heartbeat()
    await simulator.take_offline("hang")
    client.request_timeout = 0.3
    await refresh(hass, entry)
    assert "timed out" in await dial(hass, "1000", "1001")
    await simulator.bring_online()
    client.request_timeout = 10
    simulator.api_enabled = False
    await refresh(hass, entry)
    assert await dial(hass, "1000", "1001")
    simulator.api_enabled = True
    await refresh(hass, entry)
    assert "does not exist" in await dial(hass, "1000", "1999")
    assert await dial(hass, "1002", "1000")  # offline phone: not idle
    assert await dial(hass, "9999", "1000")  # no such extension

    diagnostics = json.dumps(
        await get_diagnostics_for_config_entry(hass, hass_client, entry)
    )
    await simulator.take_offline("refuse")
    assert await hass.config_entries.async_unload(entry.entry_id)  # logout fails
    await hass.async_block_till_done()
    await simulator.bring_online()

    found = secrets(simulator)
    assert [what for what, secret in found.items() if secret in diagnostics] == []
    assert leaks(caplog, found) == []
    figure(
        "secrets: reports, connection, actions",
        records_read=checked(caplog),
        secrets=len(found),
        diagnostics_bytes=len(diagnostics),
    )


async def test_credential_errors(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    ha_http: TestClient,
    simulator: PbxSimulator,
    clock: FakeClock,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A password changed on the PBX (reauthentication with the new one), a lock-out,
    tokens refused after login; and the diagnostics in each state."""
    entry = init_integration
    diagnostics = []

    async def download() -> None:
        diagnostics.append(
            json.dumps(await get_diagnostics_for_config_entry(hass, hass_client, entry))
        )

    simulator.credentials.password = NEW_PASSWORD
    clock.advance(TOKEN_LIFE + 1)
    await refresh(hass, entry)  # rejected: reauthentication starts
    await download()
    (flow,) = hass.config_entries.flow.async_progress()
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"username": entry.data["username"], CONF_PASSWORD: TYPO}
    )
    assert result["errors"] == {CONF_PASSWORD: "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"],
        {"username": entry.data["username"], CONF_PASSWORD: NEW_PASSWORD},
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED
    assert entry.data[CONF_PASSWORD] == NEW_PASSWORD

    clock.advance(TOKEN_LIFE + 1)
    await lock_out(simulator)
    await refresh(hass, entry)  # locked out: back-off, repair issue
    await download()
    await hass.config_entries.async_reload(entry.entry_id)  # still waiting: no login
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    clock.advance(601)
    hass.data.pop(BACKOFFS, None)  # the ten minutes (and a half) are over
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED

    simulator.refuse_tokens = True
    clock.advance(TOKEN_LIFE + 1)
    await refresh(hass, entry)  # refused tokens: back-off, repair issue
    await download()
    simulator.refuse_tokens = False
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    found = secrets(simulator, NEW_PASSWORD, TYPO)
    for text in diagnostics:
        assert [what for what, secret in found.items() if secret in text] == []
    assert leaks(caplog, found) == []
    figure(
        "secrets: credentials, lock-out, refused tokens",
        records_read=checked(caplog),
        secrets=len(found),
        diagnostics_downloads=len(diagnostics),
    )


async def test_certificate_changed(
    hass: HomeAssistant,
    ha_http: TestClient,
    simulator: PbxSimulator,
    added_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A PBX that presents another certificate than the pinned one: set-up stops with
    a repair issue, and neither certificate's fingerprint is logged."""
    pinned = "ab" * 32
    hass.config_entries.async_update_entry(
        added_entry, data={**added_entry.data, CONF_TLS_FINGERPRINT: pinned}
    )
    await hass.config_entries.async_setup(added_entry.entry_id)
    await hass.async_block_till_done()
    assert added_entry.state is ConfigEntryState.SETUP_ERROR
    assert added_entry.error_reason_translation_key == "certificate_changed"

    assert not simulator.tokens  # no login: the certificate was refused first
    fingerprint = simulator.certificate_fingerprint
    assert fingerprint
    found = {
        "webhook id": WEBHOOK_ID,
        "presented fingerprint": fingerprint,
        "presented, as shown": format_fingerprint(fingerprint),
        "pinned fingerprint": pinned,
        "password": PASSWORD,
        "MD5": md5(PASSWORD.encode(), usedforsecurity=False).hexdigest(),
    }
    assert leaks(caplog, found) == []
    figure("secrets: certificate changed", records_read=checked(caplog))


def test_a_leak_is_seen(caplog: pytest.LogCaptureFixture) -> None:
    """The check finds a secret in a message, its arguments and a traceback."""
    found = {"token": "d46c9930e2cbdf5622de0d94e3978f75"}
    LOGGER.debug("Logged in with %s", found["token"])
    try:
        int(found["token"])  # ValueError naming the token
    except ValueError:
        LOGGER.exception("Failed")
    assert len(leaks(caplog, found)) == 2
