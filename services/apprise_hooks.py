"""What apprise saw during one send, and its SMTP contexts made lazy: the fixes apprise needs, installed once.

Apprise's plugins keep the response of a failed request to themselves, and log the reason of an
SMTP failure ("Socket Exception: (451, ...)") at DEBUG on the shared "apprise" logger. Two
pass-through hooks, installed once per process by :func:`install`, feed an :class:`Observation`
that :func:`observe` scopes to one send (apprise copies the context into its worker threads):

- a wrapper of ``requests.Session.send`` records each response's status and Retry-After;
- a filter on the "apprise" logger records every message, and lets through to handlers only what
  the logger's level let through before (INFO at least), so DEBUG lines (which quote request URLs
  holding bot tokens) never reach the application's log handlers.

A third fix gives apprise's SMTP controller lazy SSL contexts (:class:`LazySSLContext`).
"""

from __future__ import annotations

import contextvars
import logging
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from apprise.logger import LOGGER_NAME as APPRISE_LOGGER
from apprise.plugins.email import smtp as apprise_smtp

__all__ = ["LazySSLContext", "Observation", "install", "observe", "retry_after"]


@dataclass(slots=True)
class Observation:
    """HTTP (status, Retry-After) pairs and (level, message) log lines seen during one send."""

    http: list[tuple[int, float | None]] = field(default_factory=list)
    logs: list[tuple[int, str]] = field(default_factory=list)


_current: contextvars.ContextVar[Observation | None] = contextvars.ContextVar(
    "armswatch_apprise_observation", default=None
)
_installed = False


@contextmanager
def observe() -> Iterator[Observation]:
    """Collect what apprise does inside the block (in this context and the threads it copies it to)."""
    observation = Observation()
    token = _current.set(observation)
    try:
        yield observation
    finally:
        _current.reset(token)


class _ApprisePeek(logging.Filter):
    """Copies apprise log messages into the current observation; keeps the old level for handlers."""

    def __init__(self, threshold: int) -> None:
        super().__init__()
        self.threshold = threshold

    def filter(self, record: logging.LogRecord) -> bool:
        observation = _current.get()
        if observation is not None:
            observation.logs.append((record.levelno, record.getMessage()))
        return record.levelno >= self.threshold


def retry_after(response: requests.Response) -> float | None:
    """Return the response's wait in seconds: Retry-After (seconds or HTTP date) or Telegram's JSON."""
    header = response.headers.get("Retry-After")
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(header).timestamp() - time.time())
            except (TypeError, ValueError):
                pass
    if response.status_code == 429:
        try:
            value = response.json().get("parameters", {}).get("retry_after")
        except (ValueError, AttributeError):
            return None
        if isinstance(value, int | float):
            return max(0.0, float(value))
    return None


class LazySSLContext:
    """An SSL context built only when a connection is secured (STARTTLS, SMTPS), not on every send.

    Apprise's SMTP controller calls ``ssl.create_default_context()`` for every message, plain SMTP
    included; loading the CA store costs ~45 ms, most of a local send. Settings made before use
    (``check_hostname``, ``verify_mode``) are replayed on the real context.
    """

    def __init__(self) -> None:
        object.__setattr__(self, "_settings", {})
        object.__setattr__(self, "_context", None)

    def _real(self) -> ssl.SSLContext:
        context: ssl.SSLContext | None = object.__getattribute__(self, "_context")
        if context is None:
            context = ssl.create_default_context()
            for name, value in object.__getattribute__(self, "_settings").items():
                setattr(context, name, value)
            object.__setattr__(self, "_context", context)
        return context

    def __setattr__(self, name: str, value: Any) -> None:
        if object.__getattribute__(self, "_context") is None:
            object.__getattribute__(self, "_settings")[name] = value
        else:
            setattr(self._real(), name, value)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)


class _LazySSL:
    """Stands for the ``ssl`` module inside apprise's SMTP controller: contexts are lazy."""

    def create_default_context(self, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return ssl.create_default_context(*args, **kwargs)
        return LazySSLContext()

    def __getattr__(self, name: str) -> Any:
        return getattr(ssl, name)


def install() -> None:
    """Install the response wrapper, the log filter and lazy SMTP SSL contexts, once per process."""
    global _installed
    if _installed:
        return
    if getattr(apprise_smtp, "ssl", None) is ssl:
        setattr(apprise_smtp, "ssl", _LazySSL())  # noqa: B010 - a module attribute
    original = requests.Session.send

    def send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        response = original(self, request, **kwargs)
        observation = _current.get()
        if observation is not None:
            observation.http.append((response.status_code, retry_after(response)))
        return response

    setattr(requests.Session, "send", send)  # noqa: B010 - mypy forbids assigning to a method
    apprise_log = logging.getLogger(APPRISE_LOGGER)
    apprise_log.addFilter(_ApprisePeek(max(apprise_log.getEffectiveLevel(), logging.INFO)))
    apprise_log.setLevel(logging.DEBUG)
    _installed = True
