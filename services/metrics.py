"""Process counters for Prometheus: records produced and quarantined, dead letters; served by the API at /metrics."""

from __future__ import annotations

from prometheus_client import Counter

RECORDS_PRODUCED = Counter(
    "armswatch_records_produced", "Records this process put on a topic (new ones only).", ["topic"]
)
DEAD_LETTERS = Counter(
    "armswatch_dead_letters", "Consumed records this process sent to the dead-letter topic.", ["topic"]
)
RECORDS_QUARANTINED = Counter(
    "armswatch_records_quarantined",
    "Records this process kept in quarantine: too large for a topic, or refused by the broker for good.",
    ["topic"],
)
