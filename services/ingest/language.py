"""Guess an article's language: the feed's own tag when it has one, else py3langid's bundled model."""

from __future__ import annotations

import functools
import re

from py3langid.langid import MODEL_FILE, LanguageIdentifier

__all__ = ["MIN_LETTERS", "MIN_PROBABILITY", "detect_language", "primary_subtag"]

#: Texts with fewer letters than this are too short to tell.
MIN_LETTERS = 20
#: Below this normalised probability the detector's answer is not trusted.
MIN_PROBABILITY = 0.5
_SUBTAG = re.compile(r"[a-z]{2,3}")


@functools.cache
def _identifier() -> LanguageIdentifier:
    # py3langid >= 0.4 loads its bundled model with from_model_file; older releases with from_pickled_model.
    load = getattr(LanguageIdentifier, "from_model_file", None) or LanguageIdentifier.from_pickled_model
    identifier: LanguageIdentifier = load(MODEL_FILE, norm_probs=True)
    return identifier


def primary_subtag(tag: str | None) -> str | None:
    """Return the lower-case primary subtag of a language tag ("en-US" → "en"), or None if there is none."""
    if not tag:
        return None
    primary = re.split(r"[-_\s]", tag.strip().lower(), maxsplit=1)[0]
    return primary if _SUBTAG.fullmatch(primary) else None


def detect_language(text: str, hint: str | None = None) -> str | None:
    """Return an ISO 639-1 code for ``text``.

    Args:
        text: the title and body of an article.
        hint: the language the feed or entry declares ("en-US", "de"); its primary
            subtag wins when it is well formed.

    Returns:
        The code, or None when there is no usable hint and the text is too short
        (or too ambiguous) to tell.
    """
    declared = primary_subtag(hint)
    if declared is not None:
        return declared
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return None
    code, probability = _identifier().classify(text)
    return str(code) if float(probability) >= MIN_PROBABILITY else None
