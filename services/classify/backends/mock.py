"""A classifier test double that answers from a function and records the articles it saw."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class MockClassifier:
    """``MockClassifier(handler)``: ``classify`` returns ``handler(article)`` (default: no events)."""

    name = "mock"

    def __init__(
        self,
        handler: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None,
        *,
        version: str = "mock-1",
    ) -> None:
        """Answer with ``handler`` (or an empty result) under ``version``."""
        self.version = version
        self._handler = handler
        self.seen: list[dict[str, Any]] = []

    def classify(self, article: Mapping[str, Any]) -> dict[str, Any]:
        """Record the article and return the handler's answer."""
        self.seen.append(dict(article))
        if self._handler is not None:
            return self._handler(article)
        return {"id": article.get("id"), "is_procurement": False, "events": []}
