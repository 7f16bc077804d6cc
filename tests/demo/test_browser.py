"""The whole demo in a real browser: scripts/demo, then headless Debian chromium on its dashboard.

Starts scripts/demo on free loopback ports with a fresh configuration folder, loads the
dashboard (no login: trusted loopback), checks that every extension and trunk shows its
state, drives a call through the simulator's control endpoints and watches the extension's
tile follow it, takes a screenshot of a busy office, and stops the demo with SIGINT as
Ctrl-C would. YEASTAR_UPDATE_SCREENSHOT=1 also copies the screenshots to docs/
(dashboard.png and missed-call.png).
"""

from collections.abc import Iterator
from dataclasses import dataclass
import json
import os
from pathlib import Path
import re
import shutil
import signal
import ssl
import subprocess
import time
from typing import Any
import urllib.request

from playwright.sync_api import Locator, Page, expect, sync_playwright
import pytest

from demo.dashboard import DIAL_BUTTON
from simulator import Office
from tests.common import free_port

ROOT = Path(__file__).parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 120.0
STATE_TIMEOUT_MS = 15_000
SCREENSHOT = ROOT / "docs" / "dashboard.png"
MISSED_CALL_SCREENSHOT = ROOT / "docs" / "missed-call.png"


@dataclass
class RunningDemo:
    """A demo started by the test: its ports, folder and output."""

    process: subprocess.Popen[bytes]
    output: Path
    config: Path
    ha_url: str
    pbx_url: str

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def control(self, action: str, **body: Any) -> dict[str, Any]:
        """POST a control action to the simulated PBX (HTTPS, its own certificate pinned)."""
        context = ssl.create_default_context(
            cafile=self.config / "yeastar-demo" / "pbx-cert.pem"
        )
        request = urllib.request.Request(  # noqa: S310 - an https URL of the test's own
            f"{self.pbx_url}/control/{action}",
            data=None if action == "state" else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, context=context, timeout=10) as response:  # noqa: S310 - same
            answer = json.loads(response.read())
        assert answer["ok"], answer
        return answer


def wait_for_output(demo: RunningDemo, marker: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while marker not in demo.text():
        assert demo.process.poll() is None, f"scripts/demo exited early:\n{demo.text()}"
        assert time.monotonic() < deadline, (
            f"no {marker!r} after {timeout} s:\n{demo.text()}"
        )
        time.sleep(0.2)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[RunningDemo]:
    ha_port, pbx_port = free_port(), free_port()
    output = tmp_path / "demo.log"
    # No coverage in the demo's processes: Home Assistant runs from another folder, and its
    # partial data would not combine with the suite's.
    env = {
        **{
            name: value
            for name, value in os.environ.items()
            if not name.startswith("COV_CORE_")
        },
        "YEASTAR_DEMO_CONFIG": str(tmp_path / "config"),
        "YEASTAR_DEMO_HA_PORT": str(ha_port),
        "YEASTAR_DEMO_PBX_PORT": str(pbx_port),
    }
    with output.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 - the repository's own script
            [ROOT / "scripts" / "demo"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = RunningDemo(
        process,
        output,
        tmp_path / "config",
        f"http://127.0.0.1:{ha_port}",
        f"https://127.0.0.1:{pbx_port}",
    )
    try:
        yield running
    finally:
        # After a failure: stop it as Ctrl-C does (it stops Home Assistant first), or kill
        # it (its children then get SIGTERM from Linux: they were started with a death signal).
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def tile(page: Page, name: str) -> Locator:
    return page.locator("hui-tile-card").filter(has_text=name)


def extension_names() -> list[str]:
    return [
        f"{extension.name} ({extension.number})"
        for extension in Office.sample().extensions
    ]


def test_demo_dashboard_follows_calls_in_a_browser(
    demo: RunningDemo, tmp_path: Path
) -> None:
    assert CHROMIUM.is_file(), "Debian's chromium is missing: scripts/setup installs it"
    started = time.monotonic()
    wait_for_output(demo, "Press Ctrl-C", START_TIMEOUT)
    text = demo.text()
    assert "Configuring Home Assistant through the Yeastar config flow" in text
    assert demo.ha_url in text
    assert demo.pbx_url in text
    state = demo.control("state")
    assert state["traffic"] is True
    assert len(state["sessions"]) == 1
    assert (
        f"{demo.ha_url.removeprefix('http://')}/api/webhook/"
        in state["sessions"][0]["destination"]
    )
    # From here on the test places the calls itself.
    demo.control("traffic", on=False)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 640})
            page.goto(f"{demo.ha_url}/lovelace/office")
            expect(page.get_by_text("Trunks", exact=True)).to_be_visible(timeout=30_000)
            assert "/auth/" not in page.url, "the trusted loopback should need no login"
            for name in [
                *extension_names(),
                "SIPTrunk1 · SIP trunk",
                "GSM1 · GSM trunk",
            ]:
                expect(tile(page, name)).to_be_visible()
            expect(tile(page, "Meeting Room (1006)")).to_contain_text("Offline")
            expect(tile(page, "SIPTrunk1")).to_contain_text("Registered")
            expect(page.get_by_text("Yeastar S100")).to_be_visible()

            support = tile(page, "Support (1002)")
            expect(support).to_contain_text("Idle", timeout=STATE_TIMEOUT_MS)
            assert tile_colour(support) == "green"
            callid = demo.control(
                "inbound_call", trunk="SIPTrunk1", caller="0612345678", extension="1002"
            )["callid"]
            expect(support).to_contain_text("Ringing", timeout=STATE_TIMEOUT_MS)
            assert tile_colour(support) == "orange"
            demo.control("answer", callid=callid)
            expect(support).to_contain_text("Busy", timeout=STATE_TIMEOUT_MS)
            assert tile_colour(support) == "blue"
            demo.control("hangup", callid=callid)
            expect(support).to_contain_text("Idle", timeout=STATE_TIMEOUT_MS)
            assert tile_colour(tile(page, "Meeting Room (1006)")) == "disabled"
            assert tile_colour(tile(page, "Spare Analog (1013)")) == "red"

            take_screenshot_of_a_busy_office(demo, page, tmp_path / "dashboard.png")
            follow_a_missed_call(demo, page, tmp_path)
        finally:
            browser.close()

    demo.process.send_signal(signal.SIGINT)
    assert demo.process.wait(timeout=60) == 0
    assert "==> Demo stopped" in demo.text()
    assert time.monotonic() - started < 90


def tile_colour(card: Locator) -> str:
    """Return the colour a tile card is drawn in ("" for none)."""
    style = card.evaluate(
        "card => card.shadowRoot.querySelector('ha-card').getAttribute('style') || ''"
    )
    found = re.search(r"--tile-color:\s*var\(--([a-z-]+)-color\)", style)
    return found[1] if found else ""


def follow_a_missed_call(demo: RunningDemo, page: Page, folder: Path) -> None:
    """A missed call is listed and in the logbook; it is ticked off; the dial button rings."""
    callid = demo.control(
        "inbound_call", trunk="SIPTrunk1", caller="0612345678", extension="1002"
    )["callid"]
    support = tile(page, "Support (1002)")
    expect(support).to_contain_text("Ringing", timeout=STATE_TIMEOUT_MS)
    demo.control("hangup", callid=callid)  # the caller gives up
    missed = page.locator("hui-todo-list-card ha-check-list-item").filter(
        has_text="Piet Jansen (0612345678)"
    )
    expect(missed).to_be_visible(timeout=STATE_TIMEOUT_MS)
    expect(missed).to_contain_text("called Support (1002)")
    page.screenshot(path=folder / "missed-call.png")
    if os.environ.get("YEASTAR_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(folder / "missed-call.png", MISSED_CALL_SCREENSHOT)

    # Ticked off (its box; the text opens the item): the call is dealt with, it goes.
    missed.locator("ha-checkbox, mwc-checkbox").first.click()
    expect(missed).to_have_count(0, timeout=STATE_TIMEOUT_MS)

    reception = tile(page, "Reception (1000)")
    expect(reception).to_contain_text("Idle", timeout=STATE_TIMEOUT_MS)
    page.get_by_text(DIAL_BUTTON["name"]).click()
    # The desk phone rings first; its simulated user picks up, then the plumber does.
    expect(reception).to_contain_text("Ringing", timeout=STATE_TIMEOUT_MS)
    expect(reception).to_contain_text("Busy", timeout=STATE_TIMEOUT_MS)
    expect(
        page.locator("hui-markdown-card").filter(has_text="Last calls")
    ).to_contain_text(
        "Support (1002) Piet Jansen · inbound, missed", timeout=STATE_TIMEOUT_MS
    )

    page.goto(f"{page.url.split('/lovelace')[0]}/logbook")
    expect(
        page.get_by_text("missed a call from Piet Jansen (0612345678)")
    ).to_be_visible(timeout=STATE_TIMEOUT_MS)
    page.screenshot(path=folder / "logbook.png")


def take_screenshot_of_a_busy_office(demo: RunningDemo, page: Page, path: Path) -> None:
    """Ring, talk and hold on a few phones, then photograph the dashboard."""
    ringing = demo.control(
        "inbound_call", trunk="SIPTrunk2", caller="0687650000", extension="1000"
    )
    internal = demo.control("internal_call", caller="1001", callee="1003")["callid"]
    demo.control("answer", callid=internal)
    outbound = demo.control("outbound_call", extension="1007", number="0612340000")[
        "callid"
    ]
    demo.control("answer", callid=outbound, number="0612340000")
    demo.control("hold", callid=outbound, number="1007")
    assert ringing["callid"]
    for name, state in [
        ("Reception (1000)", "Ringing"),
        ("Sales (1001)", "Busy"),
        ("Accounting (1003)", "Busy"),
        ("IT Desk (1007)", "On hold"),
    ]:
        expect(tile(page, name)).to_contain_text(state, timeout=STATE_TIMEOUT_MS)
    page.screenshot(path=path)
    assert path.stat().st_size > 10_000
    if os.environ.get("YEASTAR_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(path, SCREENSHOT)
    for callid in (ringing["callid"], internal, outbound):
        demo.control("hangup", callid=callid)
