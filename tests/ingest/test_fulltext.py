"""Full text: trafilatura extracts an article page's text; the poller fetches pages for full-text feeds only."""

from __future__ import annotations

from collections.abc import Callable

from services.ingest.fulltext import extract_text

from .conftest import FeedServer, Harness

PARAGRAPHS = [
    "The defence ministry of Kazakhstan confirmed on Monday that it intends to buy dozens of Bayraktar TB2 "
    "drones from Turkey, according to officials familiar with the negotiations.",
    "The order would follow earlier purchases of unmanned aircraft and is expected to be signed before the "
    "end of the year, the ministry said in a statement published on its website.",
    "Analysts note that the deal would make Kazakhstan one of the larger operators of the type in Central Asia.",
]
PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Kazakhstan to buy TB2</title></head>"
    "<body><nav><a href='/'>Home</a> | <a href='/world'>World</a> | Subscribe now!</nav>"
    "<article><h1>Kazakhstan keen to buy dozens of Bayraktar TB2 drones</h1>"
    + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    + "</article><footer>Copyright 2024 Defence Desk. All rights reserved. Cookie settings.</footer></body></html>"
).encode()


def feed(link: str) -> bytes:
    """An RSS feed with one short item linking to ``link``."""
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Desk</title>"
        f"<link>{link}</link><language>en</language><item><title>Kazakhstan to buy TB2</title><link>{link}</link>"
        "<description>Short teaser.</description></item></channel></rss>"
    ).encode()


def test_extract_text_keeps_the_article_and_drops_the_chrome() -> None:
    """The paragraphs come out; navigation and footer do not."""
    text = extract_text(PAGE, "https://desk.example.org/kz-tb2")
    assert text is not None
    for paragraph in PARAGRAPHS:
        assert paragraph in text
    assert "Subscribe now" not in text and "Cookie settings" not in text


def test_too_little_text_is_none() -> None:
    """A page with hardly any text gives None, so the feed's own text stays."""
    assert extract_text(b"<html><body><p>Hi.</p></body></html>", "https://x.example.org/") is None
    assert extract_text(b"\x00\xff garbage", "https://x.example.org/") is None


async def test_full_text_feed_gets_the_page_text(
    ingest_server: FeedServer, make_harness: Callable[..., Harness]
) -> None:
    """A --full-text feed's article carries the page's text; a plain feed's keeps its teaser, no page fetched."""
    harness = make_harness()
    ingest_server.feed("/story", PAGE, content_type="text/html; charset=utf-8")
    ingest_server.feed("/full.rss", feed(ingest_server.url("/story")))
    ingest_server.feed("/plain.rss", feed(f"http://localhost:{ingest_server.port}/story"))
    harness.add(ingest_server.url("/full.rss"), full_text=True)
    harness.add(ingest_server.url("/plain.rss"))
    await harness.round()
    texts = {a["feed_url"].rsplit("/", 1)[1]: a["text"] for a in harness.articles()}
    assert PARAGRAPHS[0] in texts["full.rss"] and PARAGRAPHS[2] in texts["full.rss"]
    assert texts["plain.rss"] == "Short teaser."
    story_requests = [r for r in ingest_server.requests if r.path == "/story"]
    assert len(story_requests) == 1 and story_requests[0].headers["accept"].startswith("text/html")
