"""The classify agent's mapping of one article to ProcurementEvent records: ids, fields, lifecycle order."""

from __future__ import annotations

from typing import Any

from services.classify.agent import to_events
from services.records import PROCUREMENT_EVENT, validate


class _Listed:
    """A classifier stand-in that lists the events of one article in the order given (delivery first)."""

    version = "rules-test"

    def classify(self, article: dict[str, Any]) -> dict[str, Any]:
        base = {"buyer": "Poland", "buyer_iso": "PL", "seller": "South Korea", "seller_iso": "KR",
                "system": "K2", "category": "armoured_vehicle", "quantity": None, "quantity_approx": False,
                "value": None, "evidence": "…", "confidence": 0.8}  # fmt: skip
        stages = ("delivery", "interest", "contract", "cancellation")
        return {"id": article["id"], "is_procurement": True, "events": [{**base, "stage": s} for s in stages]}


def test_one_articles_events_are_produced_in_lifecycle_order() -> None:
    """Contract before delivery, whatever the classifier's order: each stage stated can alert (issue 11, 13)."""
    article = {"id": "a" * 32, "title": "t", "text": "x", "language": "en", "url": "https://ex.test/a",
               "source": "Ex", "published_at": None}  # fmt: skip
    records = to_events(article, _Listed(), detected_at="2026-12-07T10:00:00.000Z")  # type: ignore[arg-type]
    assert [r["stage"] for r in records] == ["interest", "contract", "delivery", "cancellation"]
    for r in records:
        validate(PROCUREMENT_EVENT, r)
    assert len({r["id"] for r in records}) == 4
