"""OwnChanges remembers each browser's last change, and forgets (when it holds many) those too old
to matter."""

from __future__ import annotations

from bff import own_changes
from bff.own_changes import OwnChanges


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_a_browser_s_last_change_is_remembered_and_those_too_old_to_matter_are_forgotten() -> None:
    clock = Clock()
    changes = OwnChanges(30.0, clock=clock)
    assert changes.last("b1") == float("-inf")
    changes.note("b1")
    clock.t = 105.0
    changes.note("b1")
    assert changes.last("b1") == 105.0

    for n in range(own_changes._PRUNE_ABOVE - 1):  # with b1, exactly the bound: nothing pruned yet
        changes.note(f"old-{n}")
    clock.t = 120.0
    changes.note("recent")
    clock.t = 136.0  # the old ones and b1 are now more than 30 s old; "recent" is not
    changes.note("b2")  # past the bound: pruned before noting
    assert changes.last("old-0") == float("-inf")
    assert changes.last("b1") == float("-inf")
    assert changes.last("recent") == 120.0
    assert changes.last("b2") == 136.0
