"""A classifier test double that answers from a function and records the articles it saw."""

from __future__ import annotations

from collections.abc import Callable

from services.classify.types import ArticleInput, ResultDict


class MockClassifier:
    """``MockClassifier(handler)``: ``classify`` returns ``handler(article)`` (default: no events)."""

    name = "mock"

    def __init__(
        self,
        handler: Callable[[ArticleInput], ResultDict] | None = None,
        *,
        version: str = "mock-1",
    ) -> None:
        """Answer with ``handler`` (or an empty result) under ``version``."""
        self.version = version
        self._handler = handler
        self.seen: list[ArticleInput] = []

    def classify(self, article: ArticleInput) -> ResultDict:
        """Record the article and return the handler's answer."""
        self.seen.append(article)
        if self._handler is not None:
            return self._handler(article)
        return {"id": article.get("id"), "is_procurement": False, "events": []}
