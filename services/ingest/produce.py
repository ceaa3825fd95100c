"""Turn a parsed feed into Article records: map entries, keep only ids never seen, enrich, publish.

Shared by the poller and the WebSub push endpoint, so a pushed item and a polled one are
the same Article, produced once whichever way it came first.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from services.bus import Publisher
from services.config import redact_url
from services.errors import RecordError
from services.ingest.adapter import bound_article, to_article
from services.ingest.parse import ParsedFeed
from services.ingest.urls import canonical_url
from services.logs import get_logger
from services.record_types import Article
from services.records import ARTICLE, validate
from services.store import feeds as feedstore

__all__ = ["FullText", "articles_of", "produce"]

log = get_logger("ingest")

#: Fetches an article page's main text (None when it cannot): the poller's, within its limits.
FullText = Callable[[str], Awaitable[str | None]]


def articles_of(
    parsed: ParsedFeed, feed_url: str, fetched_at: datetime, feed_key: str | None = None
) -> list[Article]:
    """The feed's valid Article records, one per id (the first entry wins).

    An entry that cannot make a valid Article costs that entry only: it is logged with its
    reason and left out, and its neighbours go on.
    """
    found: dict[str, Article] = {}
    links = Counter(canonical_url(e.link) for e in parsed.entries if e.link)
    for n, entry in enumerate(parsed.entries):
        shared = bool(entry.link) and links[canonical_url(entry.link or "")] > 1
        try:
            article = to_article(
                entry, parsed, feed_url=feed_url, fetched_at=fetched_at, feed_key=feed_key, shared_link=shared
            )
            if article is not None:
                validate(ARTICLE, article)
        except (RecordError, ValueError, OverflowError) as exc:
            log.warning("feed item skipped", feed_url=redact_url(feed_url), item=n, reason=str(exc)[:300])
            continue
        if article is not None:
            found.setdefault(article["id"], article)
    return list(found.values())


async def _enrich(article: Article, full_text: FullText) -> None:
    text = await full_text(article["url"])
    if text and len(text) > len(article["text"]):
        article["text"] = text


async def produce(
    publisher: Publisher,
    feed_id: int,
    feed_url: str,
    parsed: ParsedFeed,
    *,
    full_text: FullText | None = None,
) -> tuple[int, int]:
    """Publish the feed's articles no feed produced before; return (items in the feed, produced).

    The articles not seen before are published in one batch, and only then remembered as seen: a
    crash between the two publishes them again at the next poll (at least once, and every consumer
    is idempotent), never loses them (the archive, when on, keeps a record from being produced twice).
    """
    articles = articles_of(parsed, feed_url, datetime.now(UTC), feed_key=f"feed:{feed_id}")
    unseen = set(await asyncio.to_thread(feedstore.unseen, publisher.db, [a["id"] for a in articles]))
    # Oldest first (feeds list the newest first): a deal's stages reach the classifier in the order they happened.
    todo = sorted((a for a in articles if a["id"] in unseen), key=lambda a: a["published_at"] or "~")
    if full_text is not None:
        await asyncio.gather(*(_enrich(a, full_text) for a in todo))
    for article in todo:
        bound_article(article, publisher.settings.article_max_chars)
    await publisher.publish_many(ARTICLE, [(a, a["id"], a["id"]) for a in todo])
    await asyncio.to_thread(feedstore.claim_seen, publisher.db, feed_id, [a["id"] for a in todo])
    return len(articles), len(todo)
