"""Map a parsed feed entry to an ``Article`` record (schemas/article.schema.json).

The record's fields and formats must change together with that schema file.
"""

from __future__ import annotations

import contextlib
import hashlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from services.ingest.language import detect_language
from services.ingest.parse import FeedEntry, ParsedFeed
from services.ingest.urls import article_id, canonical_url

__all__ = ["EARLIEST_YEAR", "LANGUAGE_SAMPLE_CHARS", "published", "rfc3339", "to_article"]

#: How much of title + text the language detector reads.
LANGUAGE_SAMPLE_CHARS = 2000


def rfc3339(moment: datetime) -> str:
    """Format ``moment`` as an RFC 3339 UTC timestamp ending in ``Z`` (naive times are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    with contextlib.suppress(OverflowError):  # 0001-01-01 with a positive offset has no UTC form
        moment = moment.astimezone(UTC)
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}Z"


#: Publication dates before this year are placeholders ("Mon, 01 Jan 0001" on Hugo sites), not dates.
EARLIEST_YEAR = 1970


def published(entry: FeedEntry) -> str | None:
    """The entry's publication time, or None when it is missing or a placeholder."""
    if entry.published is None or entry.published.year < EARLIEST_YEAR:
        return None
    return rfc3339(entry.published)


def _is_http_url(value: str | None) -> bool:
    if not value:
        return False
    parts = urlsplit(value.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _identity(entry: FeedEntry, feed: ParsedFeed, feed_url: str) -> tuple[str, str]:
    """Return (id, url): from the link, else a URL guid, else a hash of feed URL and guid or title."""
    for candidate in (entry.link, entry.guid):
        if candidate is not None and _is_http_url(candidate):
            return article_id(candidate), canonical_url(candidate)
    local = entry.guid or entry.title
    digest = hashlib.sha256(f"{canonical_url(feed_url)}\n{local}".encode()).hexdigest()[:32]
    return digest, feed.link or feed_url


def _source(feed: ParsedFeed, feed_url: str) -> str:
    if feed.title:
        return feed.title
    host = urlsplit(feed.link or feed_url).hostname or ""
    return host.removeprefix("www.")


def to_article(
    entry: FeedEntry, feed: ParsedFeed, *, feed_url: str, fetched_at: datetime
) -> dict[str, Any] | None:
    """Build the ``Article`` record for one entry.

    Args:
        entry: the parsed item.
        feed: the feed it came from (title and language are used).
        feed_url: the URL the feed was fetched from.
        fetched_at: when the feed was fetched.

    Returns:
        A dict valid against ``schemas/article.schema.json``, or None for an entry
        with neither link, guid nor title (nothing to identify it by).
    """
    if not (entry.link or entry.guid or entry.title):
        return None
    ident, url = _identity(entry, feed, feed_url)
    text = entry.content or entry.summary
    sample = f"{entry.title}\n{text}"[:LANGUAGE_SAMPLE_CHARS]
    return {
        "id": ident,
        "url": url,
        "feed_url": feed_url,
        "source": _source(feed, feed_url),
        "title": entry.title,
        "summary": entry.summary,
        "text": text,
        "language": detect_language(sample, hint=entry.language or feed.language),
        "published_at": published(entry),
        "fetched_at": rfc3339(fetched_at),
    }
