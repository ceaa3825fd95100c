"""Feed health: decide when a feed counts as broken or recovered, and tell its owner and the admin once.

Notices go through apprise (``services.channels``) to the feed's own notify URLs
and to the ``feed_alerts_notify`` setting, apprise's throttling and retries off; every
URL is a secret, so only its redacted form is ever logged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import apprise

from services.channels import instantiate, redact
from services.logs import get_logger
from services.netguard import AddressPolicy, connections_checked

__all__ = ["Notice", "notice_for", "send_notice", "split_urls", "transition"]

log = get_logger("ingest.health")

Change = Literal["broken", "recovered"]


@dataclass(frozen=True, slots=True)
class Notice:
    """A feed health message, ready to send."""

    change: Change
    feed_id: int
    title: str
    body: str


def transition(*, errors: int, threshold: int, notified: bool) -> Change | None:
    """'broken' when ``errors`` reaches ``threshold`` and no notice went out yet; 'recovered' after one did."""
    if errors >= threshold and not notified:
        return "broken"
    if errors == 0 and notified:
        return "recovered"
    return None


def notice_for(change: Change, *, feed_id: int, url: str, status: str, errors: int) -> Notice:
    """Word the notice for one feed."""
    if change == "broken":
        title = f"armswatch: feed {feed_id} is broken"
        body = (
            f"The feed {url} failed {errors} times in a row; last status: {status}.\n"
            "armswatch keeps polling it less and less often and will tell you when it recovers."
        )
    else:
        title = f"armswatch: feed {feed_id} recovered"
        body = f"The feed {url} works again; last status: {status}."
    return Notice(change, feed_id, title, body)


def split_urls(value: str | None) -> list[str]:
    """Apprise URLs from a comma- or space-separated setting."""
    return [part for part in (value or "").replace(",", " ").split() if part]


def _send_one(url: str, notice: Notice, policy: AddressPolicy) -> bool:
    plugin = instantiate(url)
    if plugin is None:
        return False
    plugin.request_rate_per_sec = 0
    plugin.retry = 0
    sender = apprise.Apprise()
    sender.add(plugin)
    try:
        with connections_checked(policy):
            return bool(sender.notify(body=notice.body, title=notice.title))
    except Exception:  # a plugin bug must not break the poller
        return False


async def send_notice(notice: Notice, urls: Iterable[str], policy: AddressPolicy) -> int:
    """Send ``notice`` to every URL (blocking sends in threads, only to addresses `policy` allows)."""
    targets = list(dict.fromkeys(urls))
    results = await asyncio.gather(*(asyncio.to_thread(_send_one, url, notice, policy) for url in targets))
    for url, ok in zip(targets, results, strict=True):
        log.info(
            "feed health notice",
            feed_id=notice.feed_id,
            change=notice.change,
            channel=redact(url),
            sent=ok,
        )
    return sum(results)
