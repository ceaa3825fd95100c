"""Apprise channel URLs: their kind (email, Slack, Telegram, text), redaction, validation and ``print://``.

Apprise URLs hold secrets (bot tokens, webhook tokens, SMTP passwords). They are stored as
given and shown only through :func:`redact`, which is apprise's privacy mode plus masking of
custom-header values (``json://host/?+Authorization=...``) that apprise prints as they are.

Importing this module registers the ``print://`` channel, which writes each alert to stdout
(``armswatch demo`` uses it); registering again (re-import, reload) is a no-op.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import apprise
from apprise.decorators import notify
from apprise.manager_plugins import NotificationManager
from apprise.plugins.email import NotifyEmail
from apprise.plugins.slack import NotifySlack
from apprise.plugins.telegram import NotifyTelegram

from services.netguard import AddressPolicy

__all__ = [
    "INVALID",
    "PRINT_SCHEMA",
    "channel_kind",
    "instantiate",
    "redact",
    "scrub",
    "validate_url",
]

#: What :func:`redact` shows for a URL apprise cannot parse.
INVALID = "<invalid apprise url>"
#: The scheme of the stdout channel registered on import.
PRINT_SCHEMA = "print"

_SCHEME_KINDS = {"mailto": "email", "mailtos": "email", "slack": "slack", "tgram": "telegram"}
_MASK = "****"
# Pieces of a URL that may be secrets: runs of token characters between delimiters.
_PIECES = re.compile(r"[^/:@?&=#;,\s]+")
_MIN_SECRET = 4


def instantiate(url: str, asset: apprise.AppriseAsset | None = None) -> apprise.NotifyBase | None:
    """Return apprise's plugin object for a URL, or None when apprise cannot parse it (apprise kept quiet)."""
    apprise_log = logging.getLogger("apprise")
    previous = apprise_log.disabled
    apprise_log.disabled = True
    try:
        plugin = apprise.Apprise.instantiate(url, asset=asset)
    except Exception:
        return None
    finally:
        apprise_log.disabled = previous
    return plugin if isinstance(plugin, apprise.NotifyBase) else None


def channel_kind(url: str) -> str:
    """Return the rendering kind of a channel URL.

    Args:
        url: An apprise URL.

    Returns:
        "email" for ``mailto://``/``mailtos://``, "slack" for ``slack://`` and
        ``https://hooks.slack.com/...``, "telegram" for ``tgram://``, else "text".
    """
    scheme = urlsplit(url.strip()).scheme.lower() if "://" in url else ""
    if scheme in _SCHEME_KINDS:
        return _SCHEME_KINDS[scheme]
    if scheme in ("http", "https"):
        plugin = instantiate(url)
        if isinstance(plugin, NotifySlack):
            return "slack"
        if isinstance(plugin, NotifyTelegram):
            return "telegram"
        if isinstance(plugin, NotifyEmail):
            return "email"
    return "text"


def _mask_headers(url: str) -> str:
    """Mask the values of ``+header`` query arguments, which apprise's privacy mode keeps."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [
        (key, _MASK if key.startswith("+") else value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="@*:/")))


def redact(url: str) -> str:
    """Return a URL safe to log and show: apprise's privacy form, or ``<invalid apprise url>``.

    Args:
        url: An apprise URL, possibly holding tokens and passwords.

    Returns:
        The URL as ``url(privacy=True)`` renders it (tokens shortened to ``a...z``, passwords
        ``****``) with custom-header values masked; never the secrets themselves.
    """
    plugin = instantiate(url)
    if plugin is None:
        return INVALID
    try:
        shown = cast(Callable[..., object], plugin.url)(privacy=True)
    except Exception:
        return INVALID
    return _mask_headers(shown) if isinstance(shown, str) else INVALID


def scrub(text: str, url: str) -> str:
    """Remove from text every piece of ``url`` that its redacted form hides (tokens, passwords).

    Apprise's failure messages may quote request URLs (``https://api.telegram.org/bot<token>/...``);
    this keeps them safe to record next to the redacted channel.

    Args:
        text: A message that may quote parts of the URL.
        url: The channel URL as given.

    Returns:
        The text with each hidden piece replaced by ``****``.
    """
    shown = redact(url)
    visible = set(_PIECES.findall(unquote(shown))) if shown != INVALID else set()
    pieces = set(_PIECES.findall(url)) | set(_PIECES.findall(unquote(url)))
    for piece in sorted(pieces, key=len, reverse=True):
        if len(piece) >= _MIN_SECRET and piece not in visible:
            text = text.replace(piece, _MASK)
    return text


def validate_url(url: str, policy: AddressPolicy | None = None) -> None:
    """Raise ValueError naming the redacted URL when apprise cannot use it, or `policy` refuses its host.

    Only a host written as an address (or ``localhost``) is judged here, without a lookup; names are
    judged when the channel connects (services/netguard.py).

    Raises:
        ValueError: "notify: not a valid apprise URL: <redacted>", or the guard's refusal.
    """
    plugin = instantiate(url)
    if plugin is None:
        raise ValueError(f"notify: not a valid apprise URL: {redact(url)}")
    host = getattr(plugin, "smtp_host", None) or getattr(plugin, "host", None)
    if policy is not None and isinstance(host, str) and host:
        port = getattr(plugin, "port", None)
        policy.check_literal(host, port if isinstance(port, int) else None, redact(url))


def _print_alert(body: str, title: str, *args: Any, **kwargs: Any) -> bool:
    """Write one rendered alert to stdout: the title, the body, a blank line."""
    out = f"{title}\n{body}\n\n" if title else f"{body}\n\n"
    sys.stdout.write(out)
    sys.stdout.flush()
    return True


def _register_print() -> None:
    """Register ``print://`` with apprise once per process."""
    manager = cast(Callable[[], Any], NotificationManager)()
    if PRINT_SCHEMA not in manager:
        decorator = cast(Callable[..., Callable[[Callable[..., bool]], object]], notify)
        decorator(on=PRINT_SCHEMA, name="armswatch stdout")(_print_alert)


_register_print()
