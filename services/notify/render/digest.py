"""Digest rendering: the alerts a watchlist collected over an hour or a day, as one message per channel.

Email and plain text carry every alert in full (as the single-alert renderers lay them out);
Slack and Telegram, whose messages are capped (3,000 and 4,096 characters), list one line per
alert (headline, evidence, first source) and end with "…and N more" when the cap is reached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from ..view import AlertView
from ._common import Rendered, clean, headline, safe_url, source_label
from .email import html_document, html_section
from .slack import MAX_HEADER, MAX_SECTION, escape_mrkdwn
from .telegram import MAX_MESSAGE
from .text import text_body

__all__ = ["DigestView", "render_digest"]

#: Evidence shown per alert in a chat digest line.
_LINE_EVIDENCE = 160
_RULE = "\n\n" + "—" * 24 + "\n\n"


@dataclass(frozen=True, slots=True)
class DigestView:
    """One digest: a watchlist's alerts of one period.

    Args:
        digest_id: The digest's id (ledger key of its sends).
        watchlist_name: The watchlist.
        period: "hourly" or "daily".
        until: ISO 8601 end of the period.
        alerts: The alerts, oldest first.
    """

    digest_id: str
    watchlist_name: str
    period: str
    until: str
    alerts: tuple[AlertView, ...]


def _title(digest: DigestView) -> str:
    count = len(digest.alerts)
    noun = "alert" if count == 1 else "alerts"
    return f"[armswatch] {clean(digest.watchlist_name)}: {count} {noun} ({digest.period} digest to {digest.until})"


def _text(digest: DigestView) -> str:
    """Every alert in full as plain text, separated by rules."""
    return _RULE.join(f"{view_headline(v)}\n{text_body(v)}" for v in digest.alerts)


def view_headline(view: AlertView) -> str:
    """The one-line headline of an alert inside a digest."""
    return clean(headline(view))


def _email(digest: DigestView) -> Rendered:
    inner = f"<p><b>{escape(_title(digest))}</b></p>" + "<hr>".join(html_section(v) for v in digest.alerts)
    return Rendered(title=_title(digest), body=html_document(inner), body_format="html", text=_text(digest))


def _fit(lines: list[str], head: str, limit: int, more: Callable[[int], str]) -> str:
    """Join `head` and as many lines as fit in `limit` characters, then "…and N more"."""
    for shown in range(len(lines), -1, -1):
        tail = [more(len(lines) - shown)] if shown < len(lines) else []
        body = "\n".join([head, *lines[:shown], *tail])
        if len(body) <= limit:
            return body
    return head[:limit]


def _slack_line(view: AlertView) -> str:
    line = (
        f"• *{escape_mrkdwn(view_headline(view))}* — “{escape_mrkdwn(clean(view.evidence, _LINE_EVIDENCE))}”"
    )
    first = view.sources[0] if view.sources else None
    if first is not None:
        url = safe_url(first.url)
        label = escape_mrkdwn(source_label(first)).replace("|", "¦")
        if url:
            target = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
            label = f"<{target}|{label}>"
        line += f" ({label}, {len(view.sources)} source{'s' if len(view.sources) != 1 else ''})"
    return line


def _telegram_line(view: AlertView) -> str:
    line = f"• <b>{escape(view_headline(view), quote=False)}</b> — “{escape(clean(view.evidence, _LINE_EVIDENCE), quote=False)}”"
    first = view.sources[0] if view.sources else None
    if first is not None:
        label = escape(source_label(first), quote=False)
        url = safe_url(first.url)
        if url:
            label = f'<a href="{escape(url, quote=True)}">{label}</a>'
        line += f" ({label}, {len(view.sources)} source{'s' if len(view.sources) != 1 else ''})"
    return line


def render_digest(digest: DigestView, kind: str) -> Rendered:
    """Render a digest for one kind of channel ("email", "slack", "telegram", anything else as text)."""
    if kind == "email":
        return _email(digest)
    if kind == "slack":
        lines = [_slack_line(v) for v in digest.alerts]
        body = _fit(lines, f"*{len(lines)} alerts*", MAX_SECTION, lambda n: f"• …and {n} more")
        return Rendered(title=clean(_title(digest), MAX_HEADER), body=body, body_format="mrkdwn")
    if kind == "telegram":
        lines = [_telegram_line(v) for v in digest.alerts]
        head = f"<b>{escape(_title(digest), quote=False)}</b>\n"
        body = _fit(lines, head, MAX_MESSAGE, lambda n: f"• …and {n} more")
        return Rendered(title=_title(digest), body=body, body_format="html")
    return Rendered(title=_title(digest), body=_text(digest), body_format="text")
