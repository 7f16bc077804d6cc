"""The command line: python -m simulator."""

import asyncio
import hashlib
import json
import os
from pathlib import Path
import re
import signal
import sys

import aiohttp
import pytest

from simulator import tls
from simulator.__main__ import banner, build_parser, make_simulator, serve

ROOT = Path(__file__).parents[2]


async def run_cli(*args: str) -> asyncio.subprocess.Process:
    """Start the CLI in a subprocess."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        *args,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


async def test_help() -> None:
    process = await run_cli("--help")
    stdout, _ = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0
    text = stdout.decode()
    for option in (
        "--host",
        "--port",
        "--http",
        "--username",
        "--password",
        "--office",
        "--traffic",
        "--traffic-rate",
        "--token-lifetime",
        "--reboot-duration",
    ):
        assert option in text


async def test_cli_serves_until_sigterm() -> None:
    process = await run_cli(
        "--port",
        "0",
        "--http",
        "--traffic",
        "--traffic-rate",
        "30",
        "--seed",
        "1",
        "--username",
        "bench",
        "--password",
        "pw",
    )
    assert process.stdout is not None
    try:
        lines = []
        async with asyncio.timeout(20):
            while not any("/control/state" in line for line in lines):
                lines.append((await process.stdout.readline()).decode())
        url = re.search(r"listening on (\S+)", "".join(lines)).group(1)
        assert url.startswith("http://127.0.0.1:")
        assert "'bench'" in "".join(lines)
        async with aiohttp.ClientSession() as session:
            body = {
                "username": "bench",
                "password": hashlib.md5(b"pw", usedforsecurity=False).hexdigest(),
            }
            async with session.post(f"{url}login", json=body) as response:
                assert (await response.json(content_type=None))["status"] == "Success"
        process.send_signal(signal.SIGTERM)
        stdout, _ = await asyncio.wait_for(process.communicate(), 20)
        assert process.returncode == 0
        assert "stopped" in stdout.decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_serve_in_process_with_certificate_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    certificate = tls.self_signed("Yeastar S100", "127.0.0.1")
    (tmp_path / "cert.pem").write_bytes(certificate.cert_pem)
    (tmp_path / "key.pem").write_bytes(certificate.key_pem)
    office = {
        "serial_number": "555",
        "model": "Yeastar S50",
        "extensions": [{"number": "100", "name": "Solo"}],
    }
    (tmp_path / "office.json").write_text(json.dumps(office))
    args = build_parser().parse_args(
        [
            "--port",
            "0",
            "--cert",
            str(tmp_path / "cert.pem"),
            "--key",
            str(tmp_path / "key.pem"),
            "--office",
            str(tmp_path / "office.json"),
            "--traffic",
            "--token-lifetime",
            "60",
        ]
    )
    sim = make_simulator(args)
    assert sim.timing.token_lifetime == 60
    assert sim.timing.simulated_answer_delay == 3.0
    stop = asyncio.Event()
    task = asyncio.create_task(serve(sim, args, stop))
    async with asyncio.timeout(10):
        while not sim.online:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    assert sim.certificate_fingerprint == certificate.fingerprint
    assert "certificate SHA-256 " + certificate.fingerprint in banner(sim)
    assert sim.traffic_running
    stop.set()
    await task
    output = capsys.readouterr().out
    assert "Yeastar S50 simulator (sn 555" in output
    assert output.rstrip().endswith("stopped")


def test_cert_needs_key(tmp_path: Path) -> None:
    args = build_parser().parse_args(["--cert", str(tmp_path / "cert.pem")])
    with pytest.raises(SystemExit, match="go together"):
        make_simulator(args)


def test_plain_banner() -> None:
    sim = make_simulator(build_parser().parse_args(["--http", "--port", "0"]))
    assert "plain HTTP" in banner(sim)


def test_simulated_user_and_ring_options() -> None:
    defaults = make_simulator(build_parser().parse_args(["--http"])).timing
    assert (
        defaults.simulated_answer_delay,
        defaults.simulated_callee_answer_delay,
        defaults.simulated_talk_time,
        defaults.ring_timeout,
        defaults.voicemail_message_time,
        defaults.cdr_random_lifetime,
    ) == (3.0, 4.0, 20.0, None, 8.0, 30.0)
    args = build_parser().parse_args(
        [
            "--answer-delay",
            "none",
            "--callee-answer-delay",
            "1.5",
            "--talk-time",
            "None",
            "--ring-timeout",
            "12",
            "--voicemail-message-time",
            "2",
            "--cdr-random-lifetime",
            "5",
        ]
    )
    timing = make_simulator(args).timing
    assert (
        timing.simulated_answer_delay,
        timing.simulated_callee_answer_delay,
        timing.simulated_talk_time,
        timing.ring_timeout,
        timing.voicemail_message_time,
        timing.cdr_random_lifetime,
    ) == (None, 1.5, None, 12.0, 2.0, 5.0)


def test_bad_seconds_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--ring-timeout", "soon"])
    assert "not a number of seconds: 'soon'" in capsys.readouterr().err
