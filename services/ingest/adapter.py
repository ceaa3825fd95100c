"""Map a parsed feed entry to an ``Article`` record (schemas/article.schema.json).

The record's fields and formats must change together with that schema file.
"""

from __future__ import annotations

import contextlib
import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from services.config import redact_url
from services.ingest.language import detect_language
from services.ingest.parse import FeedEntry, ParsedFeed
from services.ingest.urls import article_id, canonical_url
from services.record_types import Article

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


def published(entry: FeedEntry, fetched_at: datetime | None = None) -> str | None:
    """The entry's publication time, or None when it is missing, a placeholder or more than a day ahead."""
    if entry.published is None or entry.published.year < EARLIEST_YEAR:
        return None
    if fetched_at is not None and entry.published > fetched_at + timedelta(days=1):
        return None  # '9999-12-31', '2999-01-01': no news is published from the future
    return rfc3339(entry.published)


def _is_http_url(value: str | None) -> bool:
    if not value:
        return False
    parts = urlsplit(value.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _identity(entry: FeedEntry, feed: ParsedFeed, feed_key: str, shared_link: bool) -> tuple[str, str]:
    """Return (id, url) for an entry.

    A link names the story wherever it is published, so two feeds carrying one story give one
    article; but a link that several items of the same feed share (a home page) names none of
    them. Then the guid, then a hash of the content identify the item, within its feed (keyed
    by the feed's stable identity, not its URL, so a redirect stores nothing twice).
    """
    link = entry.link if _is_http_url(entry.link) else None
    guid_url = entry.guid if _is_http_url(entry.guid) else None
    named = link or guid_url
    url = canonical_url(named) if named else canonical_url(feed.link) if feed.link else ""
    if link is not None and not shared_link:
        return article_id(link), url
    if guid_url is not None and not shared_link:
        return article_id(guid_url), url
    if entry.guid:
        local = f"guid\n{entry.guid}"
    else:
        local = f"content\n{link or ''}\n{entry.title}\n{entry.summary}\n{entry.content}"
    return hashlib.sha256(f"{feed_key}\n{local}".encode()).hexdigest()[:32], url


def _source(feed: ParsedFeed, feed_url: str) -> str:
    if feed.title:
        return feed.title
    host = urlsplit(feed.link or feed_url).hostname or ""
    return host.removeprefix("www.")


def to_article(
    entry: FeedEntry,
    feed: ParsedFeed,
    *,
    feed_url: str,
    fetched_at: datetime,
    feed_key: str | None = None,
    shared_link: bool = False,
) -> Article | None:
    """Build the ``Article`` record for one entry.

    Args:
        entry: the parsed item.
        feed: the feed it came from (title and language are used).
        feed_url: the URL the feed was fetched from.
        fetched_at: when the feed was fetched.
        feed_key: the feed's stable identity (its store id); the canonical feed URL when not given.
        shared_link: other items of the same feed carry the same link.

    Returns:
        A dict valid against ``schemas/article.schema.json``, or None for an entry with nothing
        to identify or read (no link, guid, title, summary or content).
    """
    if not (entry.link or entry.guid or entry.title or entry.summary or entry.content):
        return None
    ident, url = _identity(entry, feed, feed_key or canonical_url(feed_url), shared_link)
    text = entry.content or entry.summary
    sample = f"{entry.title}\n{text}"[:LANGUAGE_SAMPLE_CHARS]
    return {
        "id": ident,
        "url": url or redact_url(feed_url),
        "feed_url": redact_url(feed_url),
        "source": _source(feed, feed_url),
        "title": entry.title,
        "summary": entry.summary,
        "text": text,
        "language": detect_language(sample, hint=entry.language or feed.language),
        "published_at": published(entry, fetched_at),
        "fetched_at": rfc3339(fetched_at),
    }


#: The longest title and summary kept; the text's bound is a setting (ARMSWATCH_ARTICLE_MAX_CHARS).
TITLE_MAX_CHARS = 1_000
SUMMARY_MAX_CHARS = 10_000


def cut(value: str, limit: int) -> str:
    """`value` when it fits in `limit` characters, else its start (at a space when one is near) and a mark."""
    if len(value) <= limit:
        return value
    mark = f" [cut by armswatch: {len(value)} characters, the first {limit} kept]"
    head = value[: max(0, limit - len(mark))]
    space = head.rfind(" ", len(head) - 200)
    return (head[:space] if space > 0 else head).rstrip() + mark


def bound_article(article: Article, text_max_chars: int) -> Article:
    """Cut an Article's title, summary and text to their bounds (in place), so its record fits on a topic."""
    article["title"] = cut(article["title"], TITLE_MAX_CHARS)
    article["summary"] = cut(article["summary"], SUMMARY_MAX_CHARS)
    article["text"] = cut(article["text"], text_max_chars)
    return article
