"""Decide which stage cues of a sentence are live: modality, governed objects, MoUs, dependent purchase words.

A cue is dropped when it is only the object or purpose of another step::

    'considering the purchase'      purchase governed by considering      -> interest
    'signed an MoU to buy'          buy is the MoU's purpose (R7)         -> negotiation
    'approved proposals that include the purchase of ...'
                                    a purchase noun or 'to buy' beside another step is no step of its own
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from services.classify.bidders import bid_cues
from services.classify.filters import blocked_by_negative
from services.classify.lexicon import read_jsonl
from services.classify.mentions import SentenceMentions
from services.classify.modality import cue_stage
from services.classify.types import PRE_CONTRACT, Mention
from services.record_types import Stage

ORDER = {
    s: i
    for i, s in enumerate(("interest", "negotiation", "approval", "contract", "delivery", "cancellation"))
}
_MOU_GAP = 24
_DOC_BEFORE = 100
_DOC_BREAK = re.compile(r"[,;.]|\s-|-\s")  # a hyphen inside a compound ('Leopard-Kampfpanzer') is no break
_DOC_FIRST = frozenset({"de", "ja", "ko", "tr", "hi", "fa"})


@dataclass(slots=True)
class LiveCue:
    """A stage cue that survived modality and negative filters."""

    mention: Mention
    stage: Stage
    flags: set[str]


@cache
def _word_lists(lang: str) -> tuple[frozenset[str], frozenset[str], frozenset[str], tuple[str, ...]]:
    """(purchase nouns, infinitive markers, document nouns, reduction stems) of lang (data/dependent_words.jsonl)."""
    from services.classify.normalize import fold_form

    nouns: set[str] = set()
    inf: set[str] = set()
    docs: set[str] = set()
    cuts: set[str] = set()
    for r in read_jsonl("dependent_words.jsonl"):
        if r["lang"] != lang:
            continue
        target = {"purchase_noun": nouns, "infinitive": inf, "document": docs, "reduction": cuts}.get(
            r["kind"]
        )
        if target is None:
            continue
        target.update(fold_form(f, lang) for f in r["forms"])
    return frozenset(nouns), frozenset(inf), frozenset(docs), tuple(sorted(cuts))


def is_export_approver(m: Mention) -> bool:
    """A State Department / DSCA mention: its sentence notifies a possible sale."""
    from services.classify.types import KIND_INST
    from services.reference import institution_rows

    return m.entry.kind == KIND_INST and institution_rows()[m.entry.data].get("role") in (
        "export_approval",
        "fms_agency",
    )


def _is_reference(cue: Mention, sm: SentenceMentions, lang: str) -> bool:
    """A contract cue inside 'under the contract' / 'as part of the deal' refers to a known deal."""
    if cue.entry.data != "contract":
        return False
    before = sm.norm[max(0, cue.start - 24) : cue.start]
    return any(before.endswith(ref) for ref in _stems(lang, "reference"))


def is_sale_word(cue: Mention, sm: SentenceMentions, lang: str) -> bool:
    """The cue is a sale word ('sale', '出售', 'Verkauf'), not a signature or an order."""
    text = sm.norm[cue.start : cue.end]
    return any(stem in text for stem in _stems(lang, "sale"))


@cache
def _stems(lang: str, kind: str) -> tuple[str, ...]:
    """The folded forms of one kind in data/dependent_words.jsonl for lang."""
    from services.classify.normalize import fold_form

    tail = " " if kind == "reference" else ""
    rows = read_jsonl("dependent_words.jsonl")
    return tuple(
        fold_form(f, lang) + tail for r in rows if r["lang"] == lang and r["kind"] == kind for f in r["forms"]
    )


def fitted_to(item: Mention, sm: SentenceMentions, lang: str) -> bool:
    """'frigates equipped with radars', 'armés de missiles': an item that is another item's fit-out."""
    fits = _stems(lang, "fit_out")
    if not fits or not any(x.end <= item.start for x in sm.systems + sm.categories):
        return False
    before = sm.norm[max(0, item.start - 60) : item.start]
    for f in fits:
        at = before.rfind(f)
        if at >= 0 and not any(ch in before[at:] for ch in ",;.()"):
            return True
    return False


def other_item(item: Mention, sm: SentenceMentions, lang: str) -> bool:
    """'a second air-defence system', 'ein weiteres System': an item besides the one already bought."""
    before = sm.norm[max(0, item.start - 30) : item.start]
    return any(f" {f} " in f" {before}" for f in _stems(lang, "other_item"))


def rejected_item(item: Mention, sm: SentenceMentions, lang: str) -> bool:
    """'chose the KF-21 over the Rafale', 'statt des Eurofighter', 'F-16 yerine': the alternative turned down."""
    forms = _stems(lang, "rejected")
    if not forms:
        return False
    if lang == "tr":
        after = sm.norm[item.end : item.end + 16]
        return any(re.match(r"^\S{0,6}\s+" + re.escape(f), after) for f in forms)
    raw = " " + sm.norm[max(0, item.start - 28) : item.start].rstrip()
    bare = re.sub(r"\s(?:the|der|die|das|den|dem|le|la|les|l'|el|los|il|lo|gli|o|os|a|as)$", "", raw)
    return any(text.endswith(f" {f}") for text in (raw, bare) for f in forms)


def is_dependent(cue: Mention, sm: SentenceMentions, lang: str) -> bool:
    """A purchase noun ('the purchase of') or an infinitive ('to buy', 'pour acheter') names no step alone."""
    if cue.entry.data not in ("contract", "delivery"):
        return False
    nouns, inf, _, _ = _word_lists(lang)
    words = sm.norm[cue.start : cue.end].split()
    if words and (" ".join(words) in nouns or (len(words) <= 2 and words[0] in nouns)):
        return True
    before = sm.norm[max(0, cue.start - 14) : cue.start]
    if not inf or not before or before[-1:] not in (" ", "'"):
        return False
    words = before.rstrip().split()
    if not words:
        return False
    last = words[-1]
    if before.endswith("'"):
        last = last.rsplit(" ", 1)[-1]
    return last in inf


def live_cues(sm: SentenceMentions, lang: str) -> tuple[list[LiveCue], set[str]]:
    """Return the sentence's stage cues after modality, MoU, dependency and negative-context rules."""
    out: list[LiveCue] = []
    dependent: list[LiveCue] = []
    suppressed = False
    flags: set[str] = set()
    nego = [c for c in sm.cues if c.entry.data == "negotiation"]
    approver = any(is_export_approver(p) for p in sm.parties)
    for cue in sm.cues:
        inside = [e for e in sm.systems + sm.parties if e.start <= cue.start and cue.end <= e.end]
        if inside and not (cue.entry.data == "approval" and all(is_export_approver(e) for e in inside)):
            continue
        if cue.entry.data == "contract" and _signs_mou(cue, nego, sm):
            flags.add("mou")
            continue
        if cue.entry.data == "contract" and (_governed(cue, sm.cues, sm) or _command(cue, sm, lang)):
            continue
        if cue.entry.data == "delivery" and (
            _governed(cue, sm.cues, sm) or _receives_document(cue, sm, lang)
        ):
            continue
        stage, fl = cue_stage(cue, sm, lang)
        flags |= fl
        if _is_reference(cue, sm, lang):
            continue  # 'under the contract', 'im Rahmen des Vertrags': the deal, not a new step
        dep = is_dependent(cue, sm, lang)
        if stage is None or (dep and fl & {"hypothetical", "future"} and stage != "interest"):
            suppressed = suppressed or not dep
            continue  # 'postponed the purchase' keeps the deal's own stage (R6)
        if blocked_by_negative(cue, sm, lang):
            flags.add("negative")
            continue
        if approver and stage == "contract" and is_sale_word(cue, sm, lang):
            stage = "approval"  # the State Department approves a possible sale (R8)
        if stage == "cancellation" and sm.norm[cue.start : cue.end].startswith(_word_lists(lang)[3]):
            fl = fl | {"reduction"}
        if cue.entry.sub in bid_cues():
            fl = fl | {"bid"}
        live = LiveCue(cue, stage, fl)
        (dependent if dep else out).append(live)
    if not out and not suppressed:
        out = dependent
        for c in out:
            c.flags = c.flags | {"dependent"}  # 'the purchase of X' with no verb of its own
            if _heading(sm):
                c.flags = c.flags | {"noun_only"}  # 'The purchase of X' as a subhead: its step unsaid
    out.sort(key=lambda c: c.mention.start)
    return out, flags


def _heading(sm: SentenceMentions) -> bool:
    """A short line without a final stop: a headline or subhead, not a statement."""
    text = sm.raw.strip()
    return len(text.split()) <= 10 and not text.endswith((".", "!", "?", "。", "।"))


def sentence_stages(sm: SentenceMentions, lang: str) -> tuple[list[Stage], set[str]]:
    """Return the stages this sentence states (R3 applied within the sentence)."""
    cues, flags = live_cues(sm, lang)
    return r3({c.stage for c in cues}), flags


def r3(stages: set[Stage]) -> list[Stage]:
    """Keep contract, delivery and cancellation, plus the top pre-contract stage when no contract (R3)."""
    final = {s for s in stages if s not in PRE_CONTRACT}
    pre = [s for s in stages if s in PRE_CONTRACT]
    if pre and not ({"contract", "cancellation"} & final):
        final.add(max(pre, key=lambda s: ORDER[s]))
    return sorted(final, key=lambda s: ORDER[s])


def _command(cue: Mention, sm: SentenceMentions, lang: str) -> bool:
    """'ordered the ministry to examine': an order given to someone, not an order placed."""
    if lang != "en" or sm.norm[cue.start : cue.end] != "ordered":
        return False
    first = min((p for p in sm.parties if p.start >= cue.end), key=lambda p: p.start, default=None)
    if first is None or first.start - cue.end > 6:
        return False
    return sm.norm[first.end : first.end + 4] == " to "


def _governed(cue: Mention, cues: list[Mention], sm: SentenceMentions) -> bool:
    """A purchase or supply word right after another stage cue is its object, not a step of its own.

    'considering the purchase', 'cancel the purchase', 'contract for the supply of',
    'memorandum on the delivery of': the first cue decides the stage. A system named in
    between ends the phrase ('deliveries of the Patriot ordered from ...').
    """
    for p in cues:
        if p is cue or p.entry.data == cue.entry.data:
            continue
        if p.end <= cue.start and cue.start - p.end <= 30:
            gap = sm.norm[p.end : cue.start]
            party_between = any(p.end <= x.start < cue.start for x in sm.parties)
            system_between = any(p.end <= x.start < cue.start for x in sm.systems)
            if system_between:
                continue
            if not any(ch in gap for ch in ",;.，、") and (not party_between or len(gap) <= 10):
                return True
    return False


def _receives_document(cue: Mention, sm: SentenceMentions, lang: str) -> bool:
    """'received approval', 'a primit aprobarea', 'sent a letter': a document, not equipment."""
    for c in sm.cues:
        adjacent = c.entry.data in ("approval", "contract", "negotiation") and 0 <= c.start - cue.end <= 12
        if adjacent and not any(ch in sm.norm[cue.end : c.start] for ch in ",;"):
            return True
        # verb-final order: 'hat einen Großauftrag für ... bekommen', '受注を獲得した'
        earlier = c.entry.data in ("approval", "contract") and 0 <= cue.start - c.end <= _DOC_BEFORE
        if lang in _DOC_FIRST and earlier and not _DOC_BREAK.search(sm.norm[c.end : cue.start]):
            object_named = any(c.end <= x.start < cue.start for x in sm.systems)
            if lang == "de" or not object_named:  # 'sipariş ettiği TB2'leri teslim aldı': the TB2s, received
                return True
    docs = _word_lists(lang)[2]
    after = sm.norm[cue.end : cue.end + 40].split()
    return any(w.strip(".,;") in docs for w in after[:3])


def _signs_mou(cue: Mention, nego: list[Mention], sm: SentenceMentions) -> bool:
    """'signed' next to 'a letter of intent' / 'MoU' signs a pre-contract document (R7)."""
    for n in nego:
        gap = sm.norm[cue.end : n.start] if cue.end <= n.start else sm.norm[n.end : cue.start]
        if len(gap) <= _MOU_GAP and not any(ch in gap for ch in ",;"):
            return True
    return False
