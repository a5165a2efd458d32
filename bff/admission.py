"""How many API requests the BFF works on at once: a bound that adapts to how fast answers come.

A fixed bound on work in flight keeps an overloaded BFF from taking more than it can finish, but at
a bound large enough for a fast machine, an accepted request on a slow one still waits seconds
(bench/README.md saw 256 in flight wait ~2 s). By Little's law the work in flight that keeps
answers within a target is throughput x target, which nobody can set by hand for every machine. So
the bound moves, as TCP's congestion window does (additive increase, multiplicative decrease):

- answers are looked at in windows of `target_s`;
- a window whose median answer took longer than `target_s` cuts the bound by `backoff`;
- a window that was fast and used most of the bound raises it by one (probing for more);
- a window that was fast and used less than that lets it grow back by a tenth: the bound is not
  what holds the load back, and left low after an overload it would shed the next burst for nothing.

The median, not every answer: one slow dependency (the shop timing out) slows the routes that need
it, not the whole BFF, and must not shut the door on everything else. The bound stays between
`floor` and `ceiling` (BFF_MAX_IN_FLIGHT); with `target_s` 0 it is the ceiling, fixed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import Gauge

ADMISSION_LIMIT = Gauge("bff_admission_limit", "API requests the BFF takes on at once, as it stands now")
FLOOR = 16  # never below: a burst of a few pages at once is normal, and answers need some parallelism


class AdmissionLimit:
    def __init__(
        self,
        *,
        ceiling: int,
        target_s: float,
        floor: int = FLOOR,
        backoff: float = 0.9,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ceiling = ceiling
        self.floor = min(floor, ceiling)
        self.target_s = target_s
        self.backoff = backoff
        self.limit = ceiling
        self.in_flight = 0
        self._clock = clock
        self._window_ends = clock() + target_s
        self._answers = 0
        self._slow = 0
        self._busiest = 0
        ADMISSION_LIMIT.set(ceiling)

    def try_enter(self) -> bool:
        """Takes a place for one request, or says there is none left."""
        if self.in_flight >= self.limit:
            return False
        self.in_flight += 1
        self._busiest = max(self._busiest, self.in_flight)
        return True

    def leave(self, took_s: float) -> None:
        """A request that had a place is answered, in `took_s`."""
        self.in_flight -= 1
        if self.target_s <= 0:
            return
        self._answers += 1
        self._slow += took_s > self.target_s
        now = self._clock()
        if now < self._window_ends:
            return
        if 2 * self._slow > self._answers:
            self.limit = max(self.floor, int(self.limit * self.backoff))
        elif self._busiest * 4 >= self.limit * 3:
            self.limit = min(self.ceiling, self.limit + 1)
        else:
            self.limit = min(self.ceiling, self.limit + max(1, self.limit // 10))
        ADMISSION_LIMIT.set(self.limit)
        self._window_ends = now + self.target_s
        self._answers = self._slow = 0
        self._busiest = self.in_flight
