"""Running `armswatch` as a real child process in tests, reading its JSON log lines."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from services.store.db import Database


def armswatch_env(**settings: str | None) -> dict[str, str]:
    """The environment for a child armswatch: this one without ARMSWATCH_*, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARMSWATCH_")}
    for name, value in settings.items():
        if value is not None:
            env[f"ARMSWATCH_{name.upper()}"] = value
    return env


def run_cli(env: dict[str, str], *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """Run one armswatch command to completion."""
    return subprocess.run(
        [sys.executable, "-m", "services", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


class ArmswatchProcess:
    """`armswatch up` (or any long-running command) in a child process, with its log lines collected."""

    def __init__(self, env: dict[str, str], *args: str, log_file: Path | None = None) -> None:
        self.env = env
        self.args = args or ("up",)
        self.lines: list[dict[str, Any]] = []
        self.raw: list[str] = []
        self.log_file = log_file
        self.process: subprocess.Popen[str] | None = None

    def start(self, ready_timeout: float = 60.0) -> ArmswatchProcess:
        """Start and wait for the 'armswatch running' log line."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "services", "--log-format", "json", *self.args],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.wait_for_log("armswatch running", timeout=ready_timeout)
        return self

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        with contextlib.ExitStack() as stack:
            sink = stack.enter_context(self.log_file.open("a", encoding="utf-8")) if self.log_file else None
            for line in self.process.stdout:
                self.raw.append(line)
                if sink:
                    sink.write(line)
                    sink.flush()
                try:
                    self.lines.append(json.loads(line))
                except json.JSONDecodeError:
                    continue

    def find(self, event: str) -> list[dict[str, Any]]:
        """Log records whose event is `event`."""
        return [line for line in list(self.lines) if line.get("event") == event]

    def wait_for_log(self, event: str, timeout: float = 30.0) -> dict[str, Any]:
        """The first log record with this event; AssertionError with the log tail after `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.find(event)
            if found:
                return found[0]
            if self.process is not None and self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"no {event!r} log line; last output:\n{''.join(self.raw[-40:])}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Send `sig` and wait for the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
            raise AssertionError(
                f"armswatch did not stop on signal {sig}:\n{''.join(self.raw[-40:])}"
            ) from None
        finally:
            self.reader.join(5)
            if self.process.stdout is not None:
                self.process.stdout.close()


async def topic_values(bootstrap: str, topic: str, idle_ms: int = 2000) -> list[bytes]:
    """Every non-null value on a topic, read from the beginning until `idle_ms` pass without a record."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        out: list[bytes] = []
        while batch := await consumer.getmany(timeout_ms=idle_ms, max_records=5000):
            out += [m.value for msgs in batch.values() for m in msgs if m.value is not None]
        return out
    finally:
        await consumer.stop()


def pid_alive(pid: int) -> bool:
    """True while a process with this pid exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def count_rows(url: str, model: type) -> int:
    """Rows of one table of the store at `url`."""
    db = Database(url, migrate_schema=False)
    try:
        with db.session() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        db.close()


def wait_until(check: Callable[[], bool], timeout: float = 60.0, what: str = "condition") -> None:
    """Poll `check` until it is true; AssertionError naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def settled_counts(
    url: str, models: tuple[type, ...], quiet: float = 2.0, timeout: float = 60.0
) -> dict[str, int]:
    """Row counts of `models` once they stop changing for `quiet` seconds."""

    def counts() -> dict[str, int]:
        return {str(getattr(m, "__tablename__", m.__name__)): count_rows(url, m) for m in models}

    deadline = time.monotonic() + timeout
    last = counts()
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = counts()
        if now == last:
            return now
        last = now
    raise AssertionError(f"the store kept changing: {last}")
