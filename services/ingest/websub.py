"""WebSub (W3C) subscriber side: subscribe to a hub, judge its verification of intent, check push signatures.

The HTTP endpoint itself is ``services/api/websub.py``; the poller subscribes when a
feed advertises a hub and renews leases before they end.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import httpx

from services.ingest.fetch import UrlCheck
from services.store.feeds import WebSubRecord

__all__ = [
    "SIGNATURE_METHODS",
    "callback_url",
    "intent_ok",
    "new_secret",
    "signature_ok",
    "subscribe",
]

#: Digest methods a hub may sign with (``X-Hub-Signature: sha256=<hex>``).
SIGNATURE_METHODS = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}


def new_secret() -> str:
    """A fresh HMAC secret for one subscription (64 hex characters; the spec allows up to 200 bytes)."""
    return secrets.token_hex(32)


def callback_url(base: str, feed_id: int) -> str:
    """The callback URL a hub calls for one feed: ``{base}/websub/{feed_id}``."""
    return f"{base.rstrip('/')}/websub/{feed_id}"


def signature_ok(secret: str | None, body: bytes, header: str | None) -> bool:
    """True when ``header`` (``method=hexdigest``) is the HMAC of ``body`` under ``secret``."""
    if not secret or not header or "=" not in header:
        return False
    method, _, given = header.strip().partition("=")
    digest = SIGNATURE_METHODS.get(method.strip().lower())
    if digest is None:
        return False
    expected = hmac.new(secret.encode("utf-8"), body, digest).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())


def intent_ok(record: WebSubRecord | None, mode: str, topic: str | None) -> bool:
    """Whether to confirm a hub's verification request for this feed.

    A subscription is confirmed only while we asked for one (state pending or active) on
    this very topic; an unsubscription only when we no longer want the feed pushed.
    """
    if record is None or not topic or topic != record.topic:
        return False
    if mode == "subscribe":
        return record.state in ("pending", "active")
    if mode == "unsubscribe":
        return record.state not in ("pending", "active")
    return False


async def subscribe(
    client: httpx.AsyncClient,
    hub: str,
    *,
    topic: str,
    callback: str,
    secret: str,
    lease_seconds: float,
    timeout: float,
    check_url: UrlCheck | None = None,
) -> str | None:
    """Ask ``hub`` to push ``topic`` to ``callback``; return None when it accepted (2xx), else the error.

    The hub then verifies our intent with a GET on the callback, asynchronously.
    """
    form = {
        "hub.mode": "subscribe",
        "hub.topic": topic,
        "hub.callback": callback,
        "hub.secret": secret,
        "hub.lease_seconds": str(int(lease_seconds)),
    }
    try:
        if check_url is not None:
            await check_url(hub)
        response = await client.post(hub, data=form, timeout=timeout, follow_redirects=False)
    except (httpx.HTTPError, ValueError) as exc:
        return f"websub: {type(exc).__name__}: {exc}".rstrip(": ")
    if 200 <= response.status_code < 300:
        return None
    return f"websub: hub answered HTTP {response.status_code}"
