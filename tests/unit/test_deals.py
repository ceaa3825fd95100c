"""The one deal fold, and the read model and backfill agreeing because they both use it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from services.deals import DealState, advances, previous_stage, stage_rank
from services.notify.backfill import DealReplay
from services.store.db import Database
from services.store.models import Deal
from services.store.readmodel import project_event


def _event(n: int, stage: str, **extra: Any) -> dict[str, Any]:
    base = {
        "id": f"e{n}",
        "article_id": f"a{n}",
        "classifier_version": "rules-test",
        "deal_key": "KZ:bayraktartb2:TR",
        "buyer": "Kazakhstan",
        "buyer_iso": "KZ",
        "seller": None,
        "seller_iso": "TR",
        "system": None,
        "category": "uav",
        "stage": stage,
        "quantity": None,
        "quantity_approx": False,
        "value": None,
        "evidence": "…",
        "detected_at": f"2026-12-0{n}T10:00:00.000Z",
        "source": f"outlet-{n}",
    }
    return {**base, **extra}


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated store on each database."""
    database = Database(database_url)
    yield database
    database.close()


EVENTS = [
    _event(1, "interest", system="Bayraktar TB2"),
    _event(2, "contract", quantity=12, seller="Baykar", value="$100m"),
    _event(3, "interest", quantity=20, quantity_approx=True),
    _event(4, "delivery", seller="Turkey"),
    _event(5, "cancellation"),
    _event(6, "contract"),
]


def test_stages_move_forward_and_nothing_follows_a_cancellation() -> None:
    """A later stage advances the deal, an earlier one never does, and after a cancellation nothing does."""
    assert advances(None, "interest") and advances("interest", "contract")
    assert not advances("contract", "approval")
    assert advances("delivery", "cancellation") and not advances("cancellation", "delivery")
    assert stage_rank(None) < stage_rank("interest") < stage_rank("cancellation")
    assert previous_stage({"interest": "t1", "contract": "t2", "delivery": "t3"}, "delivery") == "contract"
    assert previous_stage({"delivery": "t3"}, "delivery") is None


def test_folding_the_events_of_a_deal() -> None:
    """Furthest stage, first time per stage, latest stated quantity, the company over the country as seller."""
    state = DealState()
    seen = []
    for e in EVENTS:
        state.apply(e)
        seen.append(state.alerts_on(e))
    assert seen == [True, True, False, True, True, False]
    assert state.stage == "cancellation"
    assert state.stages_seen == {
        "interest": "2026-12-01T10:00:00.000Z",
        "contract": "2026-12-02T10:00:00.000Z",
        "delivery": "2026-12-04T10:00:00.000Z",
        "cancellation": "2026-12-05T10:00:00.000Z",
    }
    assert (state.quantity, state.quantity_approx) == (20, True)
    assert (state.seller, state.system, state.value) == ("Baykar", "Bayraktar TB2", "$100m")


def test_read_model_and_backfill_build_the_same_deal(db: Database) -> None:
    """project_event (the live read model) and DealReplay (backfill, replay) agree event by event."""
    replay = DealReplay("KZ:bayraktartb2:TR", dict(EVENTS[0]))
    for e in EVENTS:
        replay.apply(e)
        with db.session() as session:
            project_event(session, e)
            session.commit()
        with db.session() as session:
            deal = session.get(Deal, "KZ:bayraktartb2:TR")
            assert deal is not None
            stored = {
                k: getattr(deal, k)
                for k in ("stage", "quantity", "quantity_approx", "value", "seller", "system")
            }
            stored["stages_seen"] = dict(deal.stages_seen)
        snap = replay.snapshot()
        assert stored == {k: snap[k] for k in stored}, e["id"]


def test_shown_names_do_not_depend_on_the_order_of_the_events() -> None:
    """Every order of the same events shows the same seller and system: the company, the fuller designation."""
    from itertools import permutations

    events = [
        _event(1, "contract", seller="Hyundai Rotem", system="K2"),
        _event(2, "delivery", seller="South Korea", system="K2 Black Panther"),
        _event(3, "interest", seller="South Korea"),
    ]
    shown = set()
    for order in permutations(events):
        state = DealState()
        for e in order:
            state.apply(e)
        shown.add((state.seller, state.system, state.stage))
    assert shown == {("Hyundai Rotem", "K2 Black Panther", "delivery")}
