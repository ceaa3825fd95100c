"""The records of the topics as typed dictionaries, one class per JSON Schema in services/schemas/.

Records travel as JSON objects; these classes give mypy their fields, so a producer and a consumer
of a topic agree on names and types. tests/unit/test_record_types.py holds each class to its schema
(field names, required fields, enums). No postponed annotations here: TypedDict reads NotRequired at
class creation.
"""

from typing import (
    Literal,
    NotRequired,  # pydantic reads these on Python < 3.12 (API responses)
)

from typing_extensions import TypedDict

Stage = Literal["interest", "negotiation", "approval", "contract", "delivery", "cancellation"]
Category = Literal[
    "uav",
    "combat_aircraft",
    "transport_aircraft",
    "helicopter",
    "air_defence",
    "missile",
    "armoured_vehicle",
    "artillery",
    "naval_vessel",
    "submarine",
    "radar_sensor",
    "small_arms_ammo",
    "other",
]
Digest = Literal["off", "hourly", "daily"]
Outcome = Literal["sent", "failed", "retrying", "deferred"]


class Article(TypedDict):
    """A news article as fetched and parsed (topic articles)."""

    id: str
    url: str
    feed_url: str | None
    source: str
    title: str
    summary: str
    text: str
    language: str | None
    published_at: str | None
    fetched_at: str


class ExtractedEvent(TypedDict):
    """One procurement step as a classifier reads it in an article, before ids and timestamps."""

    buyer: str
    buyer_iso: str | None
    seller: str | None
    seller_iso: str | None
    system: str | None
    category: Category
    quantity: int | None
    quantity_approx: bool
    stage: Stage
    value: str | None
    evidence: str
    confidence: float


class ProcurementEvent(ExtractedEvent):
    """One procurement step a classifier read in an article (topic procurement)."""

    id: str
    article_id: str
    classifier_version: str
    deal_key: str
    detected_at: str
    source: NotRequired[str]
    language: NotRequired[str | None]
    article_url: NotRequired[str | None]
    article_title: NotRequired[str]
    published_at: NotRequired[str | None]


class Watchlist(TypedDict):
    """A user's standing query and where its alerts go (compacted topic watchlists)."""

    id: str
    name: str
    owner: str
    buyers: list[str]
    sellers: list[str]
    systems: list[str]
    categories: list[Category]
    stage: Stage | None
    min_quantity: int | None
    min_sources: int
    keywords: list[str]
    notify: list[str]
    digest: Digest
    created_at: str
    updated_at: str
    paused: NotRequired[bool]


class DealReport(TypedDict):
    """One outlet's report of a deal at one stage."""

    outlet: str
    language: str | None
    url: str | None
    stage: str
    evidence: str


class DealView(TypedDict):
    """A deal as its events built it up: what watchlists match and alerts, the CLI and the API show."""

    deal_key: str
    buyer: str
    buyer_iso: str | None
    seller: str | None
    seller_iso: str | None
    system: str | None
    category: str
    stage: str | None
    stages_seen: dict[str, str]
    quantity: int | None
    quantity_approx: bool
    value: str | None
    updated_at: NotRequired[str | None]
    sources: NotRequired[list[DealReport]]


class Alert(TypedDict):
    """A deal that crossed a watchlist's stage, as decided (topic alerts)."""

    id: str
    watchlist_id: str
    event_ids: list[str]
    deal_key: str
    stage: Stage
    previous_stage: Stage | None
    text: str
    created_at: str
    deal: NotRequired[DealView]
    digest: NotRequired[Digest]
    due_at: NotRequired[str | None]
    digest_id: NotRequired[str | None]


class Delivery(TypedDict):
    """One attempt to send an alert on one channel (topic deliveries)."""

    alert_id: str
    channel: str
    outcome: Outcome
    attempt: int
    error: str | None
    at: str


class DeadLetter(TypedDict):
    """A consumed record that could not be used, and why (topic deadletter)."""

    topic: str
    partition: int
    offset: int
    key: NotRequired[str | None]
    original: str
    reason: str
    consumer: NotRequired[str]
    at: str
