"""Command line: run the PBX simulator until Ctrl-C or SIGTERM (python -m simulator --help)."""

import argparse
import asyncio
from collections.abc import Sequence
from pathlib import Path
import signal
import sys

from .office import Office
from .server import PbxSimulator
from .timing import SimulatorTiming
from .tls import from_files

TIMING_OPTIONS = {
    "token_lifetime": "token life in seconds without any request or report",
    "lockout_failures": "consecutive failed logins that lock an address",
    "lockout_duration": "seconds an address stays locked",
    "report_retry_interval": "seconds between attempts to deliver a report",
    "report_timeout": "seconds to wait for the receiver of a report",
    "reboot_duration": "seconds the PBX is unreachable while rebooting",
    "invite_window": "seconds to accept/refuse a call on a controlled trunk",
    "prompt_duration": "seconds one call/playprompt prompt plays",
    "cdr_random_lifetime": "seconds a cdr/get_random random stays valid",
}
# Durations that "none" switches off (simulated users then never act by themselves).
OPTIONAL_TIMING_OPTIONS = {
    "simulated_answer_delay": (
        "answer-delay",
        "seconds before the phone a call/dial rings first (the caller) is picked up",
    ),
    "simulated_callee_answer_delay": (
        "callee-answer-delay",
        "seconds before the callee of call/dial answers",
    ),
    "simulated_talk_time": (
        "talk-time",
        "seconds before simulated users hang up calls placed through the API",
    ),
    "ring_timeout": (
        "ring-timeout",
        "seconds every unanswered phone rings (none: each extension's ringtimeout)",
    ),
    "voicemail_message_time": (
        "voicemail-message-time",
        "seconds a caller sent to voicemail speaks before hanging up",
    ),
}


def seconds_or_none(value: str) -> float | None:
    """Return a number of seconds, or None for "none"."""
    if value.strip().lower() == "none":
        return None
    try:
        return float(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from err


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Simulated Yeastar S-Series PBX (API 2.0.0) with event reports, calls and traffic.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8088,
        help="port to listen on (default 8088, 0 = any free port)",
    )
    parser.add_argument(
        "--http", action="store_true", help="serve plain HTTP instead of HTTPS"
    )
    parser.add_argument(
        "--cert",
        type=Path,
        help="PEM certificate to serve (default: self-signed at start)",
    )
    parser.add_argument("--key", type=Path, help="PEM private key of --cert")
    parser.add_argument("--username", default="api", help="API user name (default api)")
    parser.add_argument(
        "--password", default="secret", help="API password (default secret)"
    )
    parser.add_argument(
        "--office",
        default="sample",
        help='"sample" (default) or a JSON file describing the office',
    )
    parser.add_argument(
        "--traffic", action="store_true", help="place random calls all the time"
    )
    parser.add_argument(
        "--traffic-rate",
        type=float,
        default=4.0,
        help="random calls per minute (default 4)",
    )
    parser.add_argument("--seed", type=int, help="random seed of the traffic")
    parser.add_argument(
        "--expired-token-errno",
        choices=["20004", "20006"],
        default="20004",
        help="errno of an expired token",
    )
    parser.add_argument(
        "--calls-key",
        choices=["calls", "Calls"],
        default="calls",
        help="array key of call/query",
    )
    defaults = SimulatorTiming()
    for name, (option, text) in OPTIONAL_TIMING_OPTIONS.items():
        parser.add_argument(
            f"--{option}",
            dest=name,
            type=seconds_or_none,
            default=getattr(defaults, name),
            help=f"{text}; none: never (default %(default)s)",
        )
    for name, text in TIMING_OPTIONS.items():
        kind = int if name == "lockout_failures" else float
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            type=kind,
            default=getattr(defaults, name),
            help=f"{text} (default %(default)s)",
        )
    return parser


def make_simulator(args: argparse.Namespace) -> PbxSimulator:
    """Return the simulator the arguments describe (reads the office and certificate files)."""
    office = (
        Office.sample()
        if args.office == "sample"
        else Office.from_json_file(Path(args.office))
    )
    if bool(args.cert) != bool(args.key):
        raise SystemExit("--cert and --key go together")
    timing = SimulatorTiming(
        **{
            name: getattr(args, name)
            for name in (*TIMING_OPTIONS, *OPTIONAL_TIMING_OPTIONS)
        }
    )
    return PbxSimulator(
        office,
        host=args.host,
        port=args.port,
        ssl=not args.http,
        username=args.username,
        password=args.password,
        timing=timing,
        expired_token_errno=args.expired_token_errno,
        calls_key=args.calls_key,
        certificate=from_files(args.cert, args.key) if args.cert else None,
    )


def banner(sim: PbxSimulator) -> str:
    """Return what the CLI prints once the simulator listens."""
    lines = [
        f"{sim.office.model} simulator (sn {sim.office.serial_number}, firmware {sim.office.firmware})",
        f"listening on {sim.base_url}/api/v2.0.0/",
        f"API user {sim.credentials.username!r}, password {sim.credentials.password!r}",
        f"certificate SHA-256 {sim.certificate_fingerprint}"
        if sim.certificate_fingerprint
        else "plain HTTP (no certificate)",
        f"test-bench controls (unauthenticated): POST {sim.base_url}/control/<action>, GET {sim.base_url}/control/state",
    ]
    return "\n".join(lines) + "\n"


async def serve(
    sim: PbxSimulator, args: argparse.Namespace, stop: asyncio.Event
) -> None:
    """Run the simulator until stop is set."""
    await sim.start()
    try:
        sys.stdout.write(banner(sim))
        if args.traffic:
            sim.start_traffic(rate=args.traffic_rate, seed=args.seed)
            sys.stdout.write(f"traffic: {args.traffic_rate} calls per minute\n")
        sys.stdout.flush()
        await stop.wait()
    finally:
        await sim.stop()
        sys.stdout.write("stopped\n")
        sys.stdout.flush()


async def run_until_signalled(sim: PbxSimulator, args: argparse.Namespace) -> None:
    """Serve until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await serve(sim, args, stop)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and run."""
    args = build_parser().parse_args(argv)
    asyncio.run(run_until_signalled(make_simulator(args), args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
