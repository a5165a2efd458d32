"""Every dependency of every route is a coroutine: FastAPI runs a plain `def` dependency (or
endpoint) in a worker thread, a thread hop and two GIL hand-overs on each request that uses it."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from bff.main import ROUTERS


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def _is_coroutine(call: Any) -> bool:
    # A security scheme (APIKeyCookie) is an instance whose __call__ is the dependency.
    method = None if inspect.isfunction(call) else type(call).__call__
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(method)


def test_no_route_or_dependency_runs_in_a_worker_thread() -> None:
    routes = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]

    assert len(routes) > 20
    in_threads = {
        f"{route.path} {getattr(call, '__qualname__', call)}"
        for route in routes
        for call in (route.endpoint, *_calls(route.dependant))
        if not _is_coroutine(call)
    }
    assert in_threads == set()
