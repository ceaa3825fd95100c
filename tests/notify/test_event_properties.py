"""Property test: valid procurement events with strange names, huge numbers and any text never make the notifier raise."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.records import PROCUREMENT_EVENT, STAGES, decode, encode

from .conftest import add_watchlist, make_event


@pytest.fixture
def weird_notifier(notifier: Any, store: Any) -> Any:
    add_watchlist(store, buyers=["KZ"], notify=["print://"])
    return notifier


names = st.text(min_size=1, max_size=300).filter(lambda s: s.strip() != "")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL's own limits: test_store.py
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    buyer=names,
    system=st.none() | names,
    evidence=st.text(min_size=1, max_size=2000),
    quantity=st.none() | st.integers(min_value=0, max_value=2**31 - 1),
    stage=st.sampled_from(STAGES),
    outlet=names,
)
async def test_the_notifier_takes_any_valid_event(
    weird_notifier: Any,
    buyer: str,
    system: str | None,
    evidence: str,
    quantity: int | None,
    stage: str,
    outlet: str,
) -> None:
    """Valid events with strange names, huge quantities and any text fold into deals and alerts without raising."""
    event = make_event(
        buyer=(buyer, "KZ"), system=system, evidence=evidence, quantity=quantity, stage=stage, outlet=outlet
    )
    decode(PROCUREMENT_EVENT, encode(PROCUREMENT_EVENT, event))
    await weird_notifier.on_event(event, None)
    await weird_notifier.deliver_pending()
