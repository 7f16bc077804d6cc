"""Command line: python -m demo (scripts/demo runs it after setting up .venv)."""

import argparse
import asyncio
from collections.abc import Sequence
import os
import sys

from .runner import EXIT_FAILED, run
from .settings import (
    ENV_CONFIG,
    ENV_HA_PORT,
    ENV_PBX_PORT,
    ENV_TRAFFIC_RATE,
    DemoSettings,
    SettingsError,
)

DESCRIPTION = f"""\
Run Home Assistant with the Yeastar integration against a simulated office PBX, on
127.0.0.1 only. Ctrl-C stops both. Settings come from the environment:
{ENV_HA_PORT} (default 8123), {ENV_PBX_PORT} (default 8088),
{ENV_CONFIG} (default demo_config/ in the repository),
{ENV_TRAFFIC_RATE} (random calls per minute, default 6; 0 = none)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the (only informative) arguments, read the settings and run."""
    argparse.ArgumentParser(
        prog="scripts/demo",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    ).parse_args(argv)
    try:
        settings = DemoSettings.from_environment(os.environ)
    except SettingsError as err:
        sys.stderr.write(f"scripts/demo: {err}\n")
        return EXIT_FAILED
    return asyncio.run(run(settings))


if __name__ == "__main__":
    sys.exit(main())
