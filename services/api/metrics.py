"""`/metrics`: the read model's sizes (shared by every process) and this process's counters, for Prometheus."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import func, select

from services.store.db import Database
from services.store.models import AlertRow, ArticleRow, DeadLetterRow, Deal, EventRow, Feed, LedgerEntry

_TABLES = (
    ("armswatch_articles", "Articles in the read model.", ArticleRow),
    ("armswatch_procurement_events", "Procurement events in the read model.", EventRow),
    ("armswatch_deals", "Deals in the read model.", Deal),
    ("armswatch_alerts", "Alerts raised.", AlertRow),
    ("armswatch_dead_letter_records", "Dead letters kept in the read model.", DeadLetterRow),
    ("armswatch_feeds", "Feeds watched.", Feed),
)


class StoreCollector(Collector):
    """Gauges read from the SQL store at scrape time."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Metric]:
        """One gauge per table, plus pending alerts, broken feeds and ledger outcomes."""
        with self.db.session() as session:
            for name, text, model in _TABLES:
                yield GaugeMetricFamily(
                    name, text, value=session.scalar(select(func.count()).select_from(model)) or 0
                )
            pending = session.scalar(
                select(func.count()).select_from(AlertRow).where(AlertRow.delivered.is_(False))
            )
            yield GaugeMetricFamily(
                "armswatch_alerts_pending", "Alerts not delivered yet.", value=pending or 0
            )
            failing = session.scalar(
                select(func.count()).select_from(Feed).where(Feed.consecutive_errors > 0)
            )
            yield GaugeMetricFamily(
                "armswatch_feeds_failing", "Feeds whose last fetch failed.", value=failing or 0
            )
            ledger = GaugeMetricFamily("armswatch_deliveries", "Ledger rows by status.", labels=["status"])
            for status, count in session.execute(
                select(LedgerEntry.status, func.count()).group_by(LedgerEntry.status)
            ):
                ledger.add_metric([status], count)
            yield ledger


def exposition(db: Database) -> bytes:
    """The Prometheus text exposition: the store's gauges and the process registry."""
    registry = CollectorRegistry()
    registry.register(StoreCollector(db))
    return generate_latest(registry) + generate_latest(REGISTRY)
