"""SQLAlchemy 2 models of the SQL store; a change here comes with an Alembic migration in migrations/versions/."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.record_types import Alert, Article, ProcurementEvent, Watchlist
from services.store.columns import String, Text


class Base(DeclarativeBase):
    """Declarative base of every armswatch table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class EventLog(Base):
    """Every record produced (embedded mode), in order: the archive that refills an empty broker."""

    __tablename__ = "event_log"
    __table_args__ = (UniqueConstraint("topic", "record_id", name="uq_event_log_record"),)

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    topic: Mapped[str] = mapped_column(String(200))
    record_id: Mapped[str] = mapped_column(String(200))
    key: Mapped[bytes | None] = mapped_column(LargeBinary)
    value: Mapped[bytes | None] = mapped_column(LargeBinary)
    published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: Why the broker can never take this record (too large, refused): kept here, never sent or relayed.
    quarantine: Mapped[str | None] = mapped_column(String(1000), nullable=True)


class Feed(Base):
    """A feed to poll, with its HTTP validators and health."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    interval_s: Mapped[float] = mapped_column(Float)
    full_text: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str | None] = mapped_column(String(500))
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_fetch_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[str | None] = mapped_column(String(200))
    consecutive_errors: Mapped[int] = mapped_column(Integer, default=0)
    next_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    items_seen: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    current_interval_s: Mapped[float | None] = mapped_column(Float)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    owner: Mapped[str | None] = mapped_column(String(200))
    notify: Mapped[list[Any] | None] = mapped_column(JSON)
    broken_notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    websub_hub: Mapped[str | None] = mapped_column(String(2000))
    websub_topic: Mapped[str | None] = mapped_column(String(2000))
    websub_secret: Mapped[str | None] = mapped_column(String(128))
    websub_state: Mapped[str | None] = mapped_column(String(20))
    #: A paused feed is never claimed by a poller until it is resumed.
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    websub_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SeenItem(Base):
    """An article id ingest has produced already: the same article from two feeds is produced once."""

    __tablename__ = "seen_items"

    article_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    feed_id: Mapped[int | None] = mapped_column(Integer)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ArticleRow(Base):
    """The read model of armswatch.articles."""

    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    feed_url: Mapped[str | None] = mapped_column(String(2000))
    source: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    published_at: Mapped[str | None] = mapped_column(String(40))
    fetched_at: Mapped[str] = mapped_column(String(40))
    record: Mapped[Article] = mapped_column(JSON)


class EventRow(Base):
    """The read model of armswatch.procurement: one procurement event."""

    __tablename__ = "procurement_events"
    __table_args__ = (Index("ix_events_buyer_detected", "buyer_iso", "detected_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    article_id: Mapped[str] = mapped_column(String(64), index=True)
    classifier_version: Mapped[str] = mapped_column(String(100))
    deal_key: Mapped[str] = mapped_column(String(300), index=True)
    buyer: Mapped[str] = mapped_column(String(300))
    buyer_iso: Mapped[str | None] = mapped_column(String(2))
    seller: Mapped[str | None] = mapped_column(String(300))
    seller_iso: Mapped[str | None] = mapped_column(String(2))
    system: Mapped[str | None] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int | None] = mapped_column(Integer)
    detected_at: Mapped[str] = mapped_column(String(40), index=True)
    record: Mapped[ProcurementEvent] = mapped_column(JSON)


class Deal(Base):
    """Events sharing a deal_key: furthest stage, first time of each stage, latest quantity and value."""

    __tablename__ = "deals"

    deal_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    buyer: Mapped[str] = mapped_column(String(300))
    buyer_iso: Mapped[str | None] = mapped_column(String(2), index=True)
    seller: Mapped[str | None] = mapped_column(String(300))
    seller_iso: Mapped[str | None] = mapped_column(String(2))
    system: Mapped[str | None] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(20))
    stages_seen: Mapped[dict[str, str]] = mapped_column(JSON)
    quantity: Mapped[int | None] = mapped_column(Integer)
    quantity_approx: Mapped[bool] = mapped_column(Boolean, default=False)
    value: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[str] = mapped_column(String(40))


class DealSource(Base):
    """One report of a deal: which event, article, outlet and language, with the evidence."""

    __tablename__ = "deal_sources"
    __table_args__ = (UniqueConstraint("deal_key", "event_id", name="uq_deal_source_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deal_key: Mapped[str] = mapped_column(String(300), index=True)
    event_id: Mapped[str] = mapped_column(String(64))
    article_id: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(20))
    outlet: Mapped[str] = mapped_column(String(500))
    language: Mapped[str | None] = mapped_column(String(16))
    url: Mapped[str | None] = mapped_column(String(2000))
    title: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[str] = mapped_column(String(40))


class WatchlistRow(Base):
    """The read model of the compacted armswatch.watchlists topic."""

    __tablename__ = "watchlists"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200), index=True)
    record: Mapped[Watchlist] = mapped_column(JSON)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[str] = mapped_column(String(40))


class AlertRow(Base):
    """An alert: at most one per (watchlist, deal, stage), decided by the unique constraint."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("watchlist_id", "deal_key", "stage", name="uq_alert_once"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    watchlist_id: Mapped[str] = mapped_column(String(64), index=True)
    deal_key: Mapped[str] = mapped_column(String(300))
    stage: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[str] = mapped_column(String(40))
    record: Mapped[Alert] = mapped_column(JSON)
    delivered: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    #: On armswatch.alerts: an alert is published as soon as it is decided, before any send.
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), index=True)
    # Digest watchlists hold their alerts until the period ends (due_at); "off" sends at once.
    digest: Mapped[str] = mapped_column(String(10), default="off", server_default="off")
    due_at: Mapped[str | None] = mapped_column(String(40), index=True)
    digest_id: Mapped[str | None] = mapped_column(String(64))


class LedgerEntry(Base):
    """The delivery ledger: one row per (alert, channel), claimed before the send, settled after."""

    __tablename__ = "delivery_ledger"
    __table_args__ = (UniqueConstraint("alert_id", "channel_hash", name="uq_ledger_alert_channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[str] = mapped_column(String(64), index=True)
    channel_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[str] = mapped_column(String(40))
    # Who holds the claim ("host:pid:token") and since when (epoch seconds); see services/notify/ledger.py.
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[float | None] = mapped_column(Float)
    # Claims taken over from a dead owner: each one may have repeated a send.
    in_doubt: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: A channel in an outage: the send is deferred (status "deferred") until retry_at, rounds counted.
    retry_at: Mapped[float | None] = mapped_column(Float)
    deferred_at: Mapped[float | None] = mapped_column(Float)
    deferrals: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DeadLetterRow(Base):
    """The read model of armswatch.deadletter."""

    __tablename__ = "dead_letters"
    __table_args__ = (UniqueConstraint("topic", "partition", "offset", name="uq_dead_letter_origin"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(200))
    partition: Mapped[int] = mapped_column(Integer)
    offset: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[str] = mapped_column(String(40))


class User(Base):
    """An API user; only the SHA-256 of the token is stored."""

    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[str] = mapped_column(String(40))
