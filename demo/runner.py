"""Run the demo: the simulated PBX, a first-start bootstrap, and Home Assistant.

Order of events: refuse at once when a port is taken; write the configuration folder;
start the simulated office PBX (HTTPS, its certificate kept in the folder); on the first
start, configure Home Assistant through the integration's config flow (demo.bootstrap);
start Home Assistant; once its integration is connected to the PBX, start the call traffic
and print where everything is. SIGINT (Ctrl-C) or SIGTERM stops Home Assistant, then the PBX.
"""

import asyncio
from collections.abc import Callable
import contextlib
import signal
import sys
import time
from typing import Final

import aiohttp

from simulator import Office, PbxSimulator

from .config_folder import ConfigFolder
from .ports import taken_ports
from .processes import start_python, stop_process
from .settings import (
    OWNER_PASSWORD,
    OWNER_USERNAME,
    PBX_PASSWORD,
    PBX_USERNAME,
    REPO_ROOT,
    DemoSettings,
)

READY_TIMEOUT: Final = 300.0
STOP_TIMEOUT: Final = 90.0
POLL_INTERVAL: Final = 0.5
EXIT_PORT_TAKEN: Final = 2
EXIT_FAILED: Final = 1


class DemoError(Exception):
    """The demo cannot go on; the message says why."""


def say(text: str) -> None:
    """Print a line of the demo's own output at once."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def log_tail(folder: ConfigFolder, lines: int = 30) -> str:
    """Return the end of Home Assistant's console output."""
    try:
        text = folder.console_log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


async def run_bootstrap(folder: ConfigFolder, fingerprint: str) -> None:
    """Configure Home Assistant through the config flow (python -m demo.bootstrap)."""
    say("==> Configuring Home Assistant through the Yeastar config flow")
    process = await start_python(
        "-m",
        "demo.bootstrap",
        "--config",
        str(folder.path),
        "--pbx-port",
        str(folder.settings.pbx_port),
        "--fingerprint",
        fingerprint,
        cwd=REPO_ROOT,
    )
    try:
        code = await process.wait()
    finally:
        await stop_process(process, STOP_TIMEOUT)
    if code != 0:
        raise DemoError(f"the bootstrap failed (exit code {code}); see above")
    folder.record_bootstrap(fingerprint)


class HomeAssistantProcess:
    """Home Assistant on the demo's configuration folder, as a child process."""

    def __init__(self, folder: ConfigFolder) -> None:
        """Prepare to run Home Assistant on the folder."""
        self.folder = folder
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start Home Assistant; its console output goes to the folder's console log."""
        say(f"==> Starting Home Assistant on {self.folder.settings.ha_url}")
        with self.folder.console_log.open("wb") as output:
            # Run from the folder: its custom_components is the one Home Assistant loads.
            self.process = await start_python(
                "-m",
                "homeassistant",
                "--config",
                str(self.folder.path),
                "--skip-pip",
                "--log-no-color",
                cwd=self.folder.path,
                output=output,
            )

    @property
    def exit_code(self) -> int | None:
        """Return the exit code once Home Assistant has exited, else None."""
        return None if self.process is None else self.process.returncode

    async def _frontend_answers(self, session: aiohttp.ClientSession) -> bool:
        """Return True when the web server serves the frontend."""
        try:
            async with session.get(
                f"{self.folder.settings.ha_url}/manifest.json"
            ) as response:
                return response.status == 200
        except aiohttp.ClientError:
            return False

    async def wait_ready(self, connected: Callable[[], bool]) -> float:
        """Wait until the frontend answers and the integration is connected; return seconds."""
        started = time.monotonic()
        timeout = aiohttp.ClientTimeout(total=5)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while not (connected() and await self._frontend_answers(session)):
                if self.exit_code is not None:
                    raise DemoError(
                        f"Home Assistant exited with code {self.exit_code}:\n"
                        f"{log_tail(self.folder)}"
                    )
                if time.monotonic() - started > READY_TIMEOUT:
                    raise DemoError(
                        f"Home Assistant was not ready after {READY_TIMEOUT:.0f} s; "
                        f"see {self.folder.log_file}"
                    )
                await asyncio.sleep(POLL_INTERVAL)
        return time.monotonic() - started

    async def wait_exit(self) -> int:
        """Wait until Home Assistant exits by itself; return its exit code."""
        if self.process is None:
            raise DemoError("Home Assistant was not started")
        return await self.process.wait()

    async def stop(self) -> None:
        """Stop Home Assistant (SIGTERM; killed if it takes too long)."""
        if self.process is not None and self.process.returncode is None:
            say("==> Stopping Home Assistant")
            await stop_process(self.process, STOP_TIMEOUT)


def integration_connected(sim: PbxSimulator, ha_port: int) -> Callable[[], bool]:
    """Return a check that Home Assistant logged in and asked for reports on its port."""

    def connected() -> bool:
        """Tell whether a session of the PBX sends its reports to Home Assistant."""
        return any(
            f":{ha_port}/" in session.destination for session in sim.tokens.values()
        )

    return connected


def banner(settings: DemoSettings, folder: ConfigFolder, sim: PbxSimulator) -> str:
    """Return what the demo prints once everything runs."""
    office = sim.office
    return "\n".join(
        [
            "",
            "Yeastar demo is running:",
            f"  Home Assistant   {settings.ha_url}  (no login needed from this computer;",
            f"                   if a login page shows: user {OWNER_USERNAME!r}, password {OWNER_PASSWORD!r})",
            f"  Dashboard        {settings.ha_url}/lovelace/office",
            f"  Simulated PBX    {sim.base_url}  {office.model}, serial {office.serial_number},",
            f"                   {len(office.extensions)} extensions, {len(office.trunks)} trunks,"
            f" about {settings.traffic_rate:g} calls a minute",
            f"                   API user {PBX_USERNAME!r}, password {PBX_PASSWORD!r};"
            f" certificate SHA-256 {sim.certificate_fingerprint}",
            f"  PBX controls     curl -k {sim.base_url}/control/state  (and POST /control/<action>)",
            f"  Configuration    {folder.path}  (kept between runs; delete it to start afresh)",
            f"  Logs             {folder.log_file}",
            "",
            "Press Ctrl-C to stop Home Assistant and the PBX.",
        ]
    )


async def serve(settings: DemoSettings) -> int:
    """Start everything and run until cancelled; return an exit code on failure."""
    taken = taken_ports([settings.ha_port, settings.pbx_port])
    if taken:
        ports = " and ".join(map(str, taken))
        say(
            f"{'Ports' if len(taken) > 1 else 'Port'} {ports} on 127.0.0.1 "
            f"{'are' if len(taken) > 1 else 'is'} already in use: nothing was started.\n"
            "Stop what uses it, or choose other ports with YEASTAR_DEMO_HA_PORT "
            "and YEASTAR_DEMO_PBX_PORT."
        )
        return EXIT_PORT_TAKEN
    folder = ConfigFolder(settings)
    office = Office.sample()
    certificate = folder.prepare(office.model)
    sim = PbxSimulator(office, port=settings.pbx_port, certificate=certificate)
    hass = HomeAssistantProcess(folder)
    say(f"==> Starting the simulated PBX on {settings.pbx_url}")
    try:
        await sim.start()
    except OSError as err:  # taken since the check
        say(f"The simulated PBX cannot listen on port {settings.pbx_port}: {err}")
        await sim.stop()
        return EXIT_PORT_TAKEN
    try:
        fingerprint = sim.certificate_fingerprint or ""
        if folder.needs_bootstrap(fingerprint):
            await run_bootstrap(folder, fingerprint)
        await hass.start()
        seconds = await hass.wait_ready(integration_connected(sim, settings.ha_port))
        say(f"==> Home Assistant is ready ({seconds:.0f} s)")
        if settings.traffic_rate > 0:
            sim.start_traffic(rate=settings.traffic_rate)
        say(banner(settings, folder, sim))
        code = await hass.wait_exit()
    except DemoError as err:
        say(f"The demo failed: {err}")
        return EXIT_FAILED
    else:
        say(f"Home Assistant exited by itself (code {code}); see {folder.log_file}")
        return EXIT_FAILED
    finally:
        await hass.stop()
        say("==> Stopping the simulated PBX")
        await sim.stop()


async def run(settings: DemoSettings) -> int:
    """Run the demo until SIGINT or SIGTERM, or until it fails; return the exit code."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    demo = asyncio.create_task(serve(settings), name="demo")
    stop_requested = asyncio.create_task(stop.wait(), name="demo stop signal")
    await asyncio.wait({demo, stop_requested}, return_when=asyncio.FIRST_COMPLETED)
    stop_requested.cancel()
    if not demo.done():
        say("\n==> Stopping the demo")
        demo.cancel()
    try:
        code = await demo
    except asyncio.CancelledError:
        code = 0
    with contextlib.suppress(asyncio.CancelledError):
        await stop_requested
    if code == 0:
        say("==> Demo stopped")
    return code
