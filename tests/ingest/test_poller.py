"""The poller against a local HTTP server and a real store (SQLite and PostgreSQL): status, schedule, articles."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from .conftest import DEMO, FeedServer, Harness, read_data

MB = 1024 * 1024


def due_in(harness: Harness, feed_id: int) -> float:
    """Seconds from now until the feed is due."""
    due = harness.feed(feed_id).next_due_at
    assert due is not None
    due = due if due.tzinfo else due.replace(tzinfo=UTC)
    return (due - datetime.now(UTC)).total_seconds()


async def test_conditional_get_304_produces_nothing(ingest_server: FeedServer, harness: Harness) -> None:
    """The first poll produces the demo feed's items; the second, answered 304, produces none."""
    ingest_server.feed("/en.rss", (DEMO / "en-defence-desk.rss").read_bytes(), etag='"demo-1"')
    feed_id = harness.add(ingest_server.url("/en.rss"))
    await harness.round()
    first = harness.feed(feed_id)
    assert first.last_status == "200 ok, 7 items, 7 new"
    assert first.etag == '"demo-1"' and first.items_seen == 7
    assert first.title and len(harness.articles()) == 7
    harness.due_now()
    await harness.round()
    second = harness.feed(feed_id)
    assert ingest_server.requests[-1].headers["if-none-match"] == '"demo-1"'
    assert second.last_status == "304 not modified" and second.consecutive_errors == 0
    assert len(harness.articles()) == 7 and second.items_seen == 7
    assert second.current_interval_s == pytest.approx(900 * 1.25)  # unchanged: polled less often


@pytest.mark.parametrize("status", [301, 308])
async def test_permanent_redirect_updates_the_stored_url(
    ingest_server: FeedServer, harness: Harness, status: int
) -> None:
    """After a 301 or 308 the feed is stored under its new URL, and articles name it."""
    ingest_server.redirect("/old.rss", status, "/tr.rss")
    ingest_server.feed("/tr.rss", read_data("iso-8859-9-turkish.rss"))
    feed_id = harness.add(ingest_server.url("/old.rss"))
    await harness.round()
    assert harness.feed(feed_id).url == ingest_server.url("/tr.rss")
    (article,) = harness.articles()
    assert article["title"] == "İstanbul'da şirket ağır ışık sistemi gösterdi"


async def test_temporary_redirect_keeps_the_url(ingest_server: FeedServer, harness: Harness) -> None:
    """A 302 is followed, but the stored URL stays."""
    ingest_server.redirect("/feed", 302, "/today.rss")
    ingest_server.feed("/today.rss", read_data("dup-a.rss"))
    feed_id = harness.add(ingest_server.url("/feed"))
    await harness.round()
    row = harness.feed(feed_id)
    assert row.url == ingest_server.url("/feed") and row.last_status == "200 ok, 1 items, 1 new"


async def test_redirect_loop_is_a_feed_error_with_backoff(
    ingest_server: FeedServer, harness: Harness
) -> None:
    """A redirect loop is recorded as the feed's status, counted, and the next poll backs off."""
    ingest_server.redirect("/a", 301, "/b")
    ingest_server.redirect("/b", 301, "/a")
    feed_id = harness.add(ingest_server.url("/a"), interval=600)
    await harness.round()
    row = harness.feed(feed_id)
    assert (row.last_status, row.consecutive_errors) == ("redirect loop", 1)
    assert row.url == ingest_server.url("/a")
    assert 1150 < due_in(harness, feed_id) <= 1200  # twice the interval after one error


async def test_429_retry_after_is_honoured(ingest_server: FeedServer, harness: Harness) -> None:
    """A 429 with Retry-After: 7200 puts the next poll at least two hours away."""
    ingest_server.status("/busy", 429, {"Retry-After": "7200"})
    feed_id = harness.add(ingest_server.url("/busy"), interval=60)
    await harness.round()
    row = harness.feed(feed_id)
    assert row.last_status == "HTTP 429 Too Many Requests" and row.consecutive_errors == 1
    assert 7190 < due_in(harness, feed_id) <= 7200


async def test_50_mb_body_is_refused_at_the_cap(ingest_server: FeedServer, harness: Harness) -> None:
    """A 50 MB feed streamed without Content-Length stops at the 10 MB default cap: an error, no articles."""
    ingest_server.huge("/huge", 50 * MB, declare_length=False)
    feed_id = harness.add(ingest_server.url("/huge"))
    await harness.round()
    assert harness.feed(feed_id).last_status == f"body larger than {10_000_000} bytes"
    assert harness.articles() == []


async def test_stalled_server_times_out_and_other_feeds_go_on(
    ingest_server: FeedServer, harness: Harness
) -> None:
    """A server that stalls costs its feed a timeout; a feed polled alongside is unaffected."""
    ingest_server.stall("/stall", before_headers=True)
    ingest_server.feed("/ok.rss", read_data("dup-a.rss"))
    stalled = harness.add(ingest_server.url("/stall"))
    fine = harness.add(ingest_server.url("/ok.rss"))
    await harness.round()
    assert (harness.feed(stalled).last_status or "").startswith("timeout")
    assert harness.feed(fine).last_status == "200 ok, 1 items, 1 new"


async def test_bozo_feed_still_yields_its_good_items(ingest_server: FeedServer, harness: Harness) -> None:
    """Malformed XML is not an error: the readable items are produced and the status names the problem."""
    ingest_server.feed("/bozo.rss", read_data("bozo-unclosed.rss"))
    feed_id = harness.add(ingest_server.url("/bozo.rss"))
    await harness.round()
    row = harness.feed(feed_id)
    assert row.consecutive_errors == 0 and "bozo: parse:" in (row.last_status or "")
    titles = [a["title"] for a in harness.articles()]
    assert titles[0] == "First good item" and titles[-1] == "Third good item"


async def test_windows_1251_and_iso_8859_9_feeds(ingest_server: FeedServer, harness: Harness) -> None:
    """Both odd charsets decode end to end, and the languages come out as Russian and Turkish."""
    ingest_server.feed("/ru.xml", read_data("cp1251-russian.rss"), content_type="text/xml")
    ingest_server.feed("/tr.xml", read_data("iso-8859-9-turkish.rss"), content_type="application/xml")
    harness.add(ingest_server.url("/ru.xml"))
    harness.add(ingest_server.url("/tr.xml"))
    await harness.round()
    found = {a["language"]: a["title"] for a in harness.articles()}
    assert found == {
        "ru": "Минобороны получило новые вертолёты",
        "tr": "İstanbul'da şirket ağır ışık sistemi gösterdi",
    }


async def test_same_article_in_two_feeds_is_one_article(ingest_server: FeedServer, harness: Harness) -> None:
    """Two feeds polled in the same round carrying one story produce one Article."""
    ingest_server.feed("/a.rss", read_data("dup-a.rss"))
    ingest_server.feed("/b.atom", read_data("dup-b.atom"), content_type="application/atom+xml")
    harness.add(ingest_server.url("/a.rss"))
    harness.add(ingest_server.url("/b.atom"))
    await harness.round()
    (article,) = harness.articles()
    assert article["url"] == "https://news.test.invalid/story/42?page=1"
    harness.due_now()
    ingest_server.feed("/a.rss", read_data("dup-a.rss") + b"\n")  # changed bytes, same item
    await harness.round()
    assert len(harness.articles()) == 1


async def test_private_address_is_refused_without_a_request(
    ingest_server: FeedServer, make_harness: Callable[..., Harness]
) -> None:
    """With no allow-list a loopback feed is refused by the guard before any request is sent."""
    strict = make_harness(allowed_hosts="")
    feed_id = strict.add(ingest_server.url("/feed"))
    await strict.round()
    status = strict.feed(feed_id).last_status or ""
    assert status.startswith(
        "guard: 127.0.0.1 is a loopback address, refused (allow it with ARMSWATCH_ALLOWED_HOSTS)"
    )
    assert ingest_server.requests == []


async def test_per_host_and_global_limits(
    ingest_server: FeedServer, make_harness: Callable[..., Harness]
) -> None:
    """Six slow feeds on one host are fetched two at a time; over two hosts at most three at once."""
    body = read_data("dup-a.rss")
    for n in range(6):
        ingest_server.slow(f"/slow{n}", body, seconds=0.3)
    harness = make_harness(poll_per_host=2, poll_concurrency=3)
    for n in range(6):
        harness.add(ingest_server.url(f"/slow{n}"))
    await harness.round()
    assert ingest_server.peak == 2
    ingest_server.peak = 0
    for n in range(6):
        host = "localhost" if n % 2 else "127.0.0.1"
        harness.add(f"http://{host}:{ingest_server.port}/slow{n}?again")
    await harness.round()
    assert ingest_server.peak == 3


async def test_run_loop_polls_everything_and_stops(ingest_server: FeedServer, harness: Harness) -> None:
    """The loop claims feeds in batches until all are polled, then stops cleanly when told."""
    for n in range(150):
        ingest_server.feed(f"/f{n}.rss", read_data("dup-a.rss").replace(b"/story/42", f"/story/{n}".encode()))
        harness.add(ingest_server.url(f"/f{n}.rss"))
    stop = asyncio.Event()
    runner = asyncio.create_task(harness.poller.run(stop))
    for _ in range(200):
        await asyncio.sleep(0.05)
        if len(harness.articles()) == 150:
            break
    stop.set()
    await asyncio.wait_for(runner, 10)
    assert len(harness.articles()) == 150
    rows = [harness.feed(n) for n in range(1, 151)]
    assert all(r.last_status == "200 ok, 1 items, 1 new" for r in rows)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<!doctype html><html><head><title>Moved</title></head><body>Our news</body></html>", "text/html"),
        (b'{"items": [{"title": "not a feed"}]}', "application/json"),
        (bytes(range(256)) * 40, "application/octet-stream"),
    ],
    ids=["html", "json", "binary"],
)
async def test_a_page_that_is_no_feed_is_a_feed_error(
    ingest_server: FeedServer, harness: Harness, body: bytes, content_type: str
) -> None:
    """HTML, JSON or binary instead of a feed counts as an error with a clear status, so health notices fire."""
    ingest_server.feed("/feed", body, content_type=content_type)
    feed_id = harness.add(ingest_server.url("/feed"))
    await harness.round()
    row = harness.feed(feed_id)
    assert row.last_status == f"200 but not a feed ({content_type})"
    assert row.consecutive_errors == 1 and harness.articles() == []
