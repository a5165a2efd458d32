"""Ports for servers about to start: never one a client's outgoing connection could take first."""

import random
import socket

import pytest

from launcher import system
from launcher.system import free_port


def test_ports_come_from_below_the_kernels_range_for_outgoing_connections() -> None:
    first_outgoing, _ = system._outgoing_port_range()
    ports = [free_port() for _ in range(50)]
    assert all(1_024 <= port < first_outgoing for port in ports), ports
    assert len(set(ports)) == len(ports), "a port was handed out twice"


def test_a_port_where_something_listens_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", free_port()))
        listener.listen()
        taken = listener.getsockname()[1]
        system._ports_handed_out.discard(taken)  # as if another process had started it
        draws: list[int] = []
        real_randrange = random.randrange

        def draw(low: int, high: int) -> int:
            draws.append(taken if not draws else real_randrange(low, high))
            return draws[-1]

        monkeypatch.setattr(random, "randrange", draw)
        port = free_port()
        assert draws[0] == taken
        assert port != taken
