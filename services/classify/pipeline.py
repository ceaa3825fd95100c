"""The rules classifier: article dict in, classification (is_procurement + events) out."""

from __future__ import annotations

import re
from collections import Counter
from typing import cast

from services.classify.assemble import SentenceContext, assemble, live_cues
from services.classify.bidders import drop_decided_bids, topic_category
from services.classify.buyers import buyers_and_sellers
from services.classify.confidence import confidence
from services.classify.dedup import dedupe
from services.classify.langid import detect_language, looks_english, normalise_code
from services.classify.lexicon import matcher
from services.classify.mentions import SentenceMentions, find_mentions
from services.classify.quantity import money_country
from services.classify.roles import assign_roles, country_name
from services.classify.sentences import split_sentences
from services.classify.stages import resolve_stages
from services.classify.topic import topic_system
from services.classify.types import ArticleInput, Candidate, Party, ResultDict
from services.record_types import Category, ExtractedEvent

_YEAR = re.compile(r"^\s*((?:19|20)\d\d)")


def article_language(article: ArticleInput) -> str:
    """The declared language when supported, else the detected one."""
    declared = normalise_code(article.get("language"))
    if declared:
        return declared
    return detect_language(f"{article.get('title') or ''}\n{article.get('text') or ''}")


def _topic_buyer(
    title_sm: SentenceMentions | None, analysed: list[SentenceMentions], lang: str
) -> Party | None:
    """The article's main buyer: the title's one buyer, else its most named non-producer country."""
    if title_sm is not None:
        first_cue = title_sm.cues[0].start if title_sm.cues else 0
        buyers, _ = buyers_and_sellers(assign_roles(title_sm, lang), first_cue=first_cue)
        if len(buyers) == 1 and buyers[0].iso:
            return buyers[0]
    counts: Counter[str] = Counter()
    lead = True
    for sm in ([title_sm] if title_sm is not None else []) + analysed:
        for rp in assign_roles(sm, lang):
            if rp.party.iso and not rp.party.is_company and rp.role not in ("seller", "producer"):
                counts[rp.party.iso] += 2
                if lead:
                    counts[rp.party.iso] += 3  # the lead's first country is the story's subject
                    lead = False
    ranked = [iso for iso, _ in counts.most_common()]
    if not ranked:
        return currency_country(analysed)
    return Party(country_name(ranked[0]), ranked[0])


def currency_country(analysed: list[SentenceMentions]) -> Party | None:
    """A national currency named in the text (Rs, crore, zł, ₺) hints at the buyer when no country is named."""
    for sm in analysed:
        iso = money_country(sm.raw)
        if iso:
            return Party(country_name(iso), iso)
    return None


def extract(article: ArticleInput) -> list[Candidate]:
    """Return the article's resolved, deduplicated candidate events."""
    lang = article_language(article)
    text = article.get("text") or ""
    title = (article.get("title") or "").strip()
    sentences = split_sentences(text)
    analysed: list[tuple[str, str, SentenceMentions]] = []
    for s in sentences:
        slang = "en" if lang != "en" and looks_english(s.text) else lang
        analysed.append((s.text, slang, find_mentions(s.text, matcher(slang))))
    title_sm = find_mentions(title, matcher(lang)) if title else None
    strong = {m.entry.data for _, _, sm in analysed for m in sm.systems if m.entry.sub != "weak_alias"}
    if title_sm is not None:
        strong |= {m.entry.data for m in title_sm.systems if m.entry.sub != "weak_alias"}
    topic = _topic_buyer(title_sm, [sm for _, _, sm in analysed], lang)
    topic_cat = topic_category([sm for _, _, sm in analysed], title_sm)
    topic_sys = topic_system([sm for _, _, sm in analysed], title_sm)
    year = publication_year(article)
    cands: list[Candidate] = []
    refs: list[int] = []
    for i, (stext, slang, sm) in enumerate(analysed):
        ctx = SentenceContext(
            index=i,
            text=stext,
            lang=slang,
            strong_systems=strong,
            topic_buyer=topic,
            topic_category=topic_cat,
            topic_system=topic_sys,
            year=year,
        )
        found = assemble(sm, ctx)
        cands.extend(found)
        if not found and not sm.systems and not sm.categories and _names_contract(sm, slang):
            refs.append(i)
    _mou_called_contract(cands, refs)
    return dedupe(resolve_stages(drop_decided_bids(cands)))


def publication_year(article: ArticleInput) -> int | None:
    """The article's year from its publication date ('published', 'published_at' or 'date'), if any."""
    for stated in (article.get("published"), article.get("published_at"), article.get("date")):
        m = _YEAR.match(str(stated or ""))
        if m:
            return int(m.group(1))
    return None


def _names_contract(sm: SentenceMentions, lang: str) -> bool:
    """The sentence speaks of 'the contract' as done, naming no item ('Le contrat inclut ...')."""
    cues, _ = live_cues(sm, lang)
    return any(c.stage == "contract" for c in cues)


def _mou_called_contract(cands: list[Candidate], refs: list[int]) -> None:
    """R7: a signed MoU that the next sentences call 'the contract' is a contract."""
    for c in cands:
        near = any(0 < r - c.sentence_index <= 3 for r in refs)
        if c.stage == "negotiation" and "mou" in c.flags and near:
            c.stage = "contract"


def to_event(c: Candidate) -> ExtractedEvent:
    """Render a candidate in the wire shape of the labelled data (plus confidence)."""
    return {
        "buyer": c.buyer.name,
        "buyer_iso": c.buyer.iso,
        "seller": c.seller.name if c.seller else None,
        "seller_iso": c.seller.iso if c.seller else None,
        "system": c.system.name if c.system else None,
        "category": cast(Category, c.category),
        "quantity": c.quantity,
        "quantity_approx": bool(c.quantity_approx and c.quantity is not None),
        "stage": c.stage,
        "value": c.value,
        "evidence": c.evidence,
        "confidence": confidence(c),
    }


def classify_article(article: ArticleInput) -> ResultDict:
    """Classify one article.

    Args:
        article: ``{"id", "title", "text", "language"?, "url"?, "published"?}``.

    Returns:
        ``{"id", "is_procurement", "events": [...]}`` in the shape of the labelled dev data.
    """
    events = [to_event(c) for c in extract(article)]
    return {"id": article.get("id"), "is_procurement": bool(events), "events": events}
