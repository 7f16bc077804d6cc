"""python -m demo refuses clearly, before starting anything, when it cannot run."""

import os
from pathlib import Path
import socket
import subprocess
import sys

from tests.common import free_port

ROOT = Path(__file__).parents[2]


def run_demo(tmp_path: Path, **environ: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "YEASTAR_DEMO_CONFIG": str(tmp_path / "config"), **environ}
    return subprocess.run(  # noqa: S603 - the project's own module
        [sys.executable, "-m", "demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_taken_ports_are_refused_and_nothing_starts(tmp_path: Path) -> None:
    with socket.socket() as ha, socket.socket() as pbx:
        for server in (ha, pbx):
            server.bind(("127.0.0.1", 0))
            server.listen()
        ha_port, pbx_port = ha.getsockname()[1], pbx.getsockname()[1]
        result = run_demo(
            tmp_path,
            YEASTAR_DEMO_HA_PORT=str(ha_port),
            YEASTAR_DEMO_PBX_PORT=str(pbx_port),
        )
    assert result.returncode == 2
    assert (
        f"Ports {ha_port} and {pbx_port} on 127.0.0.1 are already in use: nothing was started."
        in result.stdout
    )
    assert "YEASTAR_DEMO_HA_PORT" in result.stdout
    assert not (tmp_path / "config").exists()


def test_one_taken_port_is_named(tmp_path: Path) -> None:
    with socket.socket() as pbx:
        pbx.bind(("127.0.0.1", 0))
        pbx.listen()
        pbx_port = pbx.getsockname()[1]
        result = run_demo(
            tmp_path,
            YEASTAR_DEMO_HA_PORT=str(free_port()),
            YEASTAR_DEMO_PBX_PORT=str(pbx_port),
        )
    assert result.returncode == 2
    assert f"Port {pbx_port} on 127.0.0.1 is already in use" in result.stdout
    assert not (tmp_path / "config").exists()


def test_bad_setting_is_refused(tmp_path: Path) -> None:
    result = run_demo(
        tmp_path, YEASTAR_DEMO_HA_PORT="8123", YEASTAR_DEMO_PBX_PORT="8123"
    )
    assert result.returncode == 1
    assert (
        "scripts/demo: Home Assistant and the PBX cannot share port 8123"
        in result.stderr
    )
    assert not (tmp_path / "config").exists()


def test_help_names_every_setting() -> None:
    result = subprocess.run(  # noqa: S603 - the project's own module
        [sys.executable, "-m", "demo", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    for name in (
        "YEASTAR_DEMO_HA_PORT",
        "YEASTAR_DEMO_PBX_PORT",
        "YEASTAR_DEMO_CONFIG",
        "YEASTAR_DEMO_TRAFFIC_RATE",
    ):
        assert name in result.stdout
