"""Plain-text rendering of an alert, for apprise services without markup and for ``print://``."""

from __future__ import annotations

from ..view import AlertView, SourceView
from ._common import (
    MAX_EVIDENCE,
    MAX_TITLE,
    Rendered,
    clean,
    footer,
    rows,
    safe_url,
    source_label,
    sources_heading,
    subject,
)

__all__ = ["render_text", "text_body"]


def _source_line(source: SourceView) -> str:
    line = f"- {source_label(source)}"
    if source.title:
        line += f": {clean(source.title, MAX_TITLE)}"
    url = safe_url(source.url)
    if url:
        line += f" <{url}>"
    return line


def text_body(view: AlertView) -> str:
    """Return the alert as plain text lines (no subject), the text part of every channel.

    Args:
        view: The alert.

    Returns:
        "buyer: …", "stage: contract (was: negotiation)", the quoted evidence, then one line
        per source with its language and link, then the watchlist/deal/alert footer.
    """
    lines = [f"{row.label}: {row.value}" for row in rows(view)]
    lines.append(f'evidence: "{clean(view.evidence, MAX_EVIDENCE)}"')
    lines.append(f"{sources_heading(view)}:")
    lines.extend(_source_line(source) for source in view.sources)
    lines.append("")
    lines.append(footer(view))
    return "\n".join(lines)


def render_text(view: AlertView) -> Rendered:
    """Render an alert as plain text with the subject line as title."""
    return Rendered(title=subject(view), body=text_body(view), body_format="text")
