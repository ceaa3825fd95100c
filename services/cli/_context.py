"""What every command shares: the settings, the store, and a publisher for one-shot commands."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from services.broker.admin import ensure_topics
from services.bus import KafkaBus, OutboxBus, Publisher
from services.config import Settings, load_settings
from services.errors import ArmswatchError, UsageError
from services.store.db import Database

T = TypeVar("T")


_WHEN = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$"
)


def check_when(command: str, option: str, value: str | None) -> str | None:
    """`value` when it is a date (YYYY-MM-DD) or an RFC 3339 time, else a UsageError naming the option."""
    if value is not None and not _WHEN.match(value):
        raise UsageError(f"{command}: {option} {value!r} is not a date (YYYY-MM-DD) or an RFC 3339 time")
    return value


def emit(rows: Sequence[T], as_json: bool, empty: str, line: Callable[[T], str]) -> None:
    """Print each row as a JSON line or as `line` formats it; with no rows, `empty` and exit code 3."""
    if not rows and not as_json:
        click.echo(empty)
        raise SystemExit(3)
    for row in rows:
        click.echo(json.dumps(row, ensure_ascii=False) if as_json else line(row))


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a one-line error and exit with `code`."""
    click.echo(f"Error: {message.splitlines()[0] if message else 'failed'}", err=True)
    sys.exit(code)


@dataclass
class Context:
    """Built once per command from the global options."""

    config_file: Path | None = None
    log_format: str | None = None
    log_level: str | None = None
    _db: Database | None = field(default=None, repr=False)

    @cached_property
    def settings(self) -> Settings:
        """The effective settings; a bad one is a one-line error."""
        try:
            return load_settings(self.config_file, log_format=self.log_format, log_level=self.log_level)
        except ArmswatchError as exc:
            fail(str(exc), 2)

    def db(self) -> Database:
        """The store, migrated."""
        if self._db is None:
            self._db = Database(self.settings.effective_database_url)
        return self._db

    def close(self) -> None:
        """Close the store's connections (at the end of the command)."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def with_publisher(self, work: Callable[[Publisher], Awaitable[T]]) -> T:
        """Run `work` with a publisher: straight to the named cluster, or to the archive (outbox) when embedded.

        In embedded mode a running `armswatch up` relays outbox records within seconds; otherwise the next
        start publishes them.
        """

        async def run() -> T:
            settings = self.settings
            if settings.embedded:
                return await work(Publisher(settings, self.db(), OutboxBus()))
            bootstrap = str(settings.kafka_bootstrap)
            await ensure_topics(settings, bootstrap)
            bus = KafkaBus(bootstrap, max_record_bytes=settings.record_max_bytes)
            await bus.start()
            try:
                return await work(Publisher(settings, self.db(), bus))
            finally:
                await bus.stop()

        return asyncio.run(run())


pass_context = click.make_pass_decorator(Context, ensure=True)
