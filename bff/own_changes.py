"""When each browser last changed something, so that no page kept in this process is shown to it
older than its own change (bff.shared_pages, bff.case_pages). The front door tells it of every
state-changing request of a session as its answer starts."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

# Past this many browsers, those whose change is older than any kept page are forgotten.
_PRUNE_ABOVE = 10_000


class OwnChanges:
    def __init__(self, remember_s: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        """`remember_s`: how old the oldest page kept by its users can be (older changes no longer
        matter). `clock` must be the one those users time their pages with."""
        self._remember_s = remember_s
        self._clock = clock
        self._at: dict[Hashable, float] = {}  # browser -> when its last change ended

    def note(self, browser: Hashable) -> None:
        """A state-changing request of this browser (its session cookie) has ended."""
        now = self._clock()
        if len(self._at) > _PRUNE_ABOVE:
            self._at = {b: t for b, t in self._at.items() if now - t < self._remember_s}
        self._at[browser] = now

    def last(self, browser: Hashable) -> float:
        """When this browser's last change ended (-inf: none remembered)."""
        return self._at.get(browser, float("-inf"))
