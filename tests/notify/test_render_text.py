"""Tests for services.notify.render.text: the plain-text body every channel falls back to."""

from __future__ import annotations

import pytest

from services.notify.render.text import render_text

from .conftest import make_view


def test_text_body_layout() -> None:
    """The body lists each fact, the quoted evidence and every source with language and link."""
    rendered = render_text(make_view(value="US$ 1.2 bn"))
    assert rendered.body_format == "text"
    assert rendered.body == (
        "buyer: Kazakhstan (KZ)\n"
        "seller: Turkey (TR)\n"
        "system: Bayraktar TB2\n"
        "category: uav\n"
        "quantity: about 24\n"
        "value: US$ 1.2 bn\n"
        "stage: contract (was: negotiation)\n"
        'evidence: "Kazakhstan signed a contract for about 24 Bayraktar TB2 drones."\n'
        "sources (3):\n"
        "- Reuters (en): Kazakhstan buys TB2 <https://reuters.example/kz-tb2?a=1&b=2>\n"
        "- ТАСС (ru) <https://tass.example/123>\n"
        "- Anadolu (tr): Kazakistan TB2 aldı\n"
        "\n"
        "watchlist: Central Asia drones · deal: kz-tr-tb2 · alert: al-1 · first seen: 2025-03-01T10:00:00Z"
    )


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        ({"quantity": 24, "quantity_approx": False}, "quantity: 24"),
        ({"quantity": None}, "quantity: not reported"),
        ({"previous_stage": None, "stage": "interest"}, "stage: interest (first report)"),
        ({"seller": None, "seller_iso": None}, "seller: not reported"),
        ({"system": None}, "system: not named"),
        ({"buyer_iso": None}, "buyer: Kazakhstan"),
    ],
)
def test_text_wording(changes: dict[str, object], line: str) -> None:
    """Missing and approximate facts read as words, not blanks."""
    assert line in render_text(make_view(**changes)).body.splitlines()
