"""A set of background tasks that can all be cancelled when the simulator stops."""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
import logging
from typing import Any

_LOGGER = logging.getLogger(__name__)


class BackgroundTasks:
    """Own fire-and-forget tasks: keep references, log crashes, cancel them all on demand."""

    def __init__(self) -> None:
        """Start with no task."""
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(
        self, coro: Coroutine[Any, Any, Any], name: str = ""
    ) -> asyncio.Task[Any]:
        """Run a coroutine in the background."""
        task = asyncio.get_running_loop().create_task(coro, name=name or None)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def later(
        self, delay: float, action: Callable[[], Awaitable[None] | None], name: str = ""
    ) -> asyncio.Task[Any]:
        """Run a callback (sync or async) after a delay."""

        async def run() -> None:
            """Sleep, then act."""
            await asyncio.sleep(delay)
            result = action()
            if result is not None:
                await result

        return self.spawn(run(), name)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        """Forget a finished task and log its crash, if any."""
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            _LOGGER.error("Simulator task %s failed", task.get_name(), exc_info=error)

    def __len__(self) -> int:
        """Return the number of running tasks."""
        return len(self._tasks)

    async def wait_below(self, count: int) -> None:
        """Wait until fewer than count tasks run."""
        while len(self._tasks) >= max(count, 1):
            await asyncio.wait(list(self._tasks), return_when=asyncio.FIRST_COMPLETED)

    async def cancel_all(self) -> None:
        """Cancel every task and wait until they are gone."""
        tasks = [task for task in self._tasks if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
