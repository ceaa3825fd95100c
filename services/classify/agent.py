"""The classify service: Article records in, ProcurementEvent records out (and the article read model)."""

from __future__ import annotations

import asyncio
import hashlib
import threading

import faust

from services.app import add_consumer
from services.bus import Publisher
from services.classify import deal_key
from services.classify.backends import Classifier, load_classifier
from services.deals import stage_rank
from services.logs import get_logger
from services.record_types import Article, ProcurementEvent
from services.records import ARTICLE, PROCUREMENT_EVENT, now_iso
from services.store.models import ArticleRow
from services.store.readmodel import project_article

log = get_logger("classify")


def event_id(article_id: str, version: str, deal_key: str, stage: str, quantity: int | None) -> str:
    """The deterministic id of an event: the same article, classifier, deal, stage and quantity give one id."""
    raw = f"{article_id}|{version}|{deal_key}|{stage}|{quantity}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def to_events(
    article: Article, classifier: Classifier, detected_at: str | None = None
) -> list[ProcurementEvent]:
    """Classify one Article with `classifier` and map its events to ProcurementEvent records, in lifecycle order."""
    result = classifier.classify(
        {
            "id": article["id"],
            "title": article.get("title") or "",
            "text": article.get("text") or article.get("summary") or "",
            "language": article.get("language"),
            "url": article.get("url"),
            "published": article.get("published_at"),
        }
    )
    at = detected_at or now_iso()
    records: list[ProcurementEvent] = []
    for ev in result.get("events") or []:
        key = deal_key(ev)
        records.append(
            {
                "id": event_id(article["id"], classifier.version, key, ev["stage"], ev.get("quantity")),
                "article_id": article["id"],
                "classifier_version": classifier.version,
                "buyer": ev["buyer"],
                "buyer_iso": ev.get("buyer_iso"),
                "seller": ev.get("seller"),
                "seller_iso": ev.get("seller_iso"),
                "system": ev.get("system"),
                "category": ev["category"],
                "quantity": ev.get("quantity"),
                "quantity_approx": bool(ev.get("quantity_approx")),
                "stage": ev["stage"],
                "value": ev.get("value"),
                "evidence": ev.get("evidence") or "",
                "confidence": float(ev.get("confidence", 0.5)),
                "deal_key": key,
                "detected_at": at,
                "source": article.get("source") or "",
                "language": article.get("language"),
                "article_url": article.get("url"),
                "article_title": article.get("title") or "",
                "published_at": article.get("published_at"),
            }
        )
    # One article's events in lifecycle order (contract before delivery): the notifier then alerts each
    # stage it states, whatever order the classifier listed them in.
    records.sort(key=lambda r: stage_rank(r["stage"]))
    return records


def _warm_up(classifier: Classifier) -> None:
    try:
        classifier.classify(
            {"id": "warm-up", "title": "", "text": "Kazakhstan plans to buy drones.", "language": "en"}
        )
    except Exception:  # a failed warm-up only costs time on the first article
        log.warning("classifier warm-up failed", exc_info=True)


def register(app: faust.App, publisher: Publisher) -> None:
    """Add the classify consumer to `app`, classifying with the backend ARMSWATCH_CLASSIFIER names."""
    classifier = load_classifier(publisher.settings)
    # Build the gazetteers and lexicons now, in the background, not on the first article's clock.
    threading.Thread(target=_warm_up, args=(classifier,), name="classifier-warm-up", daemon=True).start()

    async def on_article(article: Article | None, _key: str | None) -> None:
        assert article is not None

        def known() -> bool:
            with publisher.db.session() as session:
                return session.get(ArticleRow, article["id"]) is not None

        def store() -> None:
            with publisher.db.session() as session:
                project_article(session, article)

        # The article row is written last, so it marks the article done: a record seen again (a restart,
        # a rebalance) is skipped, and one whose events were not all produced is classified again.
        # Classifying history again with a new classifier is `armswatch replay --reclassify`.
        if await asyncio.to_thread(known):
            log.info("article already classified", article_id=article["id"])
            return
        events = await asyncio.to_thread(to_events, article, classifier)
        for record in events:
            await publisher.publish(PROCUREMENT_EVENT, record, key=record["deal_key"], record_id=record["id"])
        await asyncio.to_thread(store)
        log.info(
            "article classified", article_id=article["id"], events=len(events), source=article.get("source")
        )

    add_consumer(app, publisher, ARTICLE, on_article, name="classify-articles")
