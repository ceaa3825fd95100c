"""Tests for services.notify.render.telegram: HTML parse mode with every text escaped."""

from __future__ import annotations

from services.notify.render.telegram import MAX_MESSAGE, render_telegram
from services.notify.view import AlertView, SourceView

from .conftest import make_view


def test_telegram_layout() -> None:
    """Bold subject first, then facts, evidence in italics and linked sources."""
    rendered = render_telegram(make_view())
    assert rendered.body_format == "html"
    assert rendered.body.splitlines() == [
        "<b>[armswatch] Kazakhstan ← Turkey: Bayraktar TB2 — negotiation → contract</b>",
        "",
        "<b>buyer:</b> Kazakhstan (KZ)",
        "<b>seller:</b> Turkey (TR)",
        "<b>system:</b> Bayraktar TB2",
        "<b>category:</b> uav",
        "<b>quantity:</b> about 24",
        "<b>stage:</b> contract (was: negotiation)",
        "<b>evidence:</b> <i>“Kazakhstan signed a contract for about 24 Bayraktar TB2 drones.”</i>",
        "<b>sources (3):</b>",
        '• <a href="https://reuters.example/kz-tb2?a=1&amp;b=2">Reuters (en)</a> — Kazakhstan buys TB2',
        '• <a href="https://tass.example/123">ТАСС (ru)</a>',
        "• Anadolu (tr) — Kazakistan TB2 aldı",
        "<i>watchlist: Central Asia drones · deal: kz-tr-tb2 · alert: al-1 · "
        "first seen: 2025-03-01T10:00:00Z</i>",
    ]


def test_hostile_telegram(hostile_view: AlertView) -> None:
    """<, > and & are escaped in evidence, titles, outlets, URLs and the watchlist name."""
    body = render_telegram(hostile_view).body
    assert "<script>" not in body
    assert (
        "Deal done &lt;script&gt;alert(1)&lt;/script&gt; *bold* _it_ ~strike~ &amp; &lt;!channel&gt;" in body
    )
    assert '<a href="https://evil.example/?q=&lt;x&gt;&amp;r=1">Evil &amp; Co (en)</a>' in body
    assert "watchlist: ops &lt;team&gt; &amp; *friends*" in body


def test_long_alert_fits_a_message() -> None:
    """Many sources are cut so the message stays within the Bot API's 4,096 characters."""
    sources = tuple(
        SourceView(f"Outlet {i}", "en", f"https://x.example/{'a' * 300}/{i}", "t" * 300) for i in range(40)
    )
    assert len(render_telegram(make_view(sources=sources)).body) <= MAX_MESSAGE
