"""Shared value types of the classifier pipeline (entries, mentions, sentences, candidate events).

Hierarchy of what flows through the pipeline::

    Article dict
     └── Sentence            (sentences.py: text, offset, normalised text)
          └── Mention        (mentions.py: one gazetteer / lexicon hit in a sentence)
               └── Candidate (assemble.py: buyer, seller, system, stage for one sentence)
                    └── event dict (pipeline.py: the wire shape of ProcurementEvent)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from services import records
from services.record_types import ExtractedEvent, Stage

STAGES: tuple[Stage, ...] = ("interest", "negotiation", "approval", "contract", "delivery", "cancellation")
PRE_CONTRACT: tuple[Stage, ...] = ("interest", "negotiation", "approval")
CATEGORIES: tuple[str, ...] = records.CATEGORIES

# Kinds of lexicon entries (Entry.kind).
KIND_COUNTRY = "country"  # data: iso; sub: "name" | "demonym"
KIND_INST = "inst"  # data: iso or None; sub: institution kind
KIND_SYSTEM = "system"  # data: index into the systems table
KIND_CATEGORY = "category"  # data: category
KIND_CUE = "cue"  # data: stage
KIND_MOD = "mod"  # data: modifier kind; value: number for number_words


@dataclass(frozen=True, slots=True)
class Entry:
    """One surface form's meaning in a lexicon trie."""

    kind: str
    data: Any
    sub: str = ""
    value: int | None = None
    max_suffix: int = 0
    case_form: str | None = None  # the form as written, when it must match case-sensitively
    weak: bool = False
    prefix: bool = False  # a compound prefix such as de "Türkei-": the word may continue freely


@dataclass(slots=True)
class Mention:
    """One lexicon hit in a normalised sentence: [start, end) and what it means."""

    start: int
    end: int
    entry: Entry

    @property
    def kind(self) -> str:
        return self.entry.kind


@dataclass(slots=True)
class SystemInfo:
    """A gazetteer system: canonical designation, category, producer and family."""

    name: str
    category: str
    producer_iso: str | None
    manufacturer: str | None
    family: str
    weak: bool


@dataclass(slots=True)
class Sentence:
    """A sentence of the article: verbatim text, its offset, and its normalised form."""

    text: str
    start: int
    norm: str = ""
    lang: str = "en"
    is_title: bool = False


@dataclass(slots=True)
class Party:
    """A buyer or seller found in a sentence."""

    name: str
    iso: str | None
    start: int = -1
    is_company: bool = False


#: An item of a sentence: its mention, the system named (None: a category only) and its category.
Item = tuple[Mention, "SystemInfo | None", str]


@dataclass(slots=True)
class Candidate:
    """A procurement event proposed from one sentence, before article-level resolution."""

    buyer: Party
    seller: Party | None
    system: SystemInfo | None
    category: str
    stage: Stage
    quantity: int | None
    quantity_approx: bool
    value: str | None
    evidence: str
    sentence_index: int
    carried_buyer: bool = False
    reported: bool = False
    flags: set[str] = field(default_factory=set)


class ArticleInput(TypedDict, total=False):
    """What a classifier reads of an article: its text and what dates and places it."""

    id: Any
    title: str | None
    text: str | None
    language: str | None
    url: str | None
    published: str | None
    published_at: str | None
    date: str | None


def article_input(row: Mapping[str, Any]) -> ArticleInput:
    """The fields of an article record or a labelled row that a classifier reads."""
    return ArticleInput(
        id=row.get("id"),
        title=row.get("title"),
        text=row.get("text"),
        language=row.get("language"),
        url=row.get("url"),
        published=row.get("published"),
        published_at=row.get("published_at"),
        date=row.get("date"),
    )


class ResultDict(TypedDict):
    """The wire shape of one classified article."""

    id: Any
    is_procurement: bool
    events: list[ExtractedEvent]
