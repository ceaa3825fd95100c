"""The delivery ledger: claim an (alert, channel) before sending, settle it after, never send a settled one.

One row per (alert or digest id, channel)::

    (none) ── claim ──> claimed ── settle ──> sent | failed      (settled: never sent again)
                          │  │
                          │  └── defer (channel down) ──> deferred ── claim after retry_at ──> claimed
                          │                                   (a claim before retry_at: "waiting")
                          └── owner died (crash) ── claim by another process ──> claimed, in_doubt += 1

A claim names its owner (``host:pid:token``) and time. Another process respects a live owner's
claim for ``lease`` seconds; it takes the claim over at once when the owner is known dead (same
host, pid gone or reused by the claimant itself), or after the lease. Only a taken-over claim can
repeat a send: the one send that was in flight when its owner died (``in_doubt`` counts them).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
import time
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from services.records import now_iso
from services.store.db import Database
from services.store.models import LedgerEntry

__all__ = [
    "SETTLED",
    "Claim",
    "ClaimResult",
    "channel_hash",
    "claim",
    "count",
    "defer",
    "in_doubt",
    "settle",
    "waiting",
]

#: Statuses that end an (alert, channel): "digest" marks an alert sent inside a digest message.
SETTLED = frozenset({"sent", "failed", "digest"})
#: This process's claim owner name.
OWNER = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"

ClaimResult = Literal["claimed", "settled", "busy", "waiting"]
#: Seconds before a deferred send is tried again: doubling from the first, up to the last.
DEFER_FIRST = 30.0
DEFER_MAX = 900.0


@dataclass(frozen=True, slots=True)
class Claim:
    """What :func:`claim` decided: "claimed" (send now), "settled" (done before), "busy" (another owner)
    or "waiting" (deferred: the channel was down; not before ``retry_at``).

    ``generation`` counts take-overs of the claim and ``round`` the deferrals, so each send of an
    (alert, channel) has its own attempt records on armswatch.deliveries.
    """

    result: ClaimResult
    in_doubt: bool = False
    generation: int = 0
    round: int = 0
    retry_at: float | None = None

    def __bool__(self) -> bool:
        return self.result == "claimed"


def channel_hash(url: str) -> str:
    """A stable id of a channel that does not reveal its secrets."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def _owner_dead(owner: str | None, me: str) -> bool:
    """True when `owner` is a process on this host that no longer runs (or whose pid is now ours)."""
    if not owner:
        return True
    host, _, rest = owner.partition(":")
    pid_text, _, _token = rest.partition(":")
    if host != me.partition(":")[0] or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return owner != me
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def claim(
    db: Database, alert_id: str, url: str, shown: str, *, lease: float = 600.0, owner: str = OWNER
) -> Claim:
    """Claim the (alert, channel) send for `owner`.

    Args:
        db: The store.
        alert_id: The alert (or digest) id.
        url: The channel URL (only its hash is stored).
        shown: The redacted URL, stored for people.
        lease: Seconds another live owner's claim is respected.
        owner: Who claims.

    Returns:
        A Claim: "settled" when sent or failed for good already, "busy" when another owner holds a
        live claim, else "claimed" (``in_doubt`` when it was taken over from a dead owner).
    """
    digest = channel_hash(url)
    now = time.time()
    with db.session() as session:
        row = session.scalar(
            select(LedgerEntry)
            .where(LedgerEntry.alert_id == alert_id, LedgerEntry.channel_hash == digest)
            .with_for_update()
        )
        if row is not None:
            if row.status in SETTLED:
                return Claim("settled")
            if row.status == "deferred":
                if row.retry_at is not None and now < row.retry_at:
                    return Claim("waiting", retry_at=row.retry_at)
                row.status, row.claimed_by, row.claimed_at = "claimed", owner, now
                return Claim("claimed", generation=row.in_doubt or 0, round=row.deferrals or 0)
            if row.claimed_by == owner:  # ours already (one send per channel at a time in a process)
                row.claimed_at = now
                return Claim("claimed", generation=row.in_doubt or 0, round=row.deferrals or 0)
            fresh = row.claimed_at is not None and now - row.claimed_at < lease
            if fresh and not _owner_dead(row.claimed_by, owner):
                return Claim("busy")
            row.claimed_by = owner
            row.claimed_at = now
            row.in_doubt = (row.in_doubt or 0) + 1
            row.updated_at = now_iso()
            return Claim("claimed", in_doubt=True, generation=row.in_doubt, round=row.deferrals or 0)
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
                    claimed_by=owner,
                    claimed_at=now,
                    in_doubt=0,
                )
            )
        return Claim("claimed")
    except IntegrityError:
        return claim(db, alert_id, url, shown, lease=lease, owner=owner)


def release(db: Database, alert_id: str, url: str, owner: str = OWNER) -> None:
    """Give up an unsettled claim (the send did not start), so another owner need not wait for the lease."""
    digest = channel_hash(url)
    with db.session() as session:
        row = session.scalar(
            select(LedgerEntry).where(LedgerEntry.alert_id == alert_id, LedgerEntry.channel_hash == digest)
        )
        if row is not None and row.status == "claimed" and row.claimed_by == owner:
            row.claimed_by = None
            row.claimed_at = None


def settle(
    db: Database,
    alert_id: str,
    url: str,
    status: str,
    attempts: int,
    error: str | None,
    *,
    shown: str | None = None,
) -> None:
    """Record the outcome of a send (a row is created when there was no claim, as for digest members)."""
    digest = channel_hash(url)
    with db.session() as session:
        row = session.scalar(
            select(LedgerEntry).where(LedgerEntry.alert_id == alert_id, LedgerEntry.channel_hash == digest)
        )
        if row is None:
            row = LedgerEntry(alert_id=alert_id, channel_hash=digest, channel=shown or "", in_doubt=0)
            session.add(row)
        row.status = status
        row.attempts = attempts
        row.error = error
        row.updated_at = now_iso()


def defer(
    db: Database,
    alert_id: str,
    url: str,
    attempts: int,
    error: str | None,
    *,
    window: float,
    first: float = DEFER_FIRST,
    owner: str = OWNER,
) -> str:
    """Park a send whose channel keeps failing with temporary errors; return "deferred", or "failed" past `window`.

    The next claim waits until ``retry_at`` (`first` seconds, doubling per round, at most 15 min); a
    channel still failing `window` seconds after its first deferral fails for good.
    """
    digest = channel_hash(url)
    now = time.time()
    with db.session() as session:
        row = session.scalar(
            select(LedgerEntry).where(LedgerEntry.alert_id == alert_id, LedgerEntry.channel_hash == digest)
        )
        if row is None:
            return "failed"
        row.attempts = attempts
        row.error = error
        row.updated_at = now_iso()
        row.deferred_at = row.deferred_at or now
        if now - row.deferred_at >= window:
            row.status = "failed"
            return "failed"
        row.deferrals = (row.deferrals or 0) + 1
        row.retry_at = now + min(DEFER_MAX, first * 2 ** min(row.deferrals - 1, 30))
        row.status = "deferred"
        if row.claimed_by == owner:
            row.claimed_by, row.claimed_at = None, None
        return "deferred"


def waiting() -> Select[str]:
    """A query of the alert (or digest) ids with a send deferred to a later time (to filter pending alerts)."""
    return select(LedgerEntry.alert_id).where(
        LedgerEntry.status == "deferred", LedgerEntry.retry_at > time.time()
    )


def count(db: Database, status: str | None = None) -> int:
    """How many ledger rows there are (with this status)."""
    with db.session() as session:
        query = select(func.count()).select_from(LedgerEntry)
        if status is not None:
            query = query.where(LedgerEntry.status == status)
        return int(session.scalar(query) or 0)


def in_doubt(db: Database) -> int:
    """How many claims were taken over from a dead owner (each may have repeated one send)."""
    with db.session() as session:
        return int(session.scalar(select(func.coalesce(func.sum(LedgerEntry.in_doubt), 0))) or 0)
