"""The delivery ledger's claims: settled never again, a live owner's claim respected, a dead owner's taken (in doubt)."""

from __future__ import annotations

from typing import Any

from services.notify import ledger

URL = "mailto://user:secret@example.org"
SHOWN = "mailto://user:****@example.org"


def test_settled_is_never_claimed_again(store: Any) -> None:
    """Once settled as sent (or failed), a claim answers "settled"."""
    assert ledger.claim(store, "a1", URL, SHOWN).result == "claimed"
    ledger.settle(store, "a1", URL, "sent", 1, None)
    assert ledger.claim(store, "a1", URL, SHOWN).result == "settled"
    assert ledger.count(store, "sent") == 1


def test_live_owner_keeps_its_claim_until_the_lease_ends(store: Any) -> None:
    """A claim held by another running notifier (another host here) is busy until its lease runs out."""
    assert ledger.claim(store, "a1", URL, SHOWN, owner="other-host:1:abcd").result == "claimed"
    assert ledger.claim(store, "a1", URL, SHOWN, lease=600).result == "busy"
    taken = ledger.claim(store, "a1", URL, SHOWN, lease=0.0)
    assert taken.result == "claimed" and taken.in_doubt and taken.generation == 1


def test_dead_owner_on_this_host_is_taken_over_at_once(store: Any) -> None:
    """A claim whose owner process is gone (killed mid-send) is taken at once and counted in doubt."""
    host = ledger.OWNER.split(":")[0]
    dead = f"{host}:999999999:dead"
    assert ledger.claim(store, "a1", URL, SHOWN, owner=dead).result == "claimed"
    taken = ledger.claim(store, "a1", URL, SHOWN, lease=600)
    assert taken.result == "claimed" and taken.in_doubt
    assert ledger.in_doubt(store) == 1
    ledger.settle(store, "a1", URL, "sent", 1, None)
    assert not ledger.claim(store, "a1", URL, SHOWN)
