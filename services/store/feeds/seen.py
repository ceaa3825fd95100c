"""The article ids feeds have produced: which of a poll's ids are new (one select), remember them once produced (one insert)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from services.store.db import Database
from services.store.models import SeenItem


def claim_seen(db: Database, feed_id: int, article_ids: Sequence[str]) -> list[str]:
    """Remember the ids not seen before and return them, in order; one select and one insert.

    Seen from any feed counts: the same article in two feeds is produced once.
    """
    wanted = list(dict.fromkeys(article_ids))
    if not wanted:
        return []
    now = datetime.now(UTC)
    try:
        with db.session() as session:
            known = set(session.scalars(select(SeenItem.article_id).where(SeenItem.article_id.in_(wanted))))
            fresh = [a for a in wanted if a not in known]
            if fresh:
                session.execute(
                    insert(SeenItem), [{"article_id": a, "feed_id": feed_id, "seen_at": now} for a in fresh]
                )
            return fresh
    except IntegrityError:  # another poller claimed one of them meanwhile: settle one by one
        return [a for a in wanted if _claim_one(db, feed_id, a, now)]


def _claim_one(db: Database, feed_id: int, article_id: str, now: datetime) -> bool:
    try:
        with db.session() as session:
            if session.get(SeenItem, article_id) is not None:
                return False
            session.add(SeenItem(article_id=article_id, feed_id=feed_id, seen_at=now))
        return True
    except IntegrityError:
        return False


def unseen(db: Database, article_ids: Sequence[str]) -> list[str]:
    """The ids no feed has produced yet, in order (read only: ``claim_seen`` remembers them once produced)."""
    wanted = list(dict.fromkeys(article_ids))
    if not wanted:
        return []
    with db.session() as session:
        known = set(session.scalars(select(SeenItem.article_id).where(SeenItem.article_id.in_(wanted))))
    return [a for a in wanted if a not in known]
