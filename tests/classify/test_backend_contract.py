"""The classifier-backend contract, run over every installed backend (the ``armswatch.classifiers`` entry points).

Whatever a backend does inside, its answers must be usable by the classify service: the article's id,
``is_procurement`` agreeing with its events, every event in the vocabulary of the ProcurementEvent schema
with verbatim evidence, the same answer twice for the same article, and records that validate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from services.classify.agent import to_events
from services.classify.backends import Classifier, available_classifiers, load_classifier
from services.classify.types import CATEGORIES, STAGES, ArticleInput
from services.config import load_settings
from services.record_types import Article, ExtractedEvent
from services.records import PROCUREMENT_EVENT, now_iso, validate
from tests.support.chat_server import running_chat_server

# Articles in the project's own words (the facts may be real).
ORDER = "Estonia signed a contract for 12 CAESAR howitzers from France, the ministry said on Monday."
ARTICLES: list[ArticleInput] = [
    {"id": "contract-en", "title": "Estonia orders howitzers", "text": ORDER, "language": "en"},
    {
        "id": "plan-de",
        "title": "Litauen plant Kauf",
        "text": "Litauen will 44 Leopard 2A8 aus Deutschland kaufen.",
        "language": "de",
    },
    {
        "id": "negative-en",
        "title": "Harvest report",
        "text": "Farmers in the region brought in a record wheat harvest this autumn.",
        "language": "en",
    },
    {"id": "empty", "title": "", "text": "", "language": "en"},
]
EVENT_FIELDS = set(ExtractedEvent.__annotations__)
ISO = re.compile(r"^[A-Z]{2}$")


def _answer() -> dict[str, Any]:
    """What the fake chat endpoint answers for an llm backend: one event of the first article."""
    return {
        "is_procurement": True,
        "events": [
            {
                "buyer": "Estonia",
                "buyer_iso": "EE",
                "seller": "France",
                "seller_iso": "FR",
                "system": "CAESAR",
                "category": "artillery",
                "quantity": 12,
                "quantity_approx": False,
                "stage": "contract",
                "value": None,
                "evidence": ORDER,
            }
        ],
    }


@pytest.fixture(params=available_classifiers())
def backend(request: pytest.FixtureRequest) -> Iterator[Classifier]:
    """Each installed backend, built with settings that let it run here (an llm talks to a loopback server)."""
    name: str = request.param
    if name != "llm":
        yield load_classifier(load_settings(classifier=name))
        return
    with running_chat_server() as server:
        server.answer_events(_answer()["events"])
        yield load_classifier(
            load_settings(classifier="llm", llm_url=server.base_url, llm_model="contract", llm_timeout=5.0)
        )


def test_the_suite_covers_the_builtin_backends() -> None:
    """The rules and the llm backend are among those the contract runs over."""
    assert {"rules", "llm"} <= set(available_classifiers())


def test_a_backend_names_itself_and_its_version(backend: Classifier) -> None:
    """Its name is an entry point's; its version is a non-empty string that events carry."""
    assert backend.name in available_classifiers()
    assert isinstance(backend.version, str) and backend.version.strip()


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: str(a["id"]))
def test_every_answer_keeps_the_contract(backend: Classifier, article: ArticleInput) -> None:
    """Id echoed, is_procurement agrees with the events, each event in the schema's vocabulary, evidence verbatim."""
    result = backend.classify(article)
    assert result["id"] == article["id"]
    events = result["events"]
    assert isinstance(result["is_procurement"], bool)
    assert result["is_procurement"] == bool(events)
    source = f"{article.get('title') or ''}\n{article.get('text') or ''}"
    for event in events:
        assert set(event) == EVENT_FIELDS, event
        assert isinstance(event["buyer"], str) and event["buyer"].strip()
        assert event["stage"] in STAGES and event["category"] in CATEGORIES
        for key in ("buyer_iso", "seller_iso"):
            assert event[key] is None or ISO.match(str(event[key])), event
        quantity = event["quantity"]
        assert quantity is None or (isinstance(quantity, int) and quantity >= 0)
        assert isinstance(event["quantity_approx"], bool)
        assert not (quantity is None and event["quantity_approx"])
        assert 0.0 <= event["confidence"] <= 1.0
        assert event["evidence"] and event["evidence"] in source, event
    if not (article.get("text") or "").strip():
        assert events == []


def test_the_same_article_gets_the_same_answer(backend: Classifier) -> None:
    """A replay through the same backend yields the same events (deterministic ids depend on it)."""
    assert backend.classify(ARTICLES[0]) == backend.classify(ARTICLES[0])


def test_its_events_become_valid_procurement_records(backend: Classifier) -> None:
    """The classify service turns the answer into ProcurementEvent records that validate, in lifecycle order."""
    article: Article = {
        "id": "0123456789abcdef0123456789abcdef",
        "url": "https://news.example.org/estonia-caesar",
        "feed_url": "https://news.example.org/rss",
        "source": "Example News",
        "title": "Estonia orders howitzers",
        "summary": "",
        "text": ORDER,
        "language": "en",
        "published_at": None,
        "fetched_at": now_iso(),
    }
    records = to_events(article, backend)
    assert records, "a signed contract yields at least one event"
    for record in records:
        validate(PROCUREMENT_EVENT, record)
        assert record["classifier_version"] == backend.version
        assert record["article_id"] == article["id"]
    assert [STAGES.index(r["stage"]) for r in records] == sorted(STAGES.index(r["stage"]) for r in records)
