"""Apply tense and modality to each stage cue (R1, R6, R10): future, hypothetical and negated steps."""

from __future__ import annotations

import re

from services.classify.mentions import SentenceMentions
from services.classify.types import Mention
from services.record_types import Stage

VERB_FINAL = frozenset({"ja", "ko", "tr", "hi", "fa", "de"})
_CLAUSE = re.compile(
    r"(?<!\d)[,:]|[,:](?!\d)|[;，、；：]|\s[-–—]\s|\b(?:but|aber|но|але|mais|pero|ma|mas|ale|ancak|dar|lakin)\b"
)
_AND = re.compile(
    r"\s(?:and|und|и|і|та|et|y|e|i|ve|și|dhe|a|και|dan|và|oraz|ale|while|während|alors que|mientras)\s"
)
_BEFORE = 28
_SUBJECT_REACH = 140
_SUBJECT_DET = re.compile(
    r"^(?:.*\s)?(?:this|the|such an?|an|dieser|diese|der|cette|la|le|este|esta|el|questo|questa|il)\s\S"
)
_AFTER_VERB_FINAL = 16


def clause_bounds(norm: str, start: int, end: int) -> tuple[int, int]:
    """Return the span of the clause around [start, end) (commas, semicolons, 'but' cut clauses)."""
    left = 0
    for m in _CLAUSE.finditer(norm, 0, start):
        left = m.end()
    m2 = _CLAUSE.search(norm, end)
    right = m2.start() if m2 else len(norm)
    return left, right


SUFFIX_TENSE = frozenset({"ja", "ko", "tr", "hi"})  # tense and mood follow the verb
_MODAL_FIRST = frozenset({"de"})  # the modal or auxiliary stands far before a clause-final infinitive


def _near(cue: Mention, mod: Mention, norm: str, lang: str) -> bool:
    left, right = clause_bounds(norm, cue.start, cue.end)
    if mod.end <= cue.start:
        if lang in SUFFIX_TENSE and mod.entry.data != "negation":
            return False
        if lang in _MODAL_FIRST and mod.entry.data == "future_or_plan":
            return mod.start >= left  # 'will weitere 48 Startgeräte kaufen': the modal opens the clause
        return mod.start >= left and cue.start - mod.end <= _BEFORE
    if mod.start >= cue.end:
        limit = _AFTER_VERB_FINAL if lang in VERB_FINAL else 4
        return mod.end <= right and mod.start - cue.end <= limit
    return True  # overlapping: the cue form itself is future / negated


def _same_clause(cue: Mention, mod: Mention, norm: str) -> bool:
    """Deliveries are future or hypothetical when anything in their clause says so ('could be delayed')."""
    left, right = clause_bounds(norm, cue.start, cue.end)
    if mod.start >= cue.end and _AND.search(norm, cue.end, mod.start):
        return False  # 'arrived ... and will not be the last': the next clause has its own tense
    return left <= mod.start and mod.end <= right


def _subject_noun(cue: Mention, mod: Mention, sm: SentenceMentions) -> bool:
    """'This order, announced ..., would cover': an order noun as subject takes its verb's mood."""
    text = sm.norm[max(0, cue.start - 6) : cue.end]
    if not _SUBJECT_DET.search(text) or not 0 <= mod.start - cue.end <= _SUBJECT_REACH:
        return False
    return not any(cue.end <= c.start < mod.start for c in sm.cues)


def cue_stage(cue: Mention, sm: SentenceMentions, lang: str) -> tuple[Stage | None, set[str]]:
    """Return the stage a cue gives after its modifiers, or None when they cancel it.

    Args:
        cue: a stage-cue mention.
        sm: the sentence's mentions.
        lang: the sentence language.

    Returns:
        (stage or None, flags) where flags may hold "future", "hypothetical", "reported".
    """
    stage: Stage = cue.entry.data
    flags: set[str] = set()
    for mod in sm.modifiers:
        kind = mod.entry.data
        if kind not in ("future_or_plan", "hypothetical", "negation", "report_or_rumour"):
            continue
        if kind == "report_or_rumour":
            flags.add("reported")
            continue
        if (
            _near(cue, mod, sm.norm, lang)
            or (stage == "delivery" and _same_clause(cue, mod, sm.norm))
            or (kind == "hypothetical" and _subject_noun(cue, mod, sm))
        ):
            flags.add(
                {"future_or_plan": "future", "hypothetical": "hypothetical", "negation": "negation"}[kind]
            )
    if "negation" in flags:
        return None, flags
    if "future" in flags:
        if stage == "delivery":
            return None, flags
        if stage == "contract":
            stage = "interest"
    if "hypothetical" in flags:
        if stage in ("delivery", "cancellation"):
            return None, flags
        if stage == "contract":
            stage = "negotiation"
    return stage, flags
