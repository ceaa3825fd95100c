"""Multilingual rule-based extraction of arms-procurement events from news articles.

Public API::

    classify_article(article) -> {"id", "is_procurement", "events": [...]}
    deal_key(event) -> "KZ:bayraktartb2:TR"
    CLASSIFIER_VERSION -> "rules-<12 hex>"
"""

from __future__ import annotations

from services.classify._version import CLASSIFIER_VERSION
from services.classify.deal import deal_key
from services.classify.pipeline import classify_article

__all__ = ["CLASSIFIER_VERSION", "classify_article", "deal_key"]
