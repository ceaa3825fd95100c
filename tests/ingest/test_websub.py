"""WebSub push intake: a round trip against the test hub, signatures, verification of intent, lease renewal."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import uvicorn
from sqlalchemy import update

from services.api.app import create_app
from services.ingest.websub import callback_url, intent_ok, signature_ok
from services.store.feeds import WebSubRecord
from services.store.models import Feed
from tests.fixtures._support import free_port

from .conftest import FeedServer, Harness
from .hub import Hub, push

BODY = b"<feed/>"


def feed_xml(hub: str, self_url: str, *stories: int) -> bytes:
    """An Atom feed advertising ``hub`` with one entry per story number."""
    entries = "".join(
        f"<entry><id>urn:story:{n}</id><title>Story {n} about the new frigate order</title>"
        f"<link href='https://news.test.invalid/story/{n}'/><updated>2024-03-0{n}T10:00:00Z</updated>"
        f"<summary>Story number {n}.</summary></entry>"
        for n in stories
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom' xml:lang='en'>"
        f"<title>Pushed</title><id>urn:pushed</id><link rel='hub' href='{hub}'/>"
        f"<link rel='self' href='{self_url}'/><updated>2024-03-08T10:00:00Z</updated>{entries}</feed>"
    ).encode()


def sign(secret: str, body: bytes, method: str = "sha256") -> str:
    """An X-Hub-Signature value."""
    return f"{method}={hmac.new(secret.encode(), body, getattr(hashlib, method)).hexdigest()}"


@pytest.mark.parametrize("method", ["sha1", "sha256", "sha512"])
def test_signature_ok(method: str) -> None:
    """A signature made with the secret verifies, whatever the digest named."""
    assert signature_ok("s3cret", BODY, sign("s3cret", BODY, method))


@pytest.mark.parametrize(
    "header", [None, "", "sha256", "sha256=00", "md5=abc", sign("other", BODY), sign("s3cret", BODY + b" ")]
)
def test_signature_refused(header: str | None) -> None:
    """Missing, malformed, unknown-method or wrong signatures do not verify."""
    assert not signature_ok("s3cret", BODY, header)


def test_no_secret_never_verifies() -> None:
    """A feed without a secret accepts no push at all."""
    assert not signature_ok(None, BODY, sign("", BODY))


@pytest.mark.parametrize(
    ("state", "mode", "topic", "ok"),
    [
        ("pending", "subscribe", "t", True),
        ("active", "subscribe", "t", True),
        (None, "subscribe", "t", False),
        ("pending", "subscribe", "other", False),
        (None, "unsubscribe", "t", True),
        ("active", "unsubscribe", "t", False),
        ("active", "bogus", "t", False),
    ],
)
def test_intent(state: str | None, mode: str, topic: str, ok: bool) -> None:
    """We confirm only what we asked for, on the topic we asked for."""
    record = WebSubRecord(1, "https://x.test/feed", "t", "s", state)
    assert intent_ok(record, mode, topic) is ok
    assert not intent_ok(None, mode, topic)


def test_callback_url() -> None:
    """The callback is the API's /websub/{feed_id}."""
    assert callback_url("https://aw.example.org/", 7) == "https://aw.example.org/websub/7"


@pytest.fixture
async def api(make_harness: Callable[..., Harness]) -> AsyncIterator[tuple[Harness, str]]:
    """The API app served by uvicorn on loopback, and a poller whose callbacks point at it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    harness = make_harness(websub_callback_url=base, websub_lease=86400.0, websub_fallback_interval=7200.0)
    config = uvicorn.Config(
        create_app(harness.poller.publisher), host="127.0.0.1", port=port, log_config=None, lifespan="off"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield harness, base
    finally:
        server.should_exit = True
        await serving


async def wait_verified(hub: Hub, count: int) -> None:
    """Wait (in the event loop, so the API can answer) until the hub verified ``count`` requests."""
    for _ in range(250):
        if len(hub.requests) >= count and hub.requests[count - 1].verified.is_set():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the hub did not verify in time")


async def test_round_trip(ingest_server: FeedServer, websub_hub: Hub, api: tuple[Harness, str]) -> None:
    """Poll → subscribe → hub verifies → signed push produces its new item; bad pushes are refused."""
    harness, base = api
    topic = ingest_server.url("/pushed.atom")
    ingest_server.feed(
        "/pushed.atom", feed_xml(websub_hub.url, topic, 1), content_type="application/atom+xml"
    )
    feed_id = harness.add(topic)
    await harness.round()
    await wait_verified(websub_hub, 1)
    sub = websub_hub.requests[0]
    assert (sub.topic, sub.callback, sub.lease) == (topic, f"{base}/websub/{feed_id}", 86400)
    assert not sub.refused and len(sub.secret) == 64
    row = harness.feed(feed_id)
    assert row.websub_state == "active" and row.websub_expires_at is not None
    assert [a["title"] for a in harness.articles()] == ["Story 1 about the new frigate order"]

    assert await asyncio.to_thread(websub_hub.publish, topic, feed_xml(websub_hub.url, topic, 1, 2)) == 202
    assert [a["title"] for a in harness.articles()][-1] == "Story 2 about the new frigate order"
    assert len(harness.articles()) == 2  # story 1 again is no new Article

    third = feed_xml(websub_hub.url, topic, 3)
    assert await asyncio.to_thread(websub_hub.publish, topic, third, signed=False) == 403
    assert await asyncio.to_thread(websub_hub.publish, topic, third, sign_with="not-the-secret") == 403
    assert await asyncio.to_thread(push, f"{base}/websub/9999", third, sub.secret) == 410
    assert len(harness.articles()) == 2

    harness.due_now()
    await harness.round()  # the fallback poll: long interval while the hub pushes
    assert harness.feed(feed_id).next_due_at is not None
    due = harness.feed(feed_id).next_due_at
    assert due is not None and (due.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds() > 7000
    assert len(websub_hub.requests) == 1  # an active subscription is not asked for again


async def test_hub_cannot_confirm_what_we_did_not_ask(
    ingest_server: FeedServer, websub_hub: Hub, api: tuple[Harness, str]
) -> None:
    """A verification for another topic, or for a feed that never subscribed, is answered 404."""
    harness, base = api
    feed_id = harness.add(ingest_server.url("/quiet.rss"))
    query = "hub.mode=subscribe&hub.topic=https://evil.test/&hub.challenge=abc&hub.lease_seconds=60"
    async with httpx.AsyncClient(trust_env=False) as client:
        answer = await client.get(f"{base}/websub/{feed_id}?{query}")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"
    assert harness.feed(feed_id).websub_state is None


async def test_lease_is_renewed_before_it_ends(
    ingest_server: FeedServer, websub_hub: Hub, api: tuple[Harness, str]
) -> None:
    """A lease close to its end is renewed with the same secret, and the hub's new lease is stored."""
    harness, _ = api
    topic = ingest_server.url("/pushed.atom")
    ingest_server.feed(
        "/pushed.atom", feed_xml(websub_hub.url, topic, 1), content_type="application/atom+xml"
    )
    feed_id = harness.add(topic)
    await harness.round()
    await wait_verified(websub_hub, 1)
    soon = datetime.now(UTC) + timedelta(minutes=5)
    with harness.db.session() as session:
        session.execute(update(Feed).where(Feed.id == feed_id).values(websub_expires_at=soon))
    assert await harness.poller.renew_leases() == 1
    await asyncio.wait(list(harness.poller.background), timeout=10)
    await wait_verified(websub_hub, 2)
    assert websub_hub.requests[1].secret == websub_hub.requests[0].secret
    expires = harness.feed(feed_id).websub_expires_at
    assert expires is not None and expires.replace(tzinfo=UTC) > datetime.now(UTC) + timedelta(hours=23)
    assert await harness.poller.renew_leases() == 0


async def test_push_to_a_full_text_feed_polls_it_now(
    ingest_server: FeedServer, websub_hub: Hub, api: tuple[Harness, str]
) -> None:
    """A push for a --full-text feed produces nothing itself: the feed is due at once and the poll (with full text) produces."""
    harness, _base = api
    topic = ingest_server.url("/full-pushed.atom")
    ingest_server.feed(
        "/full-pushed.atom", feed_xml(websub_hub.url, topic, 1), content_type="application/atom+xml"
    )
    feed_id = harness.add(topic, full_text=True)
    await harness.round()
    await wait_verified(websub_hub, 1)
    assert len(harness.articles()) == 1
    ingest_server.feed(
        "/full-pushed.atom", feed_xml(websub_hub.url, topic, 1, 2), content_type="application/atom+xml"
    )
    assert await asyncio.to_thread(websub_hub.publish, topic, feed_xml(websub_hub.url, topic, 1, 2)) == 202
    assert len(harness.articles()) == 1, "the push itself produced nothing"
    due = harness.feed(feed_id).next_due_at
    assert due is not None and (due.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds() <= 1
    await harness.round()
    assert [a["title"] for a in harness.articles()][-1] == "Story 2 about the new frigate order"
