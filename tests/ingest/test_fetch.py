"""Tests for services.ingest.fetch against a local threaded HTTP server."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from services.ingest.fetch import USER_AGENT, FetchResult, fetch_feed, parse_retry_after
from services.ingest.guard import check_host_allowed

from .conftest import FeedServer, read_data

MB = 1024 * 1024
FEED = read_data("dup-a.rss")


async def get(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = MB,
    timeout: httpx.Timeout | float = 5.0,
    deadline: float | None = None,
) -> FetchResult:
    """Call fetch_feed with test defaults."""
    return await fetch_feed(
        client, url, etag=etag, last_modified=last_modified, max_bytes=max_bytes, timeout=timeout,
        deadline=deadline,
    )  # fmt: skip


async def test_ok_returns_body_validators_and_polite_headers(
    ingest_server: FeedServer, client: httpx.AsyncClient
) -> None:
    """A 200 returns the body, ETag, Last-Modified, content type, and the request carries our User-Agent."""
    ingest_server.feed("/feed", FEED, etag='"v1"', last_modified="Wed, 06 Mar 2024 10:00:00 GMT")
    result = await fetch_feed(
        client, ingest_server.url("/feed"), etag=None, last_modified=None, max_bytes=MB, timeout=5.0
    )
    assert (result.status, result.error, result.body) == (200, None, FEED)
    assert result.etag == '"v1"'
    assert result.last_modified == "Wed, 06 Mar 2024 10:00:00 GMT"
    assert result.content_type == "application/rss+xml"
    assert result.final_url == ingest_server.url("/feed")
    assert result.permanent_redirect is False
    assert result.elapsed >= 0
    seen = ingest_server.requests[-1].headers
    assert seen["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("armswatch/") and "(+https://github.com/armswatch)" in USER_AGENT
    assert "if-none-match" not in seen


async def test_conditional_get_answers_304(ingest_server: FeedServer, client: httpx.AsyncClient) -> None:
    """With the validators from the last fetch the server answers 304, no body, validators kept."""
    ingest_server.feed("/feed", FEED, etag='"v1"', last_modified="Wed, 06 Mar 2024 10:00:00 GMT")
    first = await fetch_feed(
        client, ingest_server.url("/feed"), etag=None, last_modified=None, max_bytes=MB, timeout=5.0
    )
    second = await fetch_feed(
        client,
        ingest_server.url("/feed"),
        etag=first.etag,
        last_modified=first.last_modified,
        max_bytes=MB,
        timeout=5.0,
    )
    assert second.status == 304 and second.not_modified
    assert second.body is None and second.error is None
    assert second.etag == '"v1"'
    assert second.last_modified == "Wed, 06 Mar 2024 10:00:00 GMT"  # kept though the 304 omits it
    seen = ingest_server.requests[-1].headers
    assert seen["if-none-match"] == '"v1"'
    assert seen["if-modified-since"] == "Wed, 06 Mar 2024 10:00:00 GMT"


async def test_gzip_body_is_decoded(ingest_server: FeedServer, client: httpx.AsyncClient) -> None:
    """A gzip-encoded response comes back decoded."""
    ingest_server.feed("/gz", FEED, gzipped=True)
    result = await get(client, ingest_server.url("/gz"))
    assert result.body == FEED
    assert "gzip" in ingest_server.requests[-1].headers["accept-encoding"]


@pytest.mark.parametrize(("status", "permanent"), [(301, True), (308, True), (302, False), (307, False)])
async def test_single_redirect(
    ingest_server: FeedServer, client: httpx.AsyncClient, status: int, permanent: bool
) -> None:
    """A redirect is followed; only 301/308 count as permanent."""
    ingest_server.redirect("/old", status, "/new")
    ingest_server.feed("/new", FEED)
    result = await fetch_feed(
        client, ingest_server.url("/old"), etag=None, last_modified=None, max_bytes=MB, timeout=5.0
    )
    assert (result.status, result.body, result.error) == (200, FEED, None)
    assert result.final_url == ingest_server.url("/new")
    assert result.permanent_redirect is permanent


async def test_chain_is_permanent_only_if_every_hop_is(
    ingest_server: FeedServer, client: httpx.AsyncClient
) -> None:
    """301 then 302 is not a permanent move; 301 then 308 is."""
    ingest_server.redirect("/a", 301, "/b")
    ingest_server.redirect("/b", 302, "/feed")
    ingest_server.redirect("/c", 301, ingest_server.url("/d"))
    ingest_server.redirect("/d", 308, "/feed")
    ingest_server.feed("/feed", FEED)
    mixed = await get(client, ingest_server.url("/a"))
    both = await get(client, ingest_server.url("/c"))
    assert mixed.permanent_redirect is False
    assert both.permanent_redirect is True
    assert both.final_url == ingest_server.url("/feed")


async def test_redirect_loop_is_an_error(ingest_server: FeedServer, client: httpx.AsyncClient) -> None:
    """A redirect back to a URL already visited stops with "redirect loop"."""
    ingest_server.redirect("/ping", 301, "/pong")
    ingest_server.redirect("/pong", 302, "/ping")
    result = await fetch_feed(
        client, ingest_server.url("/ping"), etag=None, last_modified=None, max_bytes=MB, timeout=5.0
    )
    assert result.error == "redirect loop"
    assert result.body is None
    assert len(ingest_server.requests) == 2


async def test_too_many_redirects(ingest_server: FeedServer, client: httpx.AsyncClient) -> None:
    """More than five hops is an error, even without a loop."""
    for hop in range(7):
        ingest_server.redirect(f"/r{hop}", 302, f"/r{hop + 1}")
    ingest_server.feed("/r7", FEED)
    result = await get(client, ingest_server.url("/r0"))
    assert result.error == "more than 5 redirects"
    assert result.body is None


async def test_429_with_retry_after_seconds(ingest_server: FeedServer, client: httpx.AsyncClient) -> None:
    """A 429 reports its Retry-After delay in seconds and an error."""
    ingest_server.status("/busy", 429, {"Retry-After": "120"})
    result = await fetch_feed(
        client, ingest_server.url("/busy"), etag=None, last_modified=None, max_bytes=MB, timeout=5.0
    )
    assert result.status == 429
    assert result.retry_after == 120.0
    assert result.error is not None and result.error.startswith("HTTP 429")
    assert result.body is None


async def test_503_with_retry_after_date(ingest_server: FeedServer, client: httpx.AsyncClient) -> None:
    """A 503 with an HTTP-date Retry-After becomes the seconds until then."""
    when = datetime.now(UTC) + timedelta(minutes=10)
    ingest_server.status("/down", 503, {"Retry-After": format_datetime(when, usegmt=True)})
    result = await get(client, ingest_server.url("/down"))
    assert result.status == 503
    assert result.retry_after is not None and 590 <= result.retry_after <= 600


async def test_404_is_an_error_without_retry_after(
    ingest_server: FeedServer, client: httpx.AsyncClient
) -> None:
    """Other error statuses are reported, with no Retry-After parsing."""
    ingest_server.status("/gone", 404, {"Retry-After": "5"})
    result = await get(client, ingest_server.url("/gone"))
    assert result.status == 404
    assert result.retry_after is None
    assert result.error is not None and result.error.startswith("HTTP 404")


@pytest.mark.parametrize("declare_length", [True, False])
async def test_50_mb_body_is_refused_at_the_cap(
    ingest_server: FeedServer, client: httpx.AsyncClient, declare_length: bool
) -> None:
    """A 50 MB body is refused at a 1 MB cap, whether or not Content-Length announces it."""
    ingest_server.huge("/big", 50 * MB, declare_length=declare_length)
    result = await fetch_feed(
        client, ingest_server.url("/big"), etag=None, last_modified=None, max_bytes=MB, timeout=5.0
    )
    assert result.error == f"body larger than {MB} bytes"
    assert result.body is None
    assert result.status == 200
    assert result.elapsed < 5


async def test_stall_before_headers_times_out(ingest_server: FeedServer, client: httpx.AsyncClient) -> None:
    """A server that never answers gives a timeout error, not an exception."""
    ingest_server.stall("/slow", before_headers=True)
    result = await fetch_feed(
        client, ingest_server.url("/slow"), etag=None, last_modified=None, max_bytes=MB, timeout=0.5
    )
    assert result.status is None
    assert result.error == "timeout: ReadTimeout"
    assert result.elapsed < 3


async def test_stall_mid_body_times_out(ingest_server: FeedServer, client: httpx.AsyncClient) -> None:
    """A server that stops sending half-way through the body also ends in a timeout error."""
    ingest_server.stall("/half", before_headers=False)
    result = await get(client, ingest_server.url("/half"), timeout=httpx.Timeout(5.0, read=0.5))
    assert result.error == "timeout: ReadTimeout"
    assert result.body is None


async def test_drip_feed_is_stopped_by_the_deadline(
    ingest_server: FeedServer, client: httpx.AsyncClient
) -> None:
    """A server dripping a byte at a time never trips the read timeout; the overall deadline stops it."""
    ingest_server.drip("/drip", interval=0.1)
    result = await get(client, ingest_server.url("/drip"), timeout=2.0, deadline=0.8)
    assert result.error == "timeout: no complete response within 0.8 s"
    assert result.elapsed < 2


async def test_connection_refused_is_an_error_string(client: httpx.AsyncClient) -> None:
    """Nothing listening: the error names the failure, no exception escapes."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = await get(client, f"http://127.0.0.1:{port}/feed")
    assert result.status is None
    assert result.error is not None and result.error.startswith("ConnectError")


async def test_check_url_guards_every_redirect_hop(
    ingest_server: FeedServer, client: httpx.AsyncClient
) -> None:
    """The SSRF guard passed as check_url refuses a redirect to a metadata address."""
    ingest_server.redirect("/trap", 302, "http://169.254.169.254/latest/meta-data/")
    allowed = frozenset({ingest_server.host})

    async def guard(url: str) -> None:
        await check_host_allowed(url, allowed)

    result = await fetch_feed(
        client,
        ingest_server.url("/trap"),
        etag=None,
        last_modified=None,
        max_bytes=MB,
        timeout=5.0,
        check_url=guard,
    )
    assert result.error is not None and "169.254.169.254 is a metadata address" in result.error
    assert result.final_url == "http://169.254.169.254/latest/meta-data/"
    assert len(ingest_server.requests) == 1


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("30", 30.0),
        (" 0 ", 0.0),
        ("-5", 0.0),
        ("Wed, 06 Mar 2024 10:01:00 GMT", 60.0),
        ("Wed, 06 Mar 2024 09:00:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    """Seconds and HTTP dates both parse; a past date is zero; garbage is None."""
    now = datetime(2024, 3, 6, 10, 0, tzinfo=UTC)
    assert parse_retry_after(header, now=now) == expected
