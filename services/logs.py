"""Structured logging: one line per event, console-readable by default or JSON with --log-format json."""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import structlog

_NOISY = ("aiokafka", "faust", "mode", "kafka", "apprise", "httpx", "uvicorn.access", "alembic")


class _QuietLibraries(logging.Filter):
    """Drops the chatter of busy libraries below `threshold` at the handler.

    Their loggers' own levels are left alone: the notifier reads apprise's debug records for
    failure reasons (services/notify/deliver.py), which a logger level would suppress.
    """

    def __init__(self, threshold: int) -> None:
        super().__init__()
        self.threshold = threshold

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= self.threshold:
            return True
        return not record.name.startswith(_NOISY)


#: user:password@ in any URL of a log line ('https://user:pass@host/feed', 'json://u:p@host').
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s/@:]*:)[^\s/@]+@")


def redact_credentials(text: str) -> str:
    """Replace the password of every URL in `text` by *** (the user name stays)."""
    return _URL_CREDENTIALS.sub(r"\1***@", text)


def _redact_event(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    """A processor: no URL password reaches a log line, whichever field or message holds it."""
    for key, value in event.items():
        if isinstance(value, str) and "@" in value:
            event[key] = redact_credentials(value)
    return event


def configure_logging(level: str = "info", fmt: str = "console", stream: Any = None) -> None:
    """Route structlog and the stdlib loggers through one renderer, to stderr by default."""
    out = stream or sys.stderr
    numeric = getattr(logging, level.upper(), logging.INFO)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact_event,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    handler.addFilter(_QuietLibraries(max(numeric, logging.WARNING)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)


def get_logger(name: str) -> Any:
    """A structlog logger named after its component."""
    return structlog.get_logger(name)
