"""The WebSub callback ``/websub/{feed_id}``: answer hubs' verification of intent, take signed pushes.

No API token here: a hub proves itself by the HMAC (``X-Hub-Signature``) made with the
secret armswatch gave it when subscribing. An unsigned or wrongly signed push is refused
with 403 and its content ignored; a push for a feed armswatch no longer has gets 410.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import PlainTextResponse
from typing_extensions import TypedDict

from services.api.errors import ApiError, documented
from services.bus import Publisher
from services.ingest import websub
from services.ingest.parse import parse_feed
from services.ingest.produce import produce
from services.logs import get_logger
from services.store import feeds as feedstore

__all__ = ["bind", "router"]

log = get_logger("api.websub")

router = APIRouter(tags=["websub"])


def bind(publisher: Publisher) -> Callable[[Request], None]:
    """A router dependency handing ``publisher`` to the routes (``app.include_router(..., dependencies=)``)."""

    def _bind(request: Request) -> None:
        request.state.publisher = publisher

    return _bind


def _publisher(request: Request) -> Publisher:
    publisher = getattr(request.state, "publisher", None)
    if not isinstance(publisher, Publisher):
        raise ApiError(503, "unavailable", "websub: the callback is not bound to a publisher")
    return publisher


#: A feed's store id: a positive 64-bit integer (a longer number names no feed and must not reach the database).
FeedId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get(
    "/websub/{feed_id}",
    responses={
        200: {
            "description": "The hub's challenge, echoed.",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        **documented(404, 422),
    },
)
async def verify_intent(
    request: Request,
    feed_id: FeedId,
    mode: Annotated[str, Query(alias="hub.mode")],
    topic: Annotated[str | None, Query(alias="hub.topic")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge")] = None,
    lease_seconds: Annotated[float | None, Query(alias="hub.lease_seconds")] = None,
    reason: Annotated[str | None, Query(alias="hub.reason")] = None,
) -> PlainTextResponse:
    """Echo the challenge when we did ask for this (un)subscription; record a hub's denial."""
    db = _publisher(request).db
    record = await asyncio.to_thread(feedstore.websub_get, db, feed_id)
    if mode == "denied" and record is not None and topic == record.topic:
        await asyncio.to_thread(feedstore.websub_verified, db, feed_id, mode="denied", lease_seconds=None)
        log.warning("websub subscription denied", feed_id=feed_id, reason=reason)
        return PlainTextResponse("ok")
    if not challenge or not websub.intent_ok(record, mode, topic):
        log.warning("websub verification refused", feed_id=feed_id, mode=mode)
        raise ApiError(404, "not_found", f"websub: no {mode} wanted for feed {feed_id} on that topic")
    await asyncio.to_thread(feedstore.websub_verified, db, feed_id, mode=mode, lease_seconds=lease_seconds)
    log.info("websub verified", feed_id=feed_id, mode=mode, lease_seconds=lease_seconds)
    return PlainTextResponse(challenge)


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", f"websub: content larger than {limit} bytes")
    buffer = bytearray()
    async for chunk in request.stream():
        buffer += chunk
        if len(buffer) > limit:
            raise ApiError(413, "too_large", f"websub: content larger than {limit} bytes")
    return bytes(buffer)


class _Pushed(TypedDict):
    items: int
    new: int


class PushTaken(_Pushed, total=False):
    """What became of pushed content: its items, the new ones produced, or a poll started for full text."""

    polling: bool


@router.post("/websub/{feed_id}", status_code=202, responses=documented(403, 410, 413, 422))
async def push(request: Request, feed_id: FeedId) -> PushTaken:
    """Take pushed feed content signed with our secret and produce its new items as Articles."""
    publisher = _publisher(request)
    record = await asyncio.to_thread(feedstore.websub_get, publisher.db, feed_id)
    if record is None:
        raise ApiError(410, "gone", f"websub: no feed {feed_id}")
    body = await _body(request, publisher.settings.fetch_max_bytes)
    if not websub.signature_ok(record.secret, body, request.headers.get("x-hub-signature")):
        log.warning("websub push refused: bad or missing signature", feed_id=feed_id)
        raise ApiError(403, "forbidden", "websub: missing or wrong X-Hub-Signature")
    parsed = await asyncio.to_thread(parse_feed, body, record.url, request.headers.get("content-type"))
    if record.full_text:
        # The pushed items are announcements: the poller fetches the feed at once, with each page's
        # full text, within its limits (this process may be an API worker without a poller).
        await asyncio.to_thread(feedstore.poll_now, publisher.db, feed_id)
        log.info("websub push taken; full-text feed polled now", feed_id=feed_id, items=len(parsed.entries))
        return {"items": len(parsed.entries), "new": 0, "polling": True}
    items, produced = await produce(publisher, feed_id, record.url, parsed)
    log.info("websub push taken", feed_id=feed_id, items=items, new=produced)
    return {"items": items, "new": produced}
