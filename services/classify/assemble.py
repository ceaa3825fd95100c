"""Assemble candidate events from one sentence: each live stage cue paired with its items and buyers.

Each live cue speaks about the items of its segment: in SVO languages those after it up
to the next cue (else those before it), in verb-final ones those before it; a list that
runs on over commas ("engines for the T-90, torpedoes for the Navy, and ...") stays with
its cue. Each cue has its own buyer: the marked one in its clause, else its subject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.classify.bidders import bidder_candidates
from services.classify.buyers import buyers_for_cue, distributed, names_countries
from services.classify.cues import (
    LiveCue,
    fitted_to,
    is_sale_word,
    live_cues,
    other_item,
    r3,
    rejected_item,
    sentence_stages,
)
from services.classify.lexicon import systems_table
from services.classify.mentions import SentenceMentions
from services.classify.modality import clause_bounds
from services.classify.quantity import quantity_for, value_in
from services.classify.roles import RoleParty, assign_roles
from services.classify.sellers import sellers_for
from services.classify.topic import anaphor_span
from services.classify.types import (
    KIND_INST,
    KIND_SYSTEM,
    Candidate,
    Entry,
    Item,
    Mention,
    Party,
)
from services.record_types import Stage

__all__ = ["SentenceContext", "assemble", "live_cues", "sentence_stages"]

VERB_FINAL = frozenset({"ja", "ko", "tr", "hi", "fa"})
_LIST_RUN = 32  # an item this close to the start of the next clause continues a list


@dataclass(slots=True)
class SentenceContext:
    """What assembly needs to know beyond the sentence: index, text, and article-level support."""

    index: int
    text: str
    lang: str
    strong_systems: set[int] = field(default_factory=set)
    topic_buyer: Party | None = None
    topic_category: str | None = None
    topic_system: int | None = None
    year: int | None = None


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
    out = [i for i in out if not fitted_to(i[0], sm, ctx.lang)]
    kept = [i for i in out if not rejected_item(i[0], sm, ctx.lang)]
    if kept:
        out = kept  # 'selected the KF-21 over the Rafale': only the winner
    vague = [x for x in sm.modifiers if x.entry.data == "quantity_vague"]
    cats = _specific_categories(sm)
    for m in cats:
        if _ANTI.search(sm.norm[max(0, m.start - 8) : m.start]) or fitted_to(m, sm, ctx.lang):
            continue  # 'anti-submarine torpedoes', 'противотанковые': the target, not the item
        if any(0 <= m.start - v.end <= 25 for v in vague) or any(
            0 <= c.start - v.end <= 12 and (_same_clause(v, m, sm) or not _counted(m, sm))
            for v in vague
            for c in sm.cues
            if c.start < m.start
        ):
            continue  # "numerous orders", "several drones": aggregates name no deal (R11)
        near_sys = any(
            i[1] is not None
            and not _own_count(m, i[0], sm)
            and ((abs(i[0].start - m.start) <= 40 and i[2] == m.entry.data) or _describes(m, i[0], sm))
            for i in out
        )
        if not near_sys:
            out.append((m, None, m.entry.data))
    if not out and ctx.topic_system is not None:
        span = anaphor_span(sm, ctx.lang)
        if span is not None:  # 'the aircraft', 'i velivoli': the system the article is about
            info = table[ctx.topic_system]
            out.append(
                (
                    Mention(span[0], span[1], Entry(KIND_SYSTEM, ctx.topic_system, sub="anaphor")),
                    info,
                    info.category,
                )
            )
    out.sort(key=lambda i: i[0].start)
    return out


_GENERAL = ("armoured_vehicle", "other")
_YEARS = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_QUESTION = re.compile(r"[?？؟]\W*$")
_GREEK_QUESTION = re.compile(r"[;;]\W*$")  # Greek asks with ';' (and U+037E)
_ANTI = re.compile(r"(?:\banti|\bcounter|\bcontra)[-\s]?$")


def _counted(m: Mention, sm: SentenceMentions) -> bool:
    """A number stands just before the item ('2300 Lastwagen'): its own order, not the aggregate."""
    return any(0 <= m.start - n.end <= 12 for n in sm.numbers)


def _operated(m: Mention, sm: SentenceMentions) -> bool:
    """A force's name right before the item ('an Indian Air Force C-17'): its own aircraft in use."""
    return any(
        p.entry.kind == KIND_INST
        and p.entry.sub == "armed_force"
        and 0 < m.start - p.end <= 2
        and not sm.norm[p.end : m.start].strip()
        and sm.norm[p.start - 1 : p.start] != "("
        for p in sm.parties
    )


def _own_count(m: Mention, sys_m: Mention, sm: SentenceMentions) -> bool:
    """'three FDI frigates and three corvettes': a number after the system counts another item."""
    return any(sys_m.end <= n.start and 0 <= m.start - n.end <= 24 for n in sm.numbers)


def _same_clause(a: Mention, b: Mention, sm: SentenceMentions) -> bool:
    left, right = clause_bounds(sm.norm, a.start, a.end)
    return left <= b.start < right


def _specific_categories(sm: SentenceMentions) -> list[Mention]:
    """Of two category nouns side by side ('blindados de artilharia'), keep the more specific one."""
    cats = sm.categories
    drop: set[int] = set()
    for a in range(len(cats)):
        for b in range(a + 1, len(cats)):
            x, y = cats[a], cats[b]
            if y.start - x.end > 6 or x.entry.data == y.entry.data:
                continue
            if x.entry.data in _GENERAL and y.entry.data not in _GENERAL:
                drop.add(a)
            elif y.entry.data in _GENERAL and x.entry.data not in _GENERAL:
                drop.add(b)
    return [c for i, c in enumerate(cats) if i not in drop]


def _describes(cat: Mention, sys_m: Mention, sm: SentenceMentions) -> bool:
    """A category noun right beside a system names it ('the Arrow 3 missile defence system')."""
    if cat.end <= sys_m.start:
        gap = sm.norm[cat.end : sys_m.start]
    elif sys_m.end <= cat.start:
        gap = sm.norm[sys_m.end : cat.start]
    else:
        return True
    return (
        len(gap) <= 30
        and not any(ch in gap for ch in ",;.，、")
        and not any(min(cat.end, sys_m.end) <= c.start < max(cat.start, sys_m.start) for c in sm.cues)
    )


def _segment(
    cue: LiveCue, cues: list[LiveCue], items: list[Item], sm: SentenceMentions, lang: str
) -> list[Item]:
    """The items a cue speaks about (see the module docstring)."""
    left, right = clause_bounds(sm.norm, cue.mention.start, cue.mention.end)
    prev_end = max((c.mention.end for c in cues if c.mention.end <= cue.mention.start), default=0)
    next_start = min(
        (c.mention.start for c in cues if c.mention.start >= cue.mention.end), default=len(sm.norm)
    )
    lo = max(left, prev_end)
    after = [i for i in items if cue.mention.end <= i[0].start < min(right, next_start)]
    before = [i for i in items if lo <= i[0].start < cue.mention.start]
    inside = [i for i in items if i[0].start < cue.mention.end and i[0].end > cue.mention.start]
    chosen = (before or after) if lang in VERB_FINAL else (after or before)
    if chosen and chosen is after:
        chosen = chosen + _list_run(right, next_start, items, cues, sm)
    chosen = inside + chosen
    cut_count = any(
        abs(n.end - cue.mention.start) <= 12 or abs(n.start - cue.mention.end) <= 12 for n in sm.numbers
    )
    if not chosen and ("reduction" not in cue.flags or cut_count):  # 'reduces complexities' names no order
        chosen = [min(items, key=lambda i: abs(i[0].start - cue.mention.start))]
    if any(i[1] is not None for i in chosen):
        cats_with_sys = {i[2] for i in chosen if i[1] is not None}
        named = [i[0] for i in chosen if i[1] is not None]
        chosen = [
            i
            for i in chosen
            if i[1] is not None or i[2] not in cats_with_sys or any(_own_count(i[0], n, sm) for n in named)
        ]
    seen: set[str] = set()
    uniq: list[Item] = []
    for i in chosen:
        key = i[1].name if i[1] is not None else "cat:" + i[2]
        if key not in seen:
            seen.add(key)
            uniq.append(i)
    return uniq


def _list_run(
    right: int, stop: int, items: list[Item], cues: list[LiveCue], sm: SentenceMentions
) -> list[Item]:
    """Items of following clauses that continue a list begun in the cue's clause."""
    out: list[Item] = []
    while right < min(stop, len(sm.norm)):
        l2, r2 = clause_bounds(sm.norm, right + 1, right + 1)
        l2 = max(l2, right + 1)
        if any(l2 <= c.mention.start < r2 for c in cues):
            break
        run = [i for i in items if l2 <= i[0].start < min(r2, stop)]
        if not run or run[0][0].start - l2 > _LIST_RUN:
            break
        if any(l2 <= p.start < run[0][0].start for p in sm.parties):
            break  # a new subject, not a list item
        out.extend(run)
        right = r2
    return out


def assemble(sm: SentenceMentions, ctx: SentenceContext) -> list[Candidate]:
    """Return the candidate events of one sentence.

    Args:
        sm: the sentence's mentions.
        ctx: sentence index, verbatim text, language and article-level support.

    Returns:
        One candidate per (buyer, item, stage); empty when a part is missing.
    """
    if _QUESTION.search(ctx.text) or (ctx.lang == "el" and _GREEK_QUESTION.search(ctx.text)):
        return []  # 'Did Iran buy the J-10C?': a question reports no step (R1)
    cues, flags = live_cues(sm, ctx.lang)
    if ctx.year is not None and _only_future_years(ctx.text, ctx.year):
        cues = [c for c in cues if c.stage != "delivery"]  # 'receive two in 2025' said in 2022 (R1)
    if not cues:
        return []
    items = _items(sm, ctx)
    parties = assign_roles(sm, ctx.lang)
    if any("bid" in c.flags for c in cues):
        return _bids(parties, items, ctx)
    if not items:
        return []
    sellers = [rp.party for rp in parties if rp.role in ("seller", "producer")]
    marked = [rp.party for rp in parties if rp.role == "seller"]
    marked_sellers = {p.iso for p in marked if p.iso}
    aggregate = names_countries(sm, ctx.lang)
    value = value_in(ctx.text)
    item_mentions = [i[0] for i in items]
    out: list[Candidate] = []
    plan: dict[tuple[str, str], tuple[Item, Party, bool, set[Stage], set[str]]] = {}
    for cue in cues:
        buyers, carried = _buyers(cue, parties, sm, ctx, aggregate)
        segment = _segment(cue, cues, items, sm, ctx.lang)
        stop = min(
            (c.mention.start for c in cues if c.mention.start >= cue.mention.end), default=len(sm.norm)
        )
        share = distributed(buyers, segment, items, cue.mention.end, stop)
        if share:
            segment = [i for i in items if id(i) in share]
        for item in segment:
            extra = {"follow_on"} if _follow_on(cue.mention, item[0], sm) else set()
            if item[1] is None and other_item(item[0], sm, ctx.lang):
                extra.add("new_item")  # 'a second air-defence system': not the deal already named
            if cue.stage == "delivery" and _operated(item[0], sm):
                continue  # 'an Air Force C-17 landed with the cargo': the carrier, not the delivery
            ikey = item[1].name if item[1] is not None else "cat:" + item[2]
            if item[1] is None and any(
                i[1] is not None and i[2] == item[2] and _own_count(item[0], i[0], sm) for i in items
            ):
                extra.add("listed")  # 'three FDI frigates and three corvettes': an item of its own
            for buyer in share.get(id(item), buyers):
                slot = plan.setdefault((buyer.iso or buyer.name, ikey), (item, buyer, carried, set(), set()))
                slot[3].add(cue.stage)
                slot[4].update(cue.flags | extra)
    for item, buyer, carried, stages, cue_flags in plan.values():
        m, info, category = item
        qty, approx = quantity_for(m, sm, ctx.lang, item_mentions)
        item_sellers = sellers_for(info, sellers, [buyer], m, item_mentions, marked)
        for stage in r3(stages):
            states = [s for s in item_sellers if not s.is_company and s.iso in marked_sellers]
            donors: list[Party | None] = list(
                states if stage == "delivery" and len(states) > 1 else item_sellers[:1]
            )
            for seller in donors or [None]:
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
                        flags=set(flags) | cue_flags | ({"donor"} if len(donors) > 1 else set()),
                    )
                )
    return out


def _only_future_years(text: str, year: int) -> bool:
    """The sentence names years, all after the publication year."""
    years = [int(y) for y in _YEARS.findall(text)]
    return bool(years) and min(years) > year


def _bids(parties: list[RoleParty], items: list[Item], ctx: SentenceContext) -> list[Candidate]:
    """A tender's participants: each named party but the buyer is a bidder (R9)."""
    marked = [rp.party for rp in parties if rp.role == "buyer" and rp.party.iso and not rp.party.is_company]
    buyer = marked[0] if marked else ctx.topic_buyer
    base = Candidate(
        buyer=Party("", None), seller=None, system=None, category="other", stage="negotiation",
        quantity=None, quantity_approx=False, value=None, evidence=ctx.text, sentence_index=ctx.index,
    )  # fmt: skip
    return bidder_candidates(parties, items, buyer, ctx.topic_category, base)


def _follow_on(cue: Mention, item: Mention, sm: SentenceMentions) -> bool:
    """'five more', 'еще две', 'dy të tjerë': a follow-on order, a deal of its own (R3)."""
    lo = min(cue.start, item.start) - 30
    hi = max(cue.end, item.end) + 10
    longer = [m for m in sm.modifiers if m.entry.data != "follow_on"]
    for f in sm.mods("follow_on"):
        if not lo <= f.start < hi:
            continue
        if any(o.start <= f.start and f.end <= o.end and o.end - o.start > f.end - f.start for o in longer):
            continue
        if any(-8 <= f.start - n.end <= 8 or -8 <= n.start - f.end <= 8 for n in sm.numbers):
            return True
    return False


def _buyers(
    cue: LiveCue, parties: list[RoleParty], sm: SentenceMentions, ctx: SentenceContext, aggregate: bool
) -> tuple[list[Party], bool]:
    """The cue's buyers, the article's main buyer when the sentence names none (not for aggregates)."""
    left, right = clause_bounds(sm.norm, cue.mention.start, cue.mention.end)
    buyers = buyers_for_cue(parties, cue.mention.start, left, right, ctx.lang, sm.norm)
    if cue.stage == "contract" and is_sale_word(cue.mention, sm, ctx.lang):
        # 'the United States exported arms to 100 countries': who sells or exports is no buyer
        marked = {id(rp.party) for rp in parties if rp.role == "buyer"}
        subjects = {rp.party.iso for rp in parties if not rp.role and rp.party.iso}
        buyers = [b for b in buyers if id(b) in marked]
        if not buyers and ctx.topic_buyer is not None and ctx.topic_buyer.iso in subjects:
            return [], False
    if ctx.topic_buyer is not None and not aggregate:
        if not buyers:
            return [ctx.topic_buyer], True
        if all(b.iso is None for b in buyers):
            return [ctx.topic_buyer], False  # "the Defence Ministry" of the article's buyer
    return buyers, False
