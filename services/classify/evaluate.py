"""Score predictions against labelled articles exactly as ../shared/tools/score.py does, per language too.

Must change together with ../shared/tools/score.py: ``norm``, ``buyer_ok``, ``system_ok``,
``match`` and ``prf`` mirror it line for line (a test runs both and compares the numbers).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

Counts = list[int]  # tp, fp, fn


def norm(s: str | None) -> str:
    """score.py's name normalisation."""
    return re.sub(r"[^a-z0-9а-яёіїєґçğışöüäß]", "", (s or "").lower())


def buyer_ok(g: dict[str, Any], p: dict[str, Any]) -> bool:
    """Buyers agree: ISO codes when both have one, else names contained in each other."""
    gi, pi = (g.get("buyer_iso") or "").upper(), (p.get("buyer_iso") or "").upper()
    if gi and pi:
        return gi == pi
    gn, pn = norm(g.get("buyer")), norm(p.get("buyer"))
    return bool(gn) and bool(pn) and (gn in pn or pn in gn)


def system_ok(g: dict[str, Any], p: dict[str, Any]) -> bool:
    """Systems agree (or aliases), or categories when either side names no system."""
    ps = norm(p.get("system"))
    names = [norm(n) for n in [g.get("system"), *(g.get("system_aliases") or [])] if norm(n)]
    if names and ps:
        return any(gs == ps or gs in ps or ps in gs for gs in names)
    return bool((g.get("category") or "") == (p.get("category") or ""))


def match(
    gold: list[dict[str, Any]], pred: list[dict[str, Any]], strict: bool = True
) -> tuple[int, int, int]:
    """Greedy one-to-one matching: (tp, fp, fn)."""
    used: set[int] = set()
    tp = 0
    for p in pred:
        for i, g in enumerate(gold):
            if i in used:
                continue
            if buyer_ok(g, p) and system_ok(g, p) and (not strict or g.get("stage") == p.get("stage")):
                used.add(i)
                tp += 1
                break
    return tp, len(pred) - tp, len(gold) - tp


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1 (0 when undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(gold: dict[str, dict[str, Any]], pred: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Return score.py's figures (keys like ``event_all``) plus per-language ones (``event_lang:de``)."""
    tables: dict[str, dict[str, Counts]] = {
        name: defaultdict(lambda: [0, 0, 0]) for name in ("article", "event", "event_loose")
    }
    missing = 0
    for aid, g in gold.items():
        p = pred.get(aid)
        if p is None:
            missing += 1
            p = {"is_procurement": False, "events": []}
        lang = g.get("language") or "?"
        for key in ("all", "en" if lang == "en" else "non-en", "lang:" + lang):
            gp, pp = bool(g.get("is_procurement")), bool(p.get("is_procurement"))
            a = tables["article"][key]
            a[0] += gp and pp
            a[1] += pp and not gp
            a[2] += gp and not pp
            for name, strict in (("event", True), ("event_loose", False)):
                tp, fp, fn = match(g.get("events") or [], p.get("events") or [], strict)
                t = tables[name][key]
                t[0] += tp
                t[1] += fp
                t[2] += fn
    out: dict[str, Any] = {"articles": len(gold), "missing_predictions": missing}
    for name, table in tables.items():
        for key, (tp, fp, fn) in sorted(table.items()):
            p_, r_, f_ = prf(tp, fp, fn)
            out[f"{name}_{key}"] = {
                "p": round(p_, 3),
                "r": round(r_, 3),
                "f1": round(f_, 3),
                "tp": tp,
                "fp": fp,
                "fn": fn,
            }
    return out
