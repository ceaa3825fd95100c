"""Break a classifier's event errors down by kind: stage confusion, wrong buyer, wrong system, nothing predicted.

Each gold event is matched as score.py's strict matching does (buyer, system and stage agree,
one to one, greedy), then the rest as its loose matching does (buyer and system agree); every
matched pair counts in the stage confusion table. A gold event left over is, in this order: ``no_prediction`` when the article
has no predicted event at all, ``buyer_wrong`` when a left-over prediction has its system
but another buyer, ``system_wrong`` when one has its buyer but another system, else
``missed``. Predictions left over after that are ``false_positive``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from services.classify.evaluate import buyer_ok, system_ok
from services.classify.types import STAGES

KINDS = ("no_prediction", "buyer_wrong", "system_wrong", "missed", "false_positive")


def _empty() -> dict[str, Any]:
    return {"confusion": defaultdict(int), **dict.fromkeys(KINDS, 0), "stage_right": 0, "gold": 0}


def article_errors(gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> dict[str, Any]:
    """Return one article's error counts and a list of its error cases (gold, predicted, kind)."""
    out = _empty()
    cases: list[dict[str, Any]] = []
    out["gold"] = len(gold)
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for strict in (True, False):
        for pi, p in enumerate(pred):
            if pi in used_pred:
                continue
            for gi, g in enumerate(gold):
                if gi in used_gold or not (buyer_ok(g, p) and system_ok(g, p)):
                    continue
                if strict and g.get("stage") != p.get("stage"):
                    continue
                used_gold.add(gi)
                used_pred.add(pi)
                out["confusion"][(g.get("stage"), p.get("stage"))] += 1
                if strict:
                    out["stage_right"] += 1
                else:
                    cases.append({"kind": "stage_wrong", "gold": g, "pred": p})
                break
    left_pred = [i for i in range(len(pred)) if i not in used_pred]
    for gi, g in enumerate(gold):
        if gi in used_gold:
            continue
        kind = "missed"
        partner: dict[str, Any] | None = None
        if not pred:
            kind = "no_prediction"
        else:
            for name, want_buyer in (("buyer_wrong", False), ("system_wrong", True)):
                hit = next(
                    (
                        i
                        for i in left_pred
                        if buyer_ok(g, pred[i]) == want_buyer and system_ok(g, pred[i]) != want_buyer
                    ),
                    None,
                )
                if hit is not None:
                    kind, partner = name, pred[hit]
                    left_pred.remove(hit)
                    break
        out[kind] += 1
        cases.append({"kind": kind, "gold": g, "pred": partner})
    out["false_positive"] = len(left_pred)
    cases.extend({"kind": "false_positive", "gold": None, "pred": pred[i]} for i in left_pred)
    out["cases"] = cases
    return out


def error_tables(gold: dict[str, dict[str, Any]], pred: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Return the error breakdown per scope ("all", "en", "non-en", "lang:xx").

    Each scope holds ``confusion`` as {gold stage: {predicted stage: n}}, the counts of
    ``KINDS``, ``stage_right`` (matched pairs with the right stage) and ``gold`` (events).
    """
    scopes: dict[str, dict[str, Any]] = defaultdict(_empty)
    for aid, g in gold.items():
        p = pred.get(aid) or {"events": []}
        one = article_errors(g.get("events") or [], p.get("events") or [])
        lang = g.get("language") or "?"
        for key in ("all", "en" if lang == "en" else "non-en", "lang:" + lang):
            s = scopes[key]
            for k in (*KINDS, "stage_right", "gold"):
                s[k] += one[k]
            for pair, n in one["confusion"].items():
                s["confusion"][pair] += n
    out: dict[str, Any] = {}
    for key, s in sorted(scopes.items()):
        table: dict[str, dict[str, int]] = {}
        for (gs, ps), n in s["confusion"].items():
            table.setdefault(str(gs), {})[str(ps)] = n
        out[key] = {"confusion": table, **{k: s[k] for k in (*KINDS, "stage_right", "gold")}}
    return out


def format_tables(tables: dict[str, Any]) -> list[str]:
    """Render error tables as text lines: the overall stage confusion, then one count line per scope."""
    lines: list[str] = []
    overall = tables.get("all")
    if overall is None:
        return lines
    head = "gold \\ predicted"
    lines.append(f"{head:16} " + " ".join(f"{s[:8]:>8}" for s in STAGES))
    for gs in STAGES:
        row = overall["confusion"].get(gs, {})
        lines.append(f"{gs:16} " + " ".join(f"{row.get(ps, 0):>8}" for ps in STAGES))
    lines.append("")
    cols = ("gold", "stage_right", "stage_wrong", *KINDS)
    lines.append(f"{'scope':10} " + " ".join(f"{c:>14}" for c in cols))
    keys = ["all", "en", "non-en", *sorted(k for k in tables if k.startswith("lang:") and k != "lang:en")]
    for key in keys:
        if key not in tables:
            continue
        t = tables[key]
        wrong = sum(n for gs, row in t["confusion"].items() for ps, n in row.items() if gs != ps)
        values = {**t, "stage_wrong": wrong}
        lines.append(f"{key.removeprefix('lang:'):10} " + " ".join(f"{values[c]:>14}" for c in cols))
    return lines
