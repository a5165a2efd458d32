"""Two service calls at the same time, as one step of composing a screen."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


async def both[A, B](first: Coroutine[Any, Any, A], second: Coroutine[Any, Any, B]) -> tuple[A, B]:
    """Runs both at once. When one fails the other is cancelled, and the failure is raised as it is (not
    in an ExceptionGroup), so that the error handlers see the service's own error."""
    try:
        async with asyncio.TaskGroup() as group:
            a = group.create_task(first)
            b = group.create_task(second)
    except BaseExceptionGroup as failed:
        raise failed.exceptions[0] from None
    return a.result(), b.result()
