"""kit.logs: structlog's events and the standard library's records come out as the same JSON lines."""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Iterator

import orjson
import pytest

from kit import logs
from kit.context import request_id_var
from tests.kit.log_capture import json_lines_on_stdout


@pytest.fixture
def configured() -> Iterator[None]:
    with json_lines_on_stdout("svc"):
        yield


def test_stdlib_and_structlog_lines_are_json_of_one_shape(
    configured: None, capsys: pytest.CaptureFixture[str]
) -> None:
    token = request_id_var.set("rid-9")
    try:
        logs.get_logger("kit.test").info("rpc", method="/x.Y/Z", status="OK", who="Zoë")
        logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
        logging.getLogger("asyncio").debug("below the level: not printed")
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn("careful", UserWarning, stacklevel=1)
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("grpc").exception("handler failed")
    finally:
        request_id_var.reset(token)

    lines = capsys.readouterr().out.splitlines()
    entries = [orjson.loads(line) for line in lines]
    assert len(entries) == 4, lines
    assert all(e["service"] == "svc" and e["request_id"] == "rid-9" and e["timestamp"] for e in entries)
    ours, uvicorn, warning, failure = entries
    assert (ours["event"], ours["level"], ours["who"]) == ("rpc", "info", "Zoë")
    assert (uvicorn["event"], uvicorn["level"], uvicorn["logger"]) == (
        "Started server process [42]",
        "info",
        "uvicorn.error",
    )
    assert (warning["level"], warning["logger"]) == ("warning", "py.warnings")
    assert failure["level"] == "error"
    assert "ValueError: boom" in failure["exception"]


def test_configuring_twice_keeps_one_handler_of_ours(
    configured: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.configure("svc", "INFO")
    logging.getLogger("x").warning("once")
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_an_unknown_level_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'LOUD'"):
        logs.configure("svc", "LOUD")


def test_batched_info_lines_wait_for_the_batch_and_a_warning_goes_out_at_once_after_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logs.configure("svc", "INFO", batched=True)
    try:
        log = logs.get_logger("kit.batched")
        log.info("rpc", n=1)
        log.info("rpc", n=2)
        assert capsys.readouterr().out == ""  # waiting: no write per line

        log.warning("slow", n=3)
        first = [orjson.loads(line)["n"] for line in capsys.readouterr().out.splitlines()]

        log.info("rpc", n=4)
        for _ in range(50):  # the batch is written within its interval (0.2 s) without any call
            time.sleep(0.02)
            later = capsys.readouterr().out
            if later:
                break
    finally:
        logs.configure("svc", "INFO")
    assert first == [1, 2, 3]  # in order, the warning after the lines that waited
    assert [orjson.loads(line)["n"] for line in later.splitlines()] == [4]


def test_batched_standard_library_lines_keep_their_place_among_structlogs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logs.configure("svc", "INFO", batched=True)
    try:
        logs.get_logger("kit.batched").info("request", n=1)
        logging.getLogger("uvicorn.error").info("Finished server process", extra={"n": 2})
        assert capsys.readouterr().out == ""  # info lines of both kinds wait
        logging.getLogger("uvicorn.error").warning("Shutting down abruptly")
        out = capsys.readouterr().out
    finally:
        logs.configure("svc", "INFO")
    assert [orjson.loads(line)["event"] for line in out.splitlines()] == [
        "request",
        "Finished server process",
        "Shutting down abruptly",
    ]


def test_what_waits_in_the_batch_is_written_on_flush(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("svc", "INFO", batched=True)
    try:
        logs.get_logger("kit.batched").info("rpc", n=1)
        logs.flush()
        out = capsys.readouterr().out
    finally:
        logs.configure("svc", "INFO")
    assert [orjson.loads(line)["n"] for line in out.splitlines()] == [1]
