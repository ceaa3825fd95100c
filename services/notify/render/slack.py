"""Slack rendering of an alert as Block Kit ``mrkdwn``, every untrusted string escaped per Slack's rules.

Slack rules (https://docs.slack.dev/messaging/formatting-message-text#escaping): ``&``, ``<`` and
``>`` become ``&amp;``, ``&lt;``, ``&gt;``; links are ``<url|text>``. Slack has no escape for the
emphasis characters, so in untrusted text a ``*``, ``_``, ``~`` or backtick that could open or
close a span (not between two letters or digits) becomes its full-width twin (``＊＿～｀``).
The deliverer sends this body verbatim in a Block Kit section, whose text is capped at 3,000
characters; keep ``MAX_SECTION`` and ``services/notify/deliver.py`` in step.
"""

from __future__ import annotations

import re

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

__all__ = ["MAX_HEADER", "MAX_SECTION", "escape_mrkdwn", "render_slack"]

#: Block Kit caps a section's text at 3,000 characters and a header's at 150.
MAX_SECTION = 3000
MAX_HEADER = 150

_FULLWIDTH = {"*": "＊", "_": "＿", "~": "～", "`": "｀"}
# An emphasis character not sitting between two word characters can delimit a span.
_EMPHASIS = re.compile(r"(?<![^\W_])[*_~`]|[*_~`](?![^\W_])")


def escape_mrkdwn(text: str) -> str:
    """Return untrusted text safe inside Slack mrkdwn: entities escaped, emphasis neutralised.

    Args:
        text: Plain text (already on one line).

    Returns:
        The text with ``&<>`` escaped and span-opening ``*_~``` `` ` `` replaced by full-width twins.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _EMPHASIS.sub(lambda m: _FULLWIDTH[m.group()], text)


def _link(url: str, text: str) -> str:
    target = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{target}|{escape_mrkdwn(text).replace('|', '¦')}>"


def _source_line(source: SourceView) -> str:
    url = safe_url(source.url)
    label = _link(url, source_label(source)) if url else escape_mrkdwn(source_label(source))
    if source.title:
        label += f" — {escape_mrkdwn(clean(source.title, MAX_TITLE))}"
    return f"• {label}"


def _body(view: AlertView, shown: int) -> str:
    lines = [f"*{row.label}:* {escape_mrkdwn(row.value)}" for row in rows(view)]
    lines.append(f"*evidence:* “{escape_mrkdwn(clean(view.evidence, MAX_EVIDENCE))}”")
    lines.append(f"*{sources_heading(view)}:*")
    lines.extend(_source_line(source) for source in view.sources[:shown])
    if len(view.sources) > shown:
        lines.append(f"• …and {len(view.sources) - shown} more")
    lines.append(f"_{escape_mrkdwn(footer(view))}_")
    return "\n".join(lines)


def render_slack(view: AlertView) -> Rendered:
    """Render an alert as Slack mrkdwn under a plain-text header of at most 150 characters."""
    body = fitted(view, _body, MAX_SECTION)
    return Rendered(title=clean(subject(view), MAX_HEADER), body=body, body_format="mrkdwn")
