"""`make run` picks its Redis: REDIS_URL, else one answering on localhost:6379, else the BFF's
in-process store, with a clear warning."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher import __main__ as cli
from launcher.system import DEFAULT_PORTS, Layout
from tests.kit.log_capture import json_lines_on_stdout


@pytest.fixture(autouse=True)
def json_logs() -> Iterator[None]:
    with json_lines_on_stdout("launcher"):
        yield


def events(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


def answers(result: bool) -> object:
    def probe(host: str = "127.0.0.1", port: int = 6379) -> bool:
        assert (host, port) == ("127.0.0.1", 6379)
        return result

    return probe


def test_redis_url_wins_without_probing_localhost(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "redis://:hunter2@redis.internal:6380/2"
    monkeypatch.setenv("REDIS_URL", url)

    def no_probe() -> bool:
        raise AssertionError("localhost must not be probed when REDIS_URL is set")

    monkeypatch.setattr(cli, "redis_answers", no_probe)
    assert cli.choose_redis() == url
    out = capsys.readouterr().out
    assert "hunter2" not in out  # the URL may carry a password: never logged
    assert events(out)[-1]["source"] == "REDIS_URL"


def test_else_the_redis_answering_on_localhost(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr(cli, "redis_answers", answers(True))
    assert cli.choose_redis() == "redis://127.0.0.1:6379/0"
    assert events(capsys.readouterr().out)[-1]["source"] == "localhost:6379"


def test_else_the_in_process_store_with_a_clear_warning(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REDIS_URL", "")  # set but empty counts as unset
    monkeypatch.setattr(cli, "redis_answers", answers(False))
    assert cli.choose_redis() == ""
    warning = events(capsys.readouterr().out)[-1]
    assert warning["level"] == "warning"
    assert warning["store"] == "in-process"
    assert "no Redis at REDIS_URL or localhost:6379" in str(warning["event"])
    assert "one process" in str(warning["event"])


def test_the_probe_says_no_when_nothing_answers() -> None:
    # Port 1 on loopback: nothing listens there.
    assert not cli.redis_answers("127.0.0.1", 1)


def test_the_banner_repeats_the_warning_for_people_when_there_is_no_redis(tmp_path: Path) -> None:
    def layout(redis_url: str) -> Layout:
        return Layout(data_dir=tmp_path, ports=dict(DEFAULT_PORTS), redis_url=redis_url, identity_secret="x")

    assert "WARNING: no Redis at REDIS_URL or localhost:6379" in cli.banner(layout(""))
    assert "WARNING" not in cli.banner(layout("redis://127.0.0.1:6379/0"))
