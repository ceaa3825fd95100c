"""Email rendering of an alert: an HTML body whose derived text part is as complete as the HTML.

Apprise's ``mailto://`` plugin sends an HTML body as ``multipart/alternative`` and builds the
``text/plain`` part itself from the HTML (``convert_between(HTML, TEXT, body)`` in
``apprise/plugins/email/base.py``), dropping tags and ``href`` attributes. So every fact is a
block of its own (one line of text each) and every link is also printed as visible text; change
this layout together with ``tests/notify/test_render_email.py``, which checks both parts.
"""

from __future__ import annotations

from html import escape

from ..view import AlertView, SourceView
from ._common import (
    MAX_EVIDENCE,
    MAX_TITLE,
    Rendered,
    clean,
    footer,
    headline,
    rows,
    safe_url,
    source_label,
    sources_heading,
    subject,
)
from .text import text_body

__all__ = ["html_body", "html_document", "html_section", "render_email"]

_STYLE = "font-family:sans-serif;font-size:14px;line-height:1.4"


def _h(text: str) -> str:
    return escape(text, quote=True)


def _source_item(source: SourceView) -> str:
    label = f"{_h(source_label(source))}:" if source.title else _h(source_label(source))
    url = safe_url(source.url)
    title = _h(clean(source.title, MAX_TITLE)) if source.title else ""
    if url and title:
        return f'<li>{label} <a href="{_h(url)}">{title}</a> &lt;{_h(url)}&gt;</li>'
    if url:
        return f'<li>{label} &lt;<a href="{_h(url)}">{_h(url)}</a>&gt;</li>'
    return f"<li>{label} {title}</li>".replace(" </li>", "</li>")


def html_section(view: AlertView) -> str:
    """Return the alert as an HTML fragment (headline, facts, evidence, sources, footer), all escaped."""
    facts = "".join(f"<div><b>{_h(row.label)}:</b> {_h(row.value)}</div>" for row in rows(view))
    sources = "".join(_source_item(source) for source in view.sources)
    evidence = _h(clean(view.evidence, MAX_EVIDENCE))
    return (
        f"<h2>{_h(headline(view))}</h2>"
        f"{facts}"
        f"<div><b>evidence:</b> <i>&ldquo;{evidence}&rdquo;</i></div>"
        f"<div><b>{_h(sources_heading(view))}:</b></div>"
        f"<ul>{sources}</ul>"
        f'<p style="color:#666;font-size:12px">{_h(footer(view))}</p>'
    )


def html_document(inner: str) -> str:
    """Wrap HTML fragments in the small document every armswatch email uses."""
    return f'<html><head><meta charset="utf-8"></head><body><div style="{_STYLE}">{inner}</div></body></html>'


def html_body(view: AlertView) -> str:
    """Return the alert as a small HTML document with every untrusted string escaped."""
    return html_document(html_section(view))


def render_email(view: AlertView) -> Rendered:
    """Render an alert for email: subject, HTML body and our own plain-text alternative."""
    return Rendered(title=subject(view), body=html_body(view), body_format="html", text=text_body(view))
