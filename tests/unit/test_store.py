"""The SQL store on SQLite and PostgreSQL: migrations, archive order and dedup, deal projection, ledger."""

from __future__ import annotations

import pytest

from services.notify import ledger
from services.store import archive
from services.store.db import Database
from services.store.readmodel import project_event


@pytest.fixture
def db(database_url):
    """A migrated store on each database."""
    database = Database(database_url)
    yield database
    database.close()


def _event(n: int, stage: str, *, outlet: str = "A", quantity: int | None = None) -> dict[str, object]:
    return {
        "id": f"{n:032x}",
        "article_id": f"{n + 1000:032x}",
        "classifier_version": "rules-test",
        "buyer": "Kazakhstan",
        "buyer_iso": "KZ",
        "seller": "Turkey",
        "seller_iso": "TR",
        "system": "Bayraktar TB2",
        "category": "uav",
        "quantity": quantity,
        "quantity_approx": False,
        "stage": stage,
        "value": None,
        "evidence": f"evidence {n}",
        "confidence": 0.8,
        "deal_key": "KZ:bayraktartb2:TR",
        "detected_at": f"2026-01-0{n}T00:00:00.000Z",
        "source": outlet,
        "language": "en",
    }


def test_migrating_twice_is_harmless(database_url):
    """Opening the store again runs no migration twice."""
    Database(database_url).close()
    Database(database_url).close()


def test_archive_keeps_order_and_refuses_a_second_copy(db):
    """Records come back in production order; the same (topic, id) is archived once."""
    assert archive.append(db, "t.a", "1", b"k1", b"v1") is not None
    assert archive.append(db, "t.b", "2", b"k2", None) is not None
    assert archive.append(db, "t.a", "1", b"k1", b"v1") is None
    rows = list(archive.records(db))
    assert [(r.topic, r.value) for r in rows] == [("t.a", b"v1"), ("t.b", None)]
    archive.mark_published(db, [rows[0].seq])
    assert [r.topic for r in archive.records(db, unpublished_only=True)] == ["t.b"]
    assert [r.topic for r in archive.records(db, {"t.a"})] == ["t.a"]


def test_deal_advances_and_never_goes_back(db):
    """interest → contract → (old interest report) keeps contract, with first-seen times and sources."""
    with db.session() as session:
        deal, previous, new = project_event(session, _event(1, "interest"))
        assert (deal.stage, previous, new) == ("interest", None, True)
    with db.session() as session:
        deal, previous, _ = project_event(session, _event(2, "contract", outlet="B", quantity=12))
        assert (deal.stage, previous, deal.quantity) == ("contract", "interest", 12)
    with db.session() as session:
        deal, _, _ = project_event(session, _event(3, "interest", outlet="C"))
        assert deal.stage == "contract"
        assert set(deal.stages_seen) == {"interest", "contract"}
        assert deal.stages_seen["interest"].startswith("2026-01-01")
    with db.session() as session:
        _, _, new = project_event(session, _event(2, "contract", outlet="B", quantity=12))
        assert new is False


def test_ledger_claims_once_and_never_resends_settled(db):
    """A settled (alert, channel) cannot be claimed again; an unsettled claim can (crash recovery)."""
    url = "mailto://u:secret@example.org"
    assert ledger.claim(db, "a1", url, "mailto://u:***@example.org")
    assert ledger.claim(db, "a1", url, "mailto://u:***@example.org"), "a claim left by a crash is taken again"
    ledger.settle(db, "a1", url, "sent", 1, None)
    assert not ledger.claim(db, "a1", url, "mailto://u:***@example.org")
    assert ledger.count(db, "sent") == 1


def _watchlist(wid: str, owner: str, name: str) -> dict[str, object]:
    from services.notify.watchlists import build_watchlist

    return dict(build_watchlist(name=name, owner=owner, watchlist_id=wid))


def test_the_query_layer_filters_orders_and_limits(db):
    """Events newest first by buyer and time; deals with sources by stage; watchlists by owner, removed ones gone."""
    from services.store import queries
    from services.store.readmodel import project_watchlist

    with db.session() as session:
        for n, stage in ((1, "interest"), (2, "contract"), (3, "delivery")):
            project_event(session, _event(n, stage, outlet=f"O{n}"))
        for wid, owner, name in (("w1", "ann", "b list"), ("w2", "ann", "a list"), ("w3", "bob", "c list")):
            project_watchlist(session, wid, _watchlist(wid, owner, name), "2026-01-01T00:00:00.000Z")
        project_watchlist(session, "w3", None, "2026-01-02T00:00:00.000Z")
    found = queries.events(db, buyer_iso="KZ")
    assert [e["stage"] for e in found] == ["delivery", "contract", "interest"]
    assert [e["stage"] for e in queries.events(db, since="2026-01-02")] == ["delivery", "contract"]
    assert queries.events(db, buyer_iso="TR") == []
    assert len(queries.events(db, limit=1)) == 1
    (deal,) = queries.deals(db, buyer_iso="KZ")
    assert deal["stage"] == "delivery"
    assert {s["outlet"] for s in deal.get("sources", [])} == {"O1", "O2", "O3"}
    assert queries.deals(db, stage="contract") == []
    assert [w["name"] for w in queries.watchlists(db, owner="ann")] == ["a list", "b list"]
    assert queries.watchlist(db, "w1", owner="bob") is None
    assert queries.watchlist(db, "w3") is None
    assert queries.watchlists(db, owner="bob") == []


def test_any_text_a_valid_record_carries_is_stored_the_same_on_both_databases(db):
    """A NUL or a name longer than its column fails PostgreSQL alone: both are cleaned on the way in."""
    from services.store.models import DealSource, EventRow

    event = _event(1, "contract")
    event["buyer"] = "K" * 400
    event["evidence"] = "signed\x00 the contract"
    with db.session() as session:
        project_event(session, event)
    with db.session() as session:
        row = session.get(EventRow, event["id"])
        assert row is not None and row.buyer == "K" * 300
        (source,) = session.query(DealSource).all()
        assert source.evidence == "signed the contract"


def test_a_quantity_the_columns_cannot_hold_is_an_invalid_event():
    """The schema bounds a quantity at 2^31-1, so a consumer dead-letters it instead of failing to store it."""
    from services.errors import RecordError
    from services.records import PROCUREMENT_EVENT, validate

    validate(PROCUREMENT_EVENT, _event(1, "contract", quantity=2**31 - 1))
    with pytest.raises(RecordError, match="quantity"):
        validate(PROCUREMENT_EVENT, _event(1, "contract", quantity=2**31))


def test_a_paused_feed_is_never_claimed_until_resumed(db):
    """claim_due skips a paused feed; resuming makes it due at once."""
    from datetime import UTC, datetime, timedelta

    from services.store import feeds

    feed_id = feeds.add_feed(db, "https://example.org/paused.xml", 900.0)
    feeds.set_paused(db, feed_id, True)
    later = datetime.now(UTC) + timedelta(days=1)
    assert feeds.claim_due(db, later, 10, timedelta(minutes=5)) == []
    feeds.set_paused(db, feed_id, False)
    assert [
        f.id for f in feeds.claim_due(db, datetime.now(UTC) + timedelta(seconds=1), 10, timedelta(minutes=5))
    ] == [feed_id]
