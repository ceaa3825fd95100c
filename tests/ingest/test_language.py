"""Tests for services.ingest.language."""

from __future__ import annotations

import pytest

from services.ingest.language import detect_language, primary_subtag


@pytest.mark.parametrize(
    ("hint", "expected"),
    [("en-US", "en"), ("de", "de"), ("pt_BR", "pt"), ("RU-ru", "ru"), ("fil", "fil")],
)
def test_hint_primary_subtag_wins(hint: str, expected: str) -> None:
    """A well-formed language tag from the feed decides, even over the text."""
    assert detect_language("Ceci est manifestement un texte écrit en français.", hint=hint) == expected


@pytest.mark.parametrize("hint", [None, "", "x-default", "123", "*"])
def test_unusable_hint_falls_back_to_detection(hint: str | None) -> None:
    """A missing or malformed hint is ignored and the text decides."""
    text = "Die Bundeswehr erhält in diesem Jahr weitere Schützenpanzer und neue Hubschrauber."
    assert detect_language(text, hint=hint) == "de"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kazakhstan is keen to buy dozens of armed drones from Turkey, officials said on Tuesday.", "en"),
        ("Kasachstan möchte Dutzende Kampfdrohnen aus der Türkei kaufen, hieß es am Dienstag.", "de"),
        ("Объединённая авиастроительная корпорация передала войскам новую партию самолётов.", "ru"),
        ("Endonezya, Türkiye'den on iki insansız hava aracı satın almak için sözleşme imzaladı.", "tr"),
        ("L'Égypte a commandé trente avions de combat supplémentaires à la France.", "fr"),
    ],
)
def test_detects_from_text(text: str, expected: str) -> None:
    """Without a hint, py3langid's bundled model names the language."""
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "OK", "F-35A 36", "12345 67890 !!!"])
def test_too_short_to_tell(text: str) -> None:
    """Texts with too few letters give None."""
    assert detect_language(text) is None


def test_primary_subtag() -> None:
    """Primary subtags are lower-cased; junk gives None."""
    assert primary_subtag("EN-gb") == "en"
    assert primary_subtag(None) is None
    assert primary_subtag("english") is None
