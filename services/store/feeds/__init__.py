"""Feeds in the SQL store: the catalog users edit, the poller's leases, the ids seen, WebSub state.

One module per job; this package names them all, so callers write ``feeds.add_feed``, ``feeds.claim_due``.
"""

from services.store.feeds.catalog import (
    FeedState,
    add_feed,
    add_feeds,
    get_feed,
    list_feeds,
    mark_notified,
    remove_feed,
    set_paused,
)
from services.store.feeds.leases import Outcome, claim_due, poll_now, record_fetches
from services.store.feeds.seen import claim_seen, unseen
from services.store.feeds.websub import (
    WebSubRecord,
    websub_expiring,
    websub_get,
    websub_pending,
    websub_verified,
)

__all__ = [
    "FeedState",
    "Outcome",
    "WebSubRecord",
    "add_feed",
    "add_feeds",
    "claim_due",
    "claim_seen",
    "get_feed",
    "list_feeds",
    "mark_notified",
    "poll_now",
    "record_fetches",
    "remove_feed",
    "set_paused",
    "unseen",
    "websub_expiring",
    "websub_get",
    "websub_pending",
    "websub_verified",
]
