"""Tests for the bundled demo feeds: they parse, map to valid Articles and hold the seed story."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from services.ingest.adapter import to_article
from services.ingest.parse import parse_feed

from .conftest import DEMO
from .test_adapter import assert_valid

FEED_FILES = sorted(p for p in DEMO.iterdir() if p.suffix in (".rss", ".atom"))
FETCHED = datetime(2025, 1, 1, tzinfo=UTC)


def all_articles() -> list[dict[str, Any]]:
    """Every demo item as an Article."""
    articles = []
    for path in FEED_FILES:
        url = f"http://127.0.0.1:8000/feeds/{path.name}"
        feed = parse_feed(path.read_bytes(), url)
        articles += [to_article(e, feed, feed_url=url, fetched_at=FETCHED) for e in feed.entries]
    assert None not in articles
    return [a for a in articles if a is not None]


def test_formats_and_count() -> None:
    """Three or four feeds, both RSS 2.0 and Atom, 10 to 14 items in total."""
    assert 3 <= len(FEED_FILES) <= 4
    assert {p.suffix for p in FEED_FILES} == {".rss", ".atom"}
    assert 10 <= len(all_articles()) <= 14


@pytest.mark.parametrize("path", FEED_FILES, ids=lambda p: p.name)
def test_each_feed_is_well_formed(path: Any) -> None:
    """Every demo feed parses without a bozo flag and every item has link, guid, title, date and text."""
    feed = parse_feed(path.read_bytes(), f"http://127.0.0.1/{path.name}")
    assert feed.bozo is None
    assert feed.title
    for item in feed.entries:
        assert item.link is not None and item.link.startswith("https://demo.armswatch.invalid/")
        assert item.guid and item.title and item.published
        text = item.content or item.summary
        assert 3 <= text.count(". ") + 1 <= 8, item.title


def test_articles_are_valid_and_distinct() -> None:
    """All demo items map to schema-valid Articles with distinct ids."""
    articles = [assert_valid(a) for a in all_articles()]
    assert len({a["id"] for a in articles}) == len(articles)


def test_languages() -> None:
    """The demo covers English, German, Russian, Turkish and at least one more language."""
    languages = Counter(a["language"] for a in all_articles())
    assert {"en", "de", "ru", "tr"} <= set(languages)
    assert len(languages) >= 5


def test_seed_story_in_english_and_german() -> None:
    """The seed story is there in English and, as a separate item, in German, with its four events' cues."""
    by_title = {a["title"]: a for a in all_articles()}
    english = by_title["Kazakhstan keen to buy dozens of Bayraktar TB2 drones from Turkey"]
    german = by_title["Kasachstan möchte Dutzende TB2-Drohnen kaufen"]
    assert english["language"] == "en" and german["language"] == "de"
    for cue in (
        "Ukraine",
        "five TB2",
        "Serbia's president",
        "negotiating",
        "CH-92A",
        "July",
        "Libya",
        "Azerbaijan",
    ):
        assert cue in english["text"], cue
    for cue in ("Ukraine", "fünf TB2", "Serbien", "verhandelt", "CH-92A", "Juli", "Libyen", "Aserbaidschan"):
        assert cue in german["text"], cue


def test_readme_lists_every_item() -> None:
    """The demo README names each item's title."""
    readme = (DEMO / "README.md").read_text(encoding="utf-8")
    for article in all_articles():
        assert article["title"][:30] in readme, article["title"]
