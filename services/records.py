"""Record types, their topics and JSON Schemas: validate before producing, parse on consuming.

Where a record type is added, the schema file in services/schemas/ (linked from the top-level schemas/),
RECORD_TYPES and the topic list change together.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any, Generic, TypeVar, cast

from jsonschema import Draft202012Validator, FormatChecker

from services.errors import RecordError
from services.record_types import (
    Alert,
    Article,
    Category,
    DeadLetter,
    Delivery,
    ProcurementEvent,
    Stage,
    Watchlist,
)

SCHEMA_DIR = resources.files("services.schemas")


R = TypeVar("R")


@dataclass(frozen=True)
class RecordType(Generic[R]):
    """A record type of DESIGN.md: its schema file and the topic (short name) it travels on.

    R is its class in services.record_types, which `decode` returns.
    """

    name: str
    schema: str
    topic: str
    compacted: bool = False
    history: bool = True


ARTICLE: RecordType[Article] = RecordType("Article", "article", "articles")
PROCUREMENT_EVENT: RecordType[ProcurementEvent] = RecordType(
    "ProcurementEvent", "procurement_event", "procurement"
)
WATCHLIST: RecordType[Watchlist] = RecordType("Watchlist", "watchlist", "watchlists", compacted=True)
ALERT: RecordType[Alert] = RecordType("Alert", "alert", "alerts")
DELIVERY: RecordType[Delivery] = RecordType("Delivery", "delivery", "deliveries")
DEAD_LETTER: RecordType[DeadLetter] = RecordType("DeadLetter", "dead_letter", "deadletter", history=False)

RECORD_TYPES: tuple[RecordType[Any], ...] = (
    ARTICLE,
    PROCUREMENT_EVENT,
    WATCHLIST,
    ALERT,
    DELIVERY,
    DEAD_LETTER,
)
BY_TOPIC = {rt.topic: rt for rt in RECORD_TYPES}


@cache
def _schema(schema: str) -> dict[str, Any]:
    """One schema document, read once."""
    doc: dict[str, Any] = json.loads((SCHEMA_DIR / f"{schema}.schema.json").read_text(encoding="utf-8"))
    return doc


def _enum(schema: str, prop: str) -> tuple[str, ...]:
    return tuple(_schema(schema)["properties"][prop]["enum"])


#: The equipment categories and lifecycle stages, as the ProcurementEvent schema defines them.
CATEGORIES = cast(tuple[Category, ...], _enum("procurement_event", "category"))
STAGES = cast(tuple[Stage, ...], _enum("procurement_event", "stage"))


def _maximum(schema: str, prop: str) -> int:
    return int(_schema(schema)["properties"][prop]["maximum"])


#: The largest quantity an event may state.
QUANTITY_MAX = _maximum("procurement_event", "quantity")


@cache
def _validator(schema: str) -> Draft202012Validator:
    doc = _schema(schema)
    Draft202012Validator.check_schema(doc)
    return Draft202012Validator(doc, format_checker=FormatChecker())


def validate(rtype: RecordType[Any], record: object) -> None:
    """Raise RecordError naming the first problem when `record` is not a valid `rtype`."""
    error = next(iter(sorted(_validator(rtype.schema).iter_errors(record), key=lambda e: list(e.path))), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(record)"
        raise RecordError(f"{rtype.name}: {where}: {error.message[:200]}", record_type=rtype.name)


def encode(rtype: RecordType[Any], record: Mapping[str, object]) -> bytes:
    """Validate and serialise a record for the wire (UTF-8 JSON)."""
    validate(rtype, record)
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def decode(rtype: RecordType[R], raw: bytes | None) -> R:
    """Parse and validate a record from the wire; RecordError says why it cannot be used."""
    if raw is None:
        raise RecordError(f"{rtype.name}: empty value", record_type=rtype.name)
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordError(f"{rtype.name}: not UTF-8 JSON: {exc}", record_type=rtype.name) from exc
    validate(rtype, record)
    if not isinstance(record, dict):
        raise RecordError(f"{rtype.name}: not an object", record_type=rtype.name)
    return cast(R, record)


def now_iso() -> str:
    """The current UTC time as RFC 3339 with a Z."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


#: How much of a bad record's value a dead letter carries.
DEAD_LETTER_ORIGINAL_BYTES = 65_536


def dead_letter(
    *,
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
    reason: str,
    consumer: str,
) -> DeadLetter:
    """The DeadLetter record for a consumed record that could not be used.

    It holds at most DEAD_LETTER_ORIGINAL_BYTES of the original value (and of its key), so a huge bad
    record makes a dead letter that still fits on a topic; the whole record stays at its offset.
    """
    original = value or b""
    if len(original) > DEAD_LETTER_ORIGINAL_BYTES:
        reason = (
            f"{reason[:700]} (original cut to its first {DEAD_LETTER_ORIGINAL_BYTES} of {len(original)} bytes;"
            f" the whole record is at {topic}/{partition}/{offset})"
        )
        original = original[:DEAD_LETTER_ORIGINAL_BYTES]
    if key is not None:
        key = key[:DEAD_LETTER_ORIGINAL_BYTES]
    return {
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "key": base64.b64encode(key).decode("ascii") if key is not None else None,
        "original": base64.b64encode(original).decode("ascii"),
        "reason": reason[:1000],
        "consumer": consumer,
        "at": now_iso(),
    }
