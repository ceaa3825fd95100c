"""Tests for services.notify.render.email: the HTML body and the text part apprise derives from it."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import pytest
from apprise import NotifyFormat
from apprise.conversion import convert_between

from services.notify.render.email import render_email
from services.notify.view import AlertView

from .conftest import make_view

FACTS = [
    "buyer: Kazakhstan (KZ)",
    "seller: Turkey (TR)",
    "system: Bayraktar TB2",
    "category: uav",
    "quantity: about 24",
    "stage: contract (was: negotiation)",
    "Kazakhstan signed a contract for about 24 Bayraktar TB2 drones.",
    "sources (3):",
    "Reuters (en): Kazakhstan buys TB2 <https://reuters.example/kz-tb2?a=1&b=2>",
    "ТАСС (ru) <https://tass.example/123>",
    "Anadolu (tr): Kazakistan TB2 aldı",
]


def _apprise_text(html: str) -> str:
    """The text/plain part apprise's mailto plugin builds from an HTML body."""
    convert = cast(Callable[[NotifyFormat, NotifyFormat, str], str], convert_between)
    return convert(NotifyFormat.HTML, NotifyFormat.TEXT, html)


@pytest.mark.parametrize("fact", FACTS)
def test_every_fact_survives_in_both_parts(fact: str) -> None:
    """Apprise's derived text part and our own text alternative both carry each fact and link."""
    rendered = render_email(make_view())
    assert rendered.text is not None
    assert fact in _apprise_text(rendered.body)
    assert fact in rendered.text


def test_html_links_and_subject() -> None:
    """Sources are real links in the HTML; the title is the plain subject line."""
    rendered = render_email(make_view())
    assert rendered.body_format == "html"
    assert rendered.title == "[armswatch] Kazakhstan ← Turkey: Bayraktar TB2 — negotiation → contract"
    assert '<a href="https://reuters.example/kz-tb2?a=1&amp;b=2">Kazakhstan buys TB2</a>' in rendered.body
    assert "<div><b>stage:</b> contract (was: negotiation)</div>" in rendered.body


def test_hostile_text_is_escaped(hostile_view: AlertView) -> None:
    """Markup in evidence, titles, outlet and watchlist names is shown, never interpreted."""
    rendered = render_email(hostile_view)
    assert "<script>" not in rendered.body
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; *bold* _it_ ~strike~ &amp; &lt;!channel&gt;" in rendered.body
    )
    assert "ops &lt;team&gt; &amp; *friends*" in rendered.body
    assert "Evil &amp; Co (en):" in rendered.body
    assert 'href="https://evil.example/?q=&lt;x&gt;&amp;r=1"' in rendered.body
    # The derived text part shows the text as written.
    assert "<script>alert(1)</script> *bold* _it_ ~strike~ & <!channel>" in _apprise_text(rendered.body)
