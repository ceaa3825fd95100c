"""The delivery ledger: claim an (alert, channel) before sending, settle it after, never send a settled one."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.records import now_iso
from services.store.db import Database
from services.store.models import LedgerEntry

SETTLED = frozenset({"sent", "failed"})


def channel_hash(url: str) -> str:
    """A stable id of a channel that does not reveal its secrets."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def claim(db: Database, alert_id: str, url: str, shown: str) -> bool:
    """Claim the (alert, channel) send; False when it is settled already (sent, or failed for good).

    A claim left by a crash between send and settle is taken again: that one send may repeat.
    """
    digest = channel_hash(url)
    with db.session() as session:
        row = session.scalar(
            select(LedgerEntry).where(LedgerEntry.alert_id == alert_id, LedgerEntry.channel_hash == digest)
        )
        if row is not None:
            if row.status in SETTLED:
                return False
            row.status = "claimed"
            row.updated_at = now_iso()
            return True
    try:
        with db.session() as session:
            session.add(
                LedgerEntry(
                    alert_id=alert_id,
                    channel_hash=digest,
                    channel=shown,
                    status="claimed",
                    attempts=0,
                    updated_at=now_iso(),
                )
            )
        return True
    except IntegrityError:
        return claim(db, alert_id, url, shown)


def settle(db: Database, alert_id: str, url: str, status: str, attempts: int, error: str | None) -> None:
    """Record the outcome of a claimed send."""
    digest = channel_hash(url)
    with db.session() as session:
        row = session.scalar(
            select(LedgerEntry).where(LedgerEntry.alert_id == alert_id, LedgerEntry.channel_hash == digest)
        )
        if row is not None:
            row.status = status
            row.attempts = attempts
            row.error = error
            row.updated_at = now_iso()


def count(db: Database, status: str | None = None) -> int:
    """How many ledger rows there are (with this status)."""
    with db.session() as session:
        query = select(LedgerEntry.id)
        if status is not None:
            query = query.where(LedgerEntry.status == status)
        return len(session.scalars(query).all())
