"""Politeness toward each host: bounded requests in flight, spaced starts, a shared pause after 429.

Time comes from a :class:`Clock` (``now()`` and ``await sleep(seconds)``) so tests drive the gate
with a fake one and assert the waits it asks for, never wall-clock gaps.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class MonotonicClock:
    """The real clock: ``time.monotonic`` and ``asyncio.sleep``."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class HostGate:
    """At most ``concurrency`` requests in flight to one host, starts ``interval`` apart, and a pause
    that every request to the host honours after a 429."""

    def __init__(self, concurrency: int, interval: float, clock: Clock) -> None:
        self.slots = asyncio.Semaphore(concurrency)
        self.interval = interval
        self.clock = clock
        self.next_start = 0.0
        self.paused_until = 0.0
        self._lock = asyncio.Lock()

    async def turn(self) -> None:
        """Wait for this host's next start time (and any pause), then reserve the one after it."""
        async with self._lock:
            now = self.clock.now()
            start = max(now, self.next_start, self.paused_until)
            self.next_start = start + self.interval
        if start > now:
            await self.clock.sleep(start - now)

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, self.clock.now() + seconds)
