"""Fetch, parse and map together, over HTTP from the local server, as the poller chains them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from services.ingest.adapter import to_article
from services.ingest.fetch import FetchResult, fetch_feed
from services.ingest.parse import parse_feed

from .conftest import DEMO, FeedServer, read_data
from .test_adapter import assert_valid

NOW = datetime(2024, 3, 8, tzinfo=UTC)


async def poll(
    client: httpx.AsyncClient, url: str, previous: FetchResult | None = None
) -> tuple[FetchResult, list[dict[str, Any]]]:
    """One poll: conditional fetch, then parse and map when there is a body."""
    result = await fetch_feed(
        client,
        url,
        etag=previous.etag if previous else None,
        last_modified=previous.last_modified if previous else None,
        max_bytes=1024 * 1024,
        timeout=5.0,
    )
    if result.body is None:
        return result, []
    feed = parse_feed(result.body, result.final_url, result.content_type)
    articles = [to_article(e, feed, feed_url=result.final_url, fetched_at=NOW) for e in feed.entries]
    return result, [assert_valid(a) for a in articles if a is not None]


async def test_second_poll_is_304_with_no_articles(
    ingest_server: FeedServer, client: httpx.AsyncClient
) -> None:
    """The first poll yields the demo articles; the conditional second poll is a 304 yielding none."""
    ingest_server.feed(
        "/en.rss",
        (DEMO / "en-defence-desk.rss").read_bytes(),
        etag='W/"demo-1"',
        last_modified="Thu, 01 Feb 2024 00:00:00 GMT",
    )
    first, articles = await poll(client, ingest_server.url("/en.rss"))
    assert first.status == 200 and len(articles) == 7
    second, again = await poll(client, ingest_server.url("/en.rss"), first)
    assert second.status == 304 and again == []


async def test_same_item_from_two_served_feeds_is_one_article(
    ingest_server: FeedServer, client: httpx.AsyncClient
) -> None:
    """Two feeds on the server carrying one story produce the same article id."""
    ingest_server.feed("/a.rss", read_data("dup-a.rss"))
    ingest_server.feed("/b.atom", read_data("dup-b.atom"), content_type="application/atom+xml")
    _, from_a = await poll(client, ingest_server.url("/a.rss"))
    _, from_b = await poll(client, ingest_server.url("/b.atom"))
    assert [a["id"] for a in from_a] == [b["id"] for b in from_b]


async def test_charset_from_http_header(ingest_server: FeedServer, client: httpx.AsyncClient) -> None:
    """A windows-1251 feed served as text/xml with its charset, gzip-encoded, decodes right end to end."""
    ingest_server.feed(
        "/ru.xml",
        read_data("cp1251-russian.rss"),
        content_type="text/xml; charset=windows-1251",
        gzipped=True,
    )
    _, articles = await poll(client, ingest_server.url("/ru.xml"))
    (article,) = articles
    assert article["title"] == "Минобороны получило новые вертолёты"
    assert article["language"] == "ru"


async def test_moved_feed_maps_with_its_final_url(
    ingest_server: FeedServer, client: httpx.AsyncClient
) -> None:
    """After a permanent redirect the articles name the new feed URL."""
    ingest_server.redirect("/old.rss", 301, "/tr.rss")
    ingest_server.feed("/tr.rss", read_data("iso-8859-9-turkish.rss"))
    result, articles = await poll(client, ingest_server.url("/old.rss"))
    assert result.permanent_redirect
    assert articles[0]["feed_url"] == ingest_server.url("/tr.rss")
    assert articles[0]["title"].startswith("İstanbul")
