"""Records: every schema is valid 2020-12, encode validates, decode explains what is wrong."""

from __future__ import annotations

import base64
import json

import pytest

from services.errors import RecordError
from services.records import ARTICLE, RECORD_TYPES, SCHEMA_DIR, dead_letter, decode, encode, now_iso, validate


def _article() -> dict[str, object]:
    return {
        "id": "0123456789abcdef0123456789abcdef",
        "url": "https://news.example.org/a",
        "feed_url": "https://news.example.org/rss",
        "source": "Example",
        "title": "Title",
        "summary": "",
        "text": "Text",
        "language": "en",
        "published_at": None,
        "fetched_at": now_iso(),
    }


def test_one_schema_file_per_record_type():
    """Each record type's schema exists and declares draft 2020-12."""
    for rtype in RECORD_TYPES:
        doc = json.loads((SCHEMA_DIR / f"{rtype.schema}.schema.json").read_text(encoding="utf-8"))
        assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert doc["title"] == rtype.name


def test_encode_round_trips():
    """A valid record survives encode and decode."""
    record = _article()
    assert decode(ARTICLE, encode(ARTICLE, record)) == record


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xfe", "not UTF-8 JSON"),
        (b"{", "not UTF-8 JSON"),
        (None, "empty value"),
        (json.dumps({"id": "x"}).encode(), "Article"),
    ],
)
def test_decode_says_what_is_wrong(raw, message):
    """Bad bytes raise RecordError with a readable reason."""
    with pytest.raises(RecordError, match=message):
        decode(ARTICLE, raw)


def test_formats_are_checked():
    """A fetched_at that is not a date-time fails validation."""
    record = {**_article(), "fetched_at": "yesterday"}
    with pytest.raises(RecordError, match="fetched_at"):
        validate(ARTICLE, record)


def test_dead_letter_keeps_the_original_bytes():
    """The dead letter carries origin and base64 bytes."""
    letter = dead_letter(
        topic="t", partition=1, offset=7, key=b"k", value=b"\x00bad", reason="why", consumer="c"
    )
    assert base64.b64decode(letter["original"]) == b"\x00bad"
    assert letter["key"] == base64.b64encode(b"k").decode()
