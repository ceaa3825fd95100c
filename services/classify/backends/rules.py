"""The built-in ``rules`` classifier backend: the multilingual rule-based extractor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.classify import CLASSIFIER_VERSION, classify_article
from services.classify.types import ArticleInput, ResultDict

if TYPE_CHECKING:
    from services.config import Settings


class RulesClassifier:
    """Wraps ``classify_article``; its version is ``CLASSIFIER_VERSION``."""

    name = "rules"
    version = CLASSIFIER_VERSION

    def __init__(self, settings: Settings | None = None) -> None:
        """Take the settings for a uniform factory signature (the rules need none)."""

    def classify(self, article: ArticleInput) -> ResultDict:
        """Classify one article with the rules."""
        return classify_article(article)
