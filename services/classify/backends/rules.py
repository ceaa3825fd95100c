"""The built-in ``rules`` classifier backend: the multilingual rule-based extractor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from services.classify import CLASSIFIER_VERSION, classify_article

if TYPE_CHECKING:
    from services.config import Settings


class RulesClassifier:
    """Wraps ``classify_article``; its version is ``CLASSIFIER_VERSION``."""

    name = "rules"
    version = CLASSIFIER_VERSION

    def __init__(self, settings: Settings | None = None) -> None:
        """Take the settings for a uniform factory signature (the rules need none)."""

    def classify(self, article: Mapping[str, Any]) -> dict[str, Any]:
        """Classify one article with the rules."""
        return dict(classify_article(dict(article)))
