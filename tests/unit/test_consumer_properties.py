"""Property tests: whatever bytes or near-miss records reach a consumer, it refuses them cleanly or uses them.

A consumer decodes each record with ``records.decode``: any bytes at all end in a RecordError (the
record goes to the dead-letter topic) or a record valid against its schema, never another exception.
Records that are valid but strange (any text, any names, huge numbers) go through the classifier and
the notifier without raising (tests/notify/test_event_properties.py).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.classify import classify_article
from services.errors import RecordError
from services.notify.watchlists import build_watchlist
from services.records import (
    ALERT,
    ARTICLE,
    DEAD_LETTER,
    DELIVERY,
    PROCUREMENT_EVENT,
    RECORD_TYPES,
    STAGES,
    WATCHLIST,
    RecordType,
    dead_letter,
    decode,
    now_iso,
    validate,
)
from tests.notify.conftest import make_event

FAST = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def _valid() -> dict[RecordType, dict[str, Any]]:
    event = make_event()
    return {
        ARTICLE: {
            "id": "a" * 32,
            "url": "https://news.example.org/kz",
            "feed_url": None,
            "source": "Example News",
            "title": "Kazakhstan buys drones",
            "summary": "",
            "text": "Kazakhstan signed a contract for Bayraktar TB2 drones.",
            "language": "en",
            "published_at": None,
            "fetched_at": now_iso(),
        },
        PROCUREMENT_EVENT: event,
        WATCHLIST: build_watchlist(name="w", owner="o", buyers=["KZ"]),
        ALERT: {
            "id": "b" * 32,
            "watchlist_id": "w1",
            "event_ids": [event["id"]],
            "deal_key": event["deal_key"],
            "stage": "contract",
            "previous_stage": None,
            "text": "alert",
            "created_at": now_iso(),
        },
        DELIVERY: {
            "alert_id": "b" * 32,
            "channel": "mailto://****@example.org",
            "outcome": "sent",
            "attempt": 1,
            "error": None,
            "at": now_iso(),
        },
        DEAD_LETTER: dead_letter(
            topic="armswatch.articles", partition=0, offset=1, key=None, value=b"x", reason="r", consumer="c"
        ),
    }


VALID = _valid()
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def test_every_record_type_has_a_valid_example() -> None:
    """The examples the properties start from are valid, so a refusal below is the mutation's doing."""
    assert set(VALID) == set(RECORD_TYPES)
    for rtype, record in VALID.items():
        validate(rtype, record)


def _refused_or_valid(rtype: RecordType, raw: bytes | None) -> None:
    try:
        record = decode(rtype, raw)
    except RecordError:
        return
    validate(rtype, record)


@FAST
@given(rtype=st.sampled_from(RECORD_TYPES), raw=st.binary(max_size=2048) | st.none())
def test_any_bytes_are_refused_with_a_record_error_or_decoded_valid(
    rtype: RecordType, raw: bytes | None
) -> None:
    """Arbitrary bytes (and the empty value) never raise anything but RecordError."""
    _refused_or_valid(rtype, raw)


@st.composite
def near_misses(draw: st.DrawFn) -> tuple[RecordType, bytes]:
    """A valid record with one field dropped, retyped, added, or a whole value replaced; sometimes re-encoded oddly."""
    rtype = draw(st.sampled_from(RECORD_TYPES))
    record = dict(VALID[rtype])
    key = draw(st.sampled_from(sorted(record)))
    change = draw(st.sampled_from(["drop", "retype", "add", "nest"]))
    if change == "drop":
        del record[key]
    elif change == "retype":
        record[key] = draw(JSON_VALUES)
    elif change == "add":
        record[draw(st.text(max_size=12))] = draw(JSON_VALUES)
    else:
        record = {"record": record} if draw(st.booleans()) else [record]  # type: ignore[assignment]
    text = json.dumps(record, ensure_ascii=draw(st.booleans()), allow_nan=True)
    return rtype, text.encode("utf-8", "surrogatepass")


@FAST
@given(case=near_misses())
def test_near_miss_records_are_refused_with_a_record_error_or_decoded_valid(
    case: tuple[RecordType, bytes],
) -> None:
    """A record one mutation away from valid (missing field, wrong type, extra key, NaN, lone surrogate) never crashes."""
    _refused_or_valid(*case)


@FAST
@given(
    title=st.text(max_size=200),
    text=st.text(max_size=3000),
    language=st.sampled_from(["en", "de", "ru", "tr", "zh", "ja", "ar", "fa", "hi", "xx", None]),
)
def test_the_classifier_takes_any_text_and_gives_valid_events(
    title: str, text: str, language: str | None
) -> None:
    """Any title, text and language: a classification whose every event is a valid ProcurementEvent body."""
    result = classify_article({"id": "p", "title": title, "text": text, "language": language})
    for event in result["events"]:
        assert event["stage"] in STAGES
        assert isinstance(event["evidence"], str)
