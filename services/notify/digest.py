"""Digests: send each hourly or daily watchlist's held alerts as one message per channel once the period ends.

Alerts of a digest watchlist are stored with the end of their period (``due_at``) and a digest id
(``alerts.digest_id``); nothing is sent for a period without alerts. When a period is over, its
alerts (on armswatch.alerts since they were decided) go in one digest message to each channel under the ledger
(keyed by the digest id), and each alert gets a settled "digest" ledger row per channel so no
later pass sends it alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from services.channels import redact
from services.logs import get_logger
from services.notify import ledger
from services.notify.alerts import iso
from services.notify.decided import build_view
from services.notify.render.digest import DigestView, render_digest
from services.notify.view import AlertView
from services.record_types import Alert, Watchlist
from services.store.models import AlertRow
from services.store.readmodel import live_watchlist

if TYPE_CHECKING:
    from services.notify.agent import Notifier

__all__ = ["deliver_due_digests", "due_digests"]

log = get_logger("notify")


def due_digests(notifier: Notifier, now: datetime) -> list[str]:
    """The ids of digests whose period ended by `now` and that still hold undelivered alerts."""
    with notifier.db.session() as session:
        rows = session.execute(
            select(AlertRow.digest_id)
            .where(
                AlertRow.delivered.is_(False),
                AlertRow.digest != "off",
                AlertRow.due_at <= iso(now),
                AlertRow.digest_id.is_not(None),
            )
            .group_by(AlertRow.digest_id)
            .order_by(AlertRow.digest_id)
        ).all()
    return [str(r[0]) for r in rows]


def _load(notifier: Notifier, digest_id: str) -> tuple[Watchlist | None, list[Alert], DigestView] | None:
    with notifier.db.session() as session:
        rows = session.scalars(
            select(AlertRow)
            .where(AlertRow.digest_id == digest_id, AlertRow.delivered.is_(False))
            .order_by(AlertRow.created_at, AlertRow.id)
        ).all()
        if not rows:
            return None
        first = rows[0]
        watchlist = live_watchlist(session, first.watchlist_id)
        name = watchlist["name"] if watchlist else first.watchlist_id
        views: list[AlertView] = [build_view(session, r.record.copy(), name) for r in rows]
        records = [r.record.copy() for r in rows]
        view = DigestView(digest_id, name, first.digest, str(first.due_at), tuple(views))
    return watchlist, records, view


def _settle_members(notifier: Notifier, digest_id: str, alert_ids: Iterable[str], urls: list[str]) -> None:
    ids = list(alert_ids)
    for url in urls:
        for alert_id in ids:
            ledger.settle(
                notifier.db, alert_id, url, "digest", 0, f"in digest {digest_id}", shown=redact(url)
            )
    with notifier.db.session() as session:
        for alert_id in ids:
            row = session.get(AlertRow, alert_id)
            if row is not None:
                row.delivered = True


async def deliver_digest(notifier: Notifier, digest_id: str) -> bool:
    """Send one due digest to its watchlist's channels; True when every channel is settled."""
    loaded = await asyncio.to_thread(_load, notifier, digest_id)
    if loaded is None:
        return True
    await notifier.publish_decided()  # its alerts are on armswatch.alerts before the digest goes out
    watchlist, records, view = loaded
    urls = list(watchlist["notify"]) if watchlist else []
    statuses = await asyncio.gather(
        *(notifier.sender.send(digest_id, url, lambda kind: render_digest(view, kind)) for url in urls)
    )
    if {"busy", "deferred", "waiting"} & set(statuses):
        return False
    await asyncio.to_thread(_settle_members, notifier, digest_id, [r["id"] for r in records], urls)
    log.info("digest delivered", digest_id=digest_id, alerts=len(records), channels=len(urls))
    return True


async def deliver_due_digests(notifier: Notifier, now: datetime | None = None) -> int:
    """Send every digest due at `now` (default: the current time); return how many were handled."""
    due = await asyncio.to_thread(due_digests, notifier, now or datetime.now(UTC))
    done = await asyncio.gather(*(deliver_digest(notifier, d) for d in due))
    return sum(1 for ok in done if ok)
