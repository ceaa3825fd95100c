"""Identify an article's language among the 22 the classifier supports (py3langid, shipped model)."""

from __future__ import annotations

from functools import cache
from typing import Any

from services.classify.lexicon import LANGUAGES

_ALIASES = {"iw": "he", "in": "id", "zh-hant": "zh", "zh-hans": "zh", "zh-tw": "zh", "zh-cn": "zh"}


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE)
    ident.set_languages(list(LANGUAGES))
    return ident


def normalise_code(code: str | None) -> str | None:
    """Map a declared language tag ("de-AT", "zh-Hant", "iw") to one of the 22 codes, or None."""
    if not code:
        return None
    low = code.strip().lower().replace("_", "-")
    low = _ALIASES.get(low, low)
    base = _ALIASES.get(low.split("-")[0], low.split("-")[0])
    return base if base in LANGUAGES else None


def detect_language(text: str) -> str:
    """Return the most likely of the supported languages for text ("en" when text is empty)."""
    sample = text[:2000].strip()
    if not sample:
        return "en"
    lang, _score = _identifier().classify(sample)
    return str(lang)


_EN_HINTS = frozenset(
    ["the", "of", "and", "to", "is", "was", "has", "have", "with", "for", "that", "from", "by"]
)


def looks_english(sentence: str) -> bool:
    """Cheap check for an English sentence inside a non-English article (quoted wire copy)."""
    words = sentence.lower().split()
    if len(words) < 6:
        return False
    hits = sum(1 for w in words if w in _EN_HINTS)
    return hits >= max(2, len(words) // 8)
