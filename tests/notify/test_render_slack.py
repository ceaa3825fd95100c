"""Tests for services.notify.render.slack: mrkdwn layout and Slack escaping of hostile text."""

from __future__ import annotations

import pytest

from services.notify.render.slack import MAX_SECTION, escape_mrkdwn, render_slack
from services.notify.view import AlertView, SourceView

from .conftest import make_view


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a & b", "a &amp; b"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<!channel> <@U123>", "&lt;!channel&gt; &lt;@U123&gt;"),
        ("<https://evil.example|click>", "&lt;https://evil.example|click&gt;"),
        ("*bold* _it_ ~strike~ `code`", "＊bold＊ ＿it＿ ～strike～ ｀code｀"),
        ("F_16 snake_case 2*3", "F_16 snake_case 2*3"),
        ("&amp;", "&amp;amp;"),
    ],
)
def test_escape_mrkdwn(raw: str, escaped: str) -> None:
    """Control characters become entities; emphasis that could open a span is neutralised."""
    assert escape_mrkdwn(raw) == escaped


def test_slack_body_layout() -> None:
    """Facts in bold labels, sources as <url|outlet (lang)> links with escaped URLs."""
    rendered = render_slack(make_view())
    assert rendered.body_format == "mrkdwn"
    assert rendered.body.splitlines() == [
        "*buyer:* Kazakhstan (KZ)",
        "*seller:* Turkey (TR)",
        "*system:* Bayraktar TB2",
        "*category:* uav",
        "*quantity:* about 24",
        "*stage:* contract (was: negotiation)",
        "*evidence:* “Kazakhstan signed a contract for about 24 Bayraktar TB2 drones.”",
        "*sources (3):*",
        "• <https://reuters.example/kz-tb2?a=1&amp;b=2|Reuters (en)> — Kazakhstan buys TB2",
        "• <https://tass.example/123|ТАСС (ru)>",
        "• Anadolu (tr) — Kazakistan TB2 aldı",
        "_watchlist: Central Asia drones · deal: kz-tr-tb2 · alert: al-1 · first seen: 2025-03-01T10:00:00Z_",
    ]


def test_hostile_slack(hostile_view: AlertView) -> None:
    """Hostile evidence, link text, URL and watchlist name cannot inject links, mentions or emphasis."""
    body = render_slack(hostile_view).body
    assert (
        "*evidence:* “Deal done &lt;script&gt;alert(1)&lt;/script&gt; "
        "＊bold＊ ＿it＿ ～strike～ &amp; &lt;!channel&gt;”" in body
    )
    assert "• <https://evil.example/?q=%3Cx%3E&amp;r=1|Evil &amp; Co (en)> — &lt;script&gt;" in body
    assert "_watchlist: ops &lt;team&gt; &amp; ＊friends＊ · deal:" in body
    assert "<!channel>" not in body and "<script>" not in body


def test_long_alert_fits_a_section() -> None:
    """Many long sources are cut so the section stays within Block Kit's 3,000 characters."""
    sources = tuple(
        SourceView(f"Outlet {i}", "en", f"https://x.example/{'a' * 200}/{i}", "t" * 300) for i in range(40)
    )
    rendered = render_slack(make_view(sources=sources))
    assert len(rendered.body) <= MAX_SECTION
    assert "*sources (40):*" in rendered.body
    assert "more" in rendered.body.splitlines()[-2]
