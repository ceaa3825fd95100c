"""Telegram rendering of an alert for the Bot API's HTML parse mode, every untrusted string escaped.

Telegram HTML (https://core.telegram.org/bots/api#html-style) accepts a few tags (``b``, ``i``,
``a``) and needs ``<``, ``>`` and ``&`` escaped in all text; newlines are literal. Apprise's
``tgram://`` has no title field, so the subject is the body's first, bold line and the deliverer
sends an empty title (keep ``services/notify/deliver.py`` in step).
"""

from __future__ import annotations

from html import escape

from ..view import AlertView, SourceView
from ._common import (
    MAX_EVIDENCE,
    MAX_TITLE,
    Rendered,
    clean,
    fitted,
    footer,
    rows,
    safe_url,
    source_label,
    sources_heading,
    subject,
)

__all__ = ["MAX_MESSAGE", "render_telegram"]

#: The Bot API rejects messages longer than 4,096 characters.
MAX_MESSAGE = 4096


def _h(text: str) -> str:
    return escape(text, quote=False)


def _source_line(source: SourceView) -> str:
    url = safe_url(source.url)
    label = _h(source_label(source))
    if url:
        label = f'<a href="{escape(url, quote=True)}">{label}</a>'
    if source.title:
        label += f" — {_h(clean(source.title, MAX_TITLE))}"
    return f"• {label}"


def _body(view: AlertView, shown: int) -> str:
    lines = [f"<b>{_h(subject(view))}</b>", ""]
    lines.extend(f"<b>{_h(row.label)}:</b> {_h(row.value)}" for row in rows(view))
    lines.append(f"<b>evidence:</b> <i>“{_h(clean(view.evidence, MAX_EVIDENCE))}”</i>")
    lines.append(f"<b>{_h(sources_heading(view))}:</b>")
    lines.extend(_source_line(source) for source in view.sources[:shown])
    if len(view.sources) > shown:
        lines.append(f"• …and {len(view.sources) - shown} more")
    lines.append(f"<i>{_h(footer(view))}</i>")
    return "\n".join(lines)


def render_telegram(view: AlertView) -> Rendered:
    """Render an alert as Telegram HTML whose first line is the bold subject."""
    return Rendered(title=subject(view), body=fitted(view, _body, MAX_MESSAGE), body_format="html")
