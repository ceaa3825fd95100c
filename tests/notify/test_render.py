"""Tests for services.notify.render: dispatch by channel kind and the shared subject line."""

from __future__ import annotations

import pytest

from services.notify.render import KINDS, Rendered, render, subject
from services.notify.render._common import clean, safe_url

from .conftest import make_view


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "[armswatch] Kazakhstan ← Turkey: Bayraktar TB2 — negotiation → contract"),
        (
            {"previous_stage": None, "stage": "interest"},
            "[armswatch] Kazakhstan ← Turkey: Bayraktar TB2 — interest",
        ),
        ({"seller": None, "system": None}, "[armswatch] Kazakhstan: uav — negotiation → contract"),
        (
            {"buyer": "Kazakh\nstan\r\n", "stage": "letter_of_intent"},
            "[armswatch] Kazakh stan ← Turkey: Bayraktar TB2 — negotiation → letter of intent",
        ),
    ],
)
def test_subject(changes: dict[str, object], expected: str) -> None:
    """The subject names buyer ← seller, the system (or category) and previous → new stage on one line."""
    assert subject(make_view(**changes)) == expected


@pytest.mark.parametrize(
    ("kind", "body_format"),
    [("email", "html"), ("slack", "mrkdwn"), ("telegram", "html"), ("text", "text"), ("discord", "text")],
)
def test_render_dispatches_by_kind(kind: str, body_format: str) -> None:
    """Each kind gets its own format; unknown kinds fall back to plain text."""
    rendered = render(make_view(), kind)
    assert isinstance(rendered, Rendered)
    assert rendered.body_format == body_format
    assert rendered.title.startswith("[armswatch] Kazakhstan")
    assert set(KINDS) == {"email", "slack", "telegram", "text"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a?b=1", "https://example.com/a?b=1"),
        ("http://example.com", "http://example.com"),
        ("javascript:alert(1)", None),
        ("https://exa mple.com", None),
        ("ftp://example.com/x", None),
        ("/relative/path", None),
        (None, None),
    ],
)
def test_safe_url(url: str | None, expected: str | None) -> None:
    """Only absolute http(s) links without whitespace become links."""
    assert safe_url(url) == expected


def test_clean_collapses_and_cuts() -> None:
    """Untrusted text ends up on one line and within the limit."""
    assert clean("a\n\tb\x00c  d") == "a b c d"
    assert clean("abcdefghij", 5) == "abcd…"
