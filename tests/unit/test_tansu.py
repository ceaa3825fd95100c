"""The embedded broker launcher: loopback only, answers, stops without orphans."""

from __future__ import annotations

import socket
from pathlib import Path

from services.broker.tansu import start_tansu


def test_tansu_listens_on_loopback_only_and_stops():
    """The broker answers on 127.0.0.1 at its port and nowhere else; stop() ends the process."""
    broker = start_tansu()
    try:
        assert broker.bootstrap.startswith("127.0.0.1:")
        with socket.create_connection(("127.0.0.1", broker.port), timeout=1):
            pass
        listening = Path("/proc/net/tcp").read_text(encoding="ascii").splitlines()[1:]
        port_hex = f"{broker.port:04X}"
        local = [
            line.split()[1]
            for line in listening
            if line.split()[1].endswith(f":{port_hex}") and line.split()[3] == "0A"
        ]
        assert local == ["0100007F:" + port_hex], local
    finally:
        broker.stop()
    assert broker.process.poll() is not None
