"""Competitors in a tender (R9): one negotiation event per named bidder while no winner is decided."""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import TYPE_CHECKING

from services.classify.lexicon import read_jsonl, systems_table
from services.classify.types import Candidate, Party

if TYPE_CHECKING:
    from services.classify.mentions import SentenceMentions
    from services.classify.roles import RoleParty
    from services.classify.types import Mention, SystemInfo

_DECIDED = frozenset({"approval", "contract", "cancellation"})


@cache
def bid_cues() -> frozenset[str]:
    """Headwords of the stage cues that say who takes part in a tender (cues_local.jsonl, "bid": true)."""
    return frozenset(r["cue"] for r in read_jsonl("cues_local.jsonl") if r.get("bid"))


def topic_category(mentions: list[SentenceMentions], title: SentenceMentions | None) -> str | None:
    """The category the article is mainly about: the title's item, else the most named one."""
    table = systems_table()
    counts: Counter[str] = Counter()
    for weight, sms in ((3, [title] if title is not None else []), (1, mentions)):
        for sm in sms:
            for m in sm.systems:
                counts[table[m.entry.data].category] += weight
            for m in sm.categories:
                counts[m.entry.data] += weight
    ranked = counts.most_common(1)
    return ranked[0][0] if ranked else None


def bidder_candidates(
    parties: list[RoleParty],
    items: list[tuple[Mention, SystemInfo | None, str]],
    buyer: Party | None,
    category: str | None,
    base: Candidate,
) -> list[Candidate]:
    """One negotiation candidate per bidder named beside a tender-participation cue.

    Args:
        parties: the sentence's parties with roles; every party but the buyer is a bidder.
        items: the sentence's items (systems or category nouns).
        buyer: the tender's buyer (the sentence's marked buyer, else the article's).
        category: the article's main category, used when the sentence names no item.
        base: a template candidate (evidence, sentence index, value).

    Returns:
        The bidders' candidates, flagged "bid"; empty when buyer or item is unknown.
    """
    if buyer is None:
        return []
    bidders: list[Party] = []
    for rp in parties:
        p = rp.party
        if rp.generic or (p.iso and p.iso == buyer.iso) or rp.role == "buyer":
            continue
        if all((p.iso or p.name) != (b.iso or b.name) for b in bidders):
            bidders.append(p)
    named: list[tuple[SystemInfo | None, str]] = [(i[1], i[2]) for i in items if i[1] is not None]
    if not named:
        cats = [i[2] for i in items] or ([category] if category else [])
        named = [(None, c) for c in cats[:1]]
    out: list[Candidate] = []
    for info, cat in named:
        sellers = bidders
        if info is not None:
            own = [b for b in bidders if b.iso == info.producer_iso]
            sellers = own[:1] or bidders[:1]
        for seller in sellers:
            out.append(
                Candidate(
                    buyer=buyer,
                    seller=seller,
                    system=info,
                    category=cat,
                    stage="negotiation",
                    quantity=None,
                    quantity_approx=False,
                    value=None,
                    evidence=base.evidence,
                    sentence_index=base.sentence_index,
                    flags={"bid"},
                )
            )
    return out


def drop_decided_bids(cands: list[Candidate]) -> list[Candidate]:
    """A bidder's event goes once the buyer has selected, ordered or scrapped in that category (R9)."""
    decided = {
        (c.buyer.iso or c.buyer.name, c.category)
        for c in cands
        if c.stage in _DECIDED and "bid" not in c.flags
    }
    return [
        c for c in cands if "bid" not in c.flags or (c.buyer.iso or c.buyer.name, c.category) not in decided
    ]
