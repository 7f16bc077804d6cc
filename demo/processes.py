"""Child processes of the demo: started in their own session, stopped by the demo alone.

Ctrl-C in a terminal signals the whole foreground process group; the children live in
their own sessions so that the demo stops them itself, in order (Home Assistant first, so
that it logs out of the PBX while the PBX still answers). If the demo dies without
stopping them, Linux sends them SIGTERM (parent-death signal).
"""

import asyncio
import contextlib
import ctypes
import os
from pathlib import Path
import signal
import sys
from typing import IO, Final

PR_SET_PDEATHSIG: Final = 1
# Loaded in the parent: the child, between fork and exec, only makes the call.
LIBC: Final = ctypes.CDLL(None, use_errno=True)


def _terminate_with_parent() -> None:
    """Ask Linux to send SIGTERM to this (child) process when its parent dies."""
    with contextlib.suppress(AttributeError):
        LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


async def start_python(
    *args: str, cwd: Path, output: IO[bytes] | None = None
) -> asyncio.subprocess.Process:
    """Start `python ARGS` of this interpreter as a child in its own session."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=output,
        stderr=asyncio.subprocess.STDOUT if output is not None else None,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
        preexec_fn=_terminate_with_parent,
    )


async def stop_process(process: asyncio.subprocess.Process, timeout: float) -> int:  # noqa: ASYNC109
    """Send SIGTERM, wait up to timeout seconds, then kill; return the exit code."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            async with asyncio.timeout(timeout):
                await process.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    return process.returncode if process.returncode is not None else -1
