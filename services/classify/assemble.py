"""Assemble candidate events from one sentence: each live stage cue paired with its items and buyers."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.classify.filters import blocked_by_negative
from services.classify.lexicon import systems_table
from services.classify.mentions import SentenceMentions
from services.classify.modality import clause_bounds, cue_stage
from services.classify.quantity import quantity_for, value_in
from services.classify.roles import assign_roles, buyers_and_sellers, country_name
from services.classify.types import PRE_CONTRACT, Candidate, Mention, Party, Stage, SystemInfo

_ORDER = {
    s: i
    for i, s in enumerate(("interest", "negotiation", "approval", "contract", "delivery", "cancellation"))
}
_MOU_GAP = 24

Item = tuple[Mention, SystemInfo | None, str]


@dataclass(slots=True)
class SentenceContext:
    """What assembly needs to know beyond the sentence: index, text, and article-level support."""

    index: int
    text: str
    lang: str
    strong_systems: set[int] = field(default_factory=set)
    topic_buyer: Party | None = None


@dataclass(slots=True)
class LiveCue:
    """A stage cue that survived modality and negative filters."""

    mention: Mention
    stage: Stage
    flags: set[str]


def live_cues(sm: SentenceMentions, lang: str) -> tuple[list[LiveCue], set[str]]:
    """Return the sentence's stage cues after modality, MoU and negative-context rules."""
    out: list[LiveCue] = []
    flags: set[str] = set()
    nego = [c for c in sm.cues if c.entry.data == "negotiation"]
    for cue in sm.cues:
        if any(e.start <= cue.start and cue.end <= e.end for e in sm.systems + sm.parties):
            continue
        if cue.entry.data == "contract" and (_governed(cue, sm.cues, sm) or _signs_mou(cue, nego, sm)):
            continue
        if cue.entry.data == "delivery" and (_governed(cue, sm.cues, sm) or _receives_document(cue, sm)):
            continue
        stage, fl = cue_stage(cue, sm, lang)
        flags |= fl
        if stage is None:
            continue
        if blocked_by_negative(cue, sm):
            flags.add("negative")
            continue
        out.append(LiveCue(cue, stage, fl))
    return out, flags


def sentence_stages(sm: SentenceMentions, lang: str) -> tuple[list[Stage], set[str]]:
    """Return the stages this sentence states (R3 applied within the sentence)."""
    cues, flags = live_cues(sm, lang)
    return _r3({c.stage for c in cues}), flags


def _r3(stages: set[Stage]) -> list[Stage]:
    final = {s for s in stages if s not in PRE_CONTRACT}
    pre = [s for s in stages if s in PRE_CONTRACT]
    if pre and not ({"contract", "cancellation"} & final):
        final.add(max(pre, key=lambda s: _ORDER[s]))
    return sorted(final, key=lambda s: _ORDER[s])


def _governed(cue: Mention, cues: list[Mention], sm: SentenceMentions) -> bool:
    """A purchase or supply word right after another stage cue is its object, not a step of its own.

    'considering the purchase', 'cancel the purchase', 'contract for the supply of',
    'memorandum on the delivery of': the first cue decides the stage.
    """
    for p in cues:
        if p is cue or p.entry.data == cue.entry.data:
            continue
        if p.end <= cue.start and cue.start - p.end <= 30:
            gap = sm.norm[p.end : cue.start]
            party_between = any(p.end <= x.start < cue.start for x in sm.parties)
            if not any(ch in gap for ch in ",;.，、") and (not party_between or len(gap) <= 10):
                return True
    return False


def _receives_document(cue: Mention, sm: SentenceMentions) -> bool:
    """'received approval', 'a primit aprobarea', 'received an order': a document, not equipment."""
    for c in sm.cues:
        adjacent = c.entry.data in ("approval", "contract", "negotiation") and 0 <= c.start - cue.end <= 12
        if adjacent and not any(ch in sm.norm[cue.end : c.start] for ch in ",;"):
            return True
    return False


def _signs_mou(cue: Mention, nego: list[Mention], sm: SentenceMentions) -> bool:
    """'signed' next to 'a letter of intent' / 'MoU' signs a pre-contract document (R7)."""
    for n in nego:
        gap = sm.norm[cue.end : n.start] if cue.end <= n.start else sm.norm[n.end : cue.start]
        if len(gap) <= _MOU_GAP and not any(ch in gap for ch in ",;"):
            return True
    return False


def _items(sm: SentenceMentions, ctx: SentenceContext) -> list[Item]:
    """Return the sentence's items: each system mention, and category nouns not naming a nearby system."""
    table = systems_table()
    out: list[Item] = []
    for m in sm.systems:
        idx = m.entry.data
        info = table[idx]
        supported = idx in ctx.strong_systems or any(c.entry.data == info.category for c in sm.categories)
        if m.entry.sub == "weak_alias" and not supported:
            continue
        out.append((m, info, info.category))
    vague = [x for x in sm.modifiers if x.entry.data == "quantity_vague"]
    for m in sm.categories:
        if any(0 <= m.start - v.end <= 25 for v in vague) or any(
            0 <= c.start - v.end <= 12 for v in vague for c in sm.cues
        ):
            continue  # "numerous orders", "several drones": aggregates name no deal (R11)
        near_sys = any(
            i[1] is not None and abs(i[0].start - m.start) <= 40 and i[2] == m.entry.data for i in out
        )
        if not near_sys:
            out.append((m, None, m.entry.data))
    out.sort(key=lambda i: i[0].start)
    return out


def _items_for(cue: Mention, items: list[Item], sm: SentenceMentions) -> list[Item]:
    """The items a cue speaks about: those in its clause, else the nearest one."""
    left, right = clause_bounds(sm.norm, cue.start, cue.end)
    inside = [i for i in items if left <= i[0].start < right]
    if not inside:
        inside = [min(items, key=lambda i: abs(i[0].start - cue.start))]
    # Category nouns only speak for themselves when no system shares their clause.
    if any(i[1] is not None for i in inside):
        cats_with_sys = {i[2] for i in inside if i[1] is not None}
        inside = [i for i in inside if i[1] is not None or i[2] not in cats_with_sys]
    seen: set[str] = set()
    uniq: list[Item] = []
    for i in inside:
        key = i[1].name if i[1] is not None else "cat:" + i[2]
        if key not in seen:
            seen.add(key)
            uniq.append(i)
    return uniq


def assemble(sm: SentenceMentions, ctx: SentenceContext) -> list[Candidate]:
    """Return the candidate events of one sentence.

    Args:
        sm: the sentence's mentions.
        ctx: sentence index, verbatim text, language and article-level support.

    Returns:
        One candidate per (buyer, item, stage); empty when a part is missing.
    """
    cues, flags = live_cues(sm, ctx.lang)
    if not cues:
        return []
    items = _items(sm, ctx)
    if not items:
        return []
    pairs: dict[str, tuple[Item, set[Stage]]] = {}
    for cue in cues:
        for item in _items_for(cue.mention, items, sm):
            key = item[1].name if item[1] is not None else "cat:" + item[2]
            pairs.setdefault(key, (item, set()))[1].add(cue.stage)
    parties = assign_roles(sm, ctx.lang)
    buyers, sellers = buyers_and_sellers(parties, first_cue=cues[0].mention.start)
    carried = False
    if ctx.topic_buyer is not None:
        if not buyers:
            buyers = [ctx.topic_buyer]
            carried = True
        elif all(b.iso is None for b in buyers):
            buyers = [ctx.topic_buyer]  # "the Defence Ministry" of the article's buyer
    if not buyers:
        return []
    value = value_in(ctx.text)
    item_mentions = [i[0] for i in items]
    out: list[Candidate] = []
    for (m, info, category), stages in pairs.values():
        qty, approx = quantity_for(m, sm, ctx.lang, item_mentions)
        seller = _seller_for(info, sellers, buyers)
        for buyer in buyers:
            for stage in _r3(stages):
                out.append(
                    Candidate(
                        buyer=buyer,
                        seller=seller,
                        system=info,
                        category=category,
                        stage=stage,
                        quantity=qty,
                        quantity_approx=approx,
                        value=value,
                        evidence=ctx.text,
                        sentence_index=ctx.index,
                        carried_buyer=carried,
                        reported="reported" in flags,
                        flags=set(flags),
                    )
                )
    return out


def _seller_for(info: SystemInfo | None, sellers: list[Party], buyers: list[Party]) -> Party | None:
    """The named seller, else the system's producer country (R19)."""
    buyer_isos = {b.iso for b in buyers}
    named = [s for s in sellers if s.iso not in buyer_isos or s.is_company]
    if named:
        if info is not None:
            for s in named:
                if s.iso == info.producer_iso:
                    return s
        return named[0]
    if info is not None and info.producer_iso:
        if info.producer_iso in buyer_isos:
            return Party(
                info.manufacturer or country_name(info.producer_iso), info.producer_iso, is_company=True
            )
        return Party(country_name(info.producer_iso), info.producer_iso)
    return None
