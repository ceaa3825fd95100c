"""Tests for services.ingest.adapter: entries become schema-valid Article records."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from services.ingest.adapter import rfc3339, to_article
from services.ingest.parse import FeedEntry, ParsedFeed, parse_feed
from services.ingest.urls import article_id

from .conftest import DATA, read_data

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "article.schema.json").read_text())
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
FETCHED = datetime(2024, 3, 8, 12, 30, 15, 999, tzinfo=UTC)
FEED = ParsedFeed(title="", link=None, language=None, hub=None, self_url=None)


def entry(**fields: Any) -> FeedEntry:
    """A FeedEntry with empty defaults."""
    values: dict[str, Any] = dict.fromkeys(("link", "guid", "published", "language"))
    values |= dict.fromkeys(("title", "summary", "content"), "")
    values.update(fields)
    return FeedEntry(**values)


def assert_valid(article: dict[str, Any] | None) -> dict[str, Any]:
    """Fail unless ``article`` is a valid Article record; return it."""
    assert article is not None
    errors = [f"{list(e.path)}: {e.message}" for e in VALIDATOR.iter_errors(article)]
    assert errors == []
    return article


def test_format_checking_is_active() -> None:
    """The validator really checks date-time formats (rfc3339-validator is installed)."""
    article = assert_valid(to_article(entry(title="x"), FEED, feed_url="http://f.test/", fetched_at=FETCHED))
    assert not VALIDATOR.is_valid({**article, "fetched_at": "2024-13-45T99:00:00Z"})
    assert not VALIDATOR.is_valid({**article, "published_at": "yesterday"})


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.iterdir()))
def test_every_test_feed_maps_to_valid_articles(name: str) -> None:
    """Each item of each test feed that can be identified becomes a schema-valid Article."""
    feed = parse_feed(read_data(name), f"http://feeds.test.invalid/{name}")
    articles = [
        to_article(e, feed, feed_url=f"http://feeds.test.invalid/{name}", fetched_at=FETCHED)
        for e in feed.entries
    ]
    kept = [assert_valid(a) for a in articles if a is not None]
    assert kept


def test_fields_of_a_full_entry() -> None:
    """Link, texts, language, source and timestamps map as the schema says."""
    published = datetime(2024, 3, 6, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    item = entry(
        link="https://News.example/a?utm_source=x&id=1#top",
        guid="g-1",
        title="Kasachstan möchte Drohnen kaufen",
        summary="Kurz.",
        content="Kasachstan möchte Dutzende Drohnen aus der Türkei kaufen.",
        published=published,
    )
    feed = ParsedFeed(
        title="Wehrtechnik", link="https://news.example/", language="de-DE", hub=None, self_url=None
    )
    article = assert_valid(to_article(item, feed, feed_url="https://news.example/feed", fetched_at=FETCHED))
    assert article == {
        "id": article_id("https://news.example/a?id=1"),
        "url": "https://news.example/a?id=1",
        "feed_url": "https://news.example/feed",
        "source": "Wehrtechnik",
        "title": "Kasachstan möchte Drohnen kaufen",
        "summary": "Kurz.",
        "text": "Kasachstan möchte Dutzende Drohnen aus der Türkei kaufen.",
        "language": "de",
        "published_at": "2024-03-06T10:00:00Z",
        "fetched_at": "2024-03-08T12:30:15Z",
    }


def test_text_falls_back_to_summary_and_language_is_detected() -> None:
    """Without content the text is the summary; without a hint the language is detected."""
    item = entry(
        link="http://x.test/1",
        title="Poland signs contract",
        summary="Poland signed a contract for new tanks from South Korea today.",
    )
    article = assert_valid(to_article(item, FEED, feed_url="http://x.test/feed", fetched_at=FETCHED))
    assert article["text"] == article["summary"]
    assert article["language"] == "en"
    assert article["published_at"] is None


def test_source_falls_back_to_host() -> None:
    """A feed without a title is named by its host (without www.)."""
    item = entry(link="http://x.test/1", title="t")
    article = to_article(item, FEED, feed_url="https://www.outlet.test/rss", fetched_at=FETCHED)
    assert article is not None and article["source"] == "outlet.test"


def test_same_item_in_two_feeds_is_one_article() -> None:
    """The same story from two feeds (tracking params, host case, fragment differ) gets one id and URL."""
    articles = []
    for name in ("dup-a.rss", "dup-b.atom"):
        feed = parse_feed(read_data(name), f"http://feeds.test.invalid/{name}")
        (item,) = feed.entries
        articles.append(
            assert_valid(
                to_article(item, feed, feed_url=f"http://feeds.test.invalid/{name}", fetched_at=FETCHED)
            )
        )
    a, b = articles
    assert a["id"] == b["id"]
    assert a["url"] == b["url"] == "https://news.test.invalid/story/42?page=1"
    assert a["source"] != b["source"]


def test_url_guid_is_the_identity_without_link() -> None:
    """An entry with no link but a URL guid is identified by that URL."""
    item = entry(guid="https://x.test/p/9", title="t")
    article = to_article(item, FEED, feed_url="http://x.test/feed", fetched_at=FETCHED)
    assert article is not None
    assert article["id"] == article_id("https://x.test/p/9")
    assert article["url"] == "https://x.test/p/9"


def test_local_guid_is_hashed_with_the_feed_identity_not_its_url() -> None:
    """A non-URL guid gives an id stable per feed (its store identity), whatever URL the feed moved to."""
    item = entry(guid="local-7", title="Only a title")
    one = to_article(item, FEED, feed_url="http://a.test/feed", fetched_at=FETCHED, feed_key="feed:1")
    moved = to_article(item, FEED, feed_url="http://new.a.test/feed", fetched_at=FETCHED, feed_key="feed:1")
    other = to_article(item, FEED, feed_url="http://b.test/feed", fetched_at=FETCHED, feed_key="feed:2")
    assert one is not None and moved is not None and other is not None
    assert re.fullmatch(r"[0-9a-f]{32}", one["id"])
    assert one["id"] == moved["id"] != other["id"]
    assert one["url"] == "http://a.test/feed"
    assert_valid(one)


def test_title_only_entry_is_kept() -> None:
    """An entry with just a title is still an article."""
    assert (
        to_article(entry(title="Just a title"), FEED, feed_url="http://a.test/f", fetched_at=FETCHED)
        is not None
    )


def test_description_only_entry_is_kept() -> None:
    """RSS 2.0 allows an item with only a description: it is an article, identified by its content."""
    first = to_article(entry(summary="floating text"), FEED, feed_url="http://a.test/f", fetched_at=FETCHED)
    second = to_article(entry(summary="other text"), FEED, feed_url="http://a.test/f", fetched_at=FETCHED)
    assert first is not None and second is not None and first["id"] != second["id"]
    assert_valid(first)


def test_empty_entry_is_dropped() -> None:
    """An entry with nothing to identify or read maps to None."""
    assert to_article(entry(), FEED, feed_url="http://a.test/f", fetched_at=FETCHED) is None


def test_items_sharing_one_link_stay_apart() -> None:
    """Three items of one feed with their own guids but one link (a home page) are three articles."""
    from services.ingest.produce import articles_of

    items = [entry(link="https://outlet.test/#top", guid=f"g{n}", title=f"story {n}") for n in range(3)]
    items.append(entry(link="https://outlet.test/?ref=rss", title="story without guid"))
    parsed = ParsedFeed(title="", link=None, language=None, hub=None, self_url=None, entries=items)
    articles = articles_of(parsed, "https://outlet.test/feed", FETCHED, feed_key="feed:7")
    assert len({a["id"] for a in articles}) == 4


def test_rfc3339_naive_and_aware() -> None:
    """Naive datetimes are taken as UTC; aware ones are converted; output ends in Z without fractions."""
    assert rfc3339(datetime(2024, 1, 2, 3, 4, 5, 678)) == "2024-01-02T03:04:05Z"
    assert (
        rfc3339(datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5)))) == "2024-01-02T08:04:05Z"
    )


def test_placeholder_and_ancient_dates_are_no_publication_time() -> None:
    """'Mon, 01 Jan 0001' (Hugo) gives a valid Article with no published_at, not a schema failure."""
    for moment in (datetime(1, 1, 1, tzinfo=UTC), datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=2)))):
        article = assert_valid(
            to_article(
                entry(link="https://ex.org/a", title="A", published=moment),
                FEED,
                feed_url="https://ex.org/feed",
                fetched_at=FETCHED,
            )
        )
        assert article["published_at"] is None
    assert rfc3339(datetime(999, 5, 4, tzinfo=UTC)) == "0999-05-04T00:00:00Z"


def test_one_bad_item_costs_that_item_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry whose record fails the schema (the old '1-01-01T00:00:00Z') is left out; its neighbours are kept."""
    from services.ingest import produce

    real = produce.to_article

    def flawed(e: FeedEntry, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        article = real(e, *args, **kwargs)
        if article is not None and e.link and e.link.endswith("/bad"):
            article["published_at"] = "1-01-01T00:00:00Z"
        return article

    monkeypatch.setattr(produce, "to_article", flawed)
    entries = [entry(link=f"https://ex.org/{n}", title=f"item {n}") for n in ("0", "bad", "1", "2")]
    parsed = ParsedFeed(title="", link=None, language=None, hub=None, self_url=None, entries=entries)
    urls = [a["url"] for a in produce.articles_of(parsed, "https://ex.org/feed", FETCHED)]
    assert urls == ["https://ex.org/0", "https://ex.org/1", "https://ex.org/2"]


def test_long_fields_are_cut_at_a_space_with_a_mark_and_short_ones_kept():
    """Text over its bound ends with a mark naming the original length; title and summary have fixed bounds."""
    from services.ingest.adapter import SUMMARY_MAX_CHARS, TITLE_MAX_CHARS, bound_article, cut

    assert cut("short text", 1000) == "short text"
    long = "word " * 1000  # 5,000 characters
    kept = cut(long, 2000)
    assert len(kept) <= 2000
    assert kept.endswith("[cut by armswatch: 5000 characters, the first 2000 kept]")
    assert kept.split(" [cut")[0].endswith("word"), "cut at a space, not inside a word"
    article = bound_article({"title": "t" * 5000, "summary": "s" * 50_000, "text": "x" * 10}, 1000)
    assert len(article["title"]) <= TITLE_MAX_CHARS and len(article["summary"]) <= SUMMARY_MAX_CHARS
    assert article["text"] == "x" * 10
