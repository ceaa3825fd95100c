"""Score each event's confidence (0..1) from how it was found."""

from __future__ import annotations

from services.classify.types import Candidate


def confidence(c: Candidate) -> float:
    """Return a confidence in [0.05, 0.99] from the evidence the rules relied on."""
    score = 0.7
    if c.system is not None:
        score += 0.1
    if c.quantity is not None:
        score += 0.05
    if c.carried_buyer:
        score -= 0.2
    if c.reported:
        score -= 0.1
    if c.buyer.iso is None:
        score -= 0.1
    if "hypothetical" in c.flags or "future" in c.flags:
        score -= 0.1
    return round(min(0.99, max(0.05, score)), 2)
