"""kit.logs' JSON lines on stdout, for tests that read them with capsys."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import structlog

from kit import logs


@contextlib.contextmanager
def json_lines_on_stdout(service: str) -> Iterator[None]:
    """Logging configured as a process of `service` configures it, with loggers not cached (so that
    nothing keeps writing into one test's captured stdout later); everything put back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    before = structlog.get_config()
    logs.configure(service, "INFO")
    structlog.configure(cache_logger_on_first_use=False)
    try:
        yield
    finally:
        structlog.configure(**before)
        structlog.contextvars.clear_contextvars()
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.captureWarnings(False)
