"""Benchmark: classifier articles/s on one core over the dev set repeated to >= 2,000 articles.

Prints the rules classifier's throughput, a naive keyword-matching baseline measured in the
same run (every cue and system alias tested with ``in`` on the lower-cased text), and the ratio.

    python bench/classify_throughput.py [--min-articles 2000] [--dataset ../shared/data/dev/articles.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.classify import CLASSIFIER_VERSION, classify_article  # noqa: E402
from services.classify.lexicon import _system_rows, read_jsonl  # noqa: E402
from services.classify.types import article_input  # noqa: E402


def load(dataset: Path, minimum: int) -> list[dict[str, Any]]:
    """Return the dataset's articles repeated until there are at least ``minimum``."""
    with dataset.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    base = [{k: r.get(k) for k in ("id", "title", "text", "language")} for r in rows]
    out: list[dict[str, Any]] = []
    while len(out) < minimum:
        out.extend(base)
    return out


def baseline_keywords() -> dict[str, list[str]]:
    """Per language: every stage-cue form plus every system alias, lower-cased."""
    systems = [f.lower() for r in _system_rows() for f in [r["system"], *r.get("aliases", [])]]
    per_lang: dict[str, list[str]] = {}
    for r in read_jsonl("stage_cues.jsonl"):
        per_lang.setdefault(r["lang"], []).extend(f.lower() for f in r["forms"])
    return {lang: forms + systems for lang, forms in per_lang.items()}


def baseline(article: dict[str, Any], keywords: dict[str, list[str]]) -> bool:
    """Naive keyword matching: a procurement article has a cue and a system somewhere."""
    text = f"{article.get('title') or ''} {article.get('text') or ''}".lower()
    hits = [k for k in keywords.get(article.get("language") or "en", keywords["en"]) if k in text]
    return len(hits) >= 2


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-articles", type=int, default=2000)
    ap.add_argument(
        "--dataset", type=Path, default=ROOT / ".." / "shared" / "data" / "dev" / "articles.jsonl"
    )
    args = ap.parse_args()
    articles = load(args.dataset, args.min_articles)

    t0 = time.perf_counter()
    for a in articles[: len(set(x["id"] for x in articles))]:
        classify_article(article_input(a))  # warm-up: builds every language's matcher once
    warm = time.perf_counter() - t0

    t0 = time.perf_counter()
    events = sum(len(classify_article(article_input(a))["events"]) for a in articles)
    rules_s = time.perf_counter() - t0

    keywords = baseline_keywords()
    t0 = time.perf_counter()
    positives = sum(baseline(a, keywords) for a in articles)
    base_s = time.perf_counter() - t0

    n = len(articles)
    rules_rate, base_rate = n / rules_s, n / base_s
    print(f"classifier {CLASSIFIER_VERSION}, {n} articles (dev set x{n // 91 + (n % 91 > 0)}), one core")
    print(f"warm-up (first pass, lexicons built lazily): {warm:.2f} s")
    print(f"rules classifier:   {rules_rate:8.1f} articles/s  ({rules_s:.2f} s, {events} events)")
    print(f"keyword baseline:   {base_rate:8.1f} articles/s  ({base_s:.2f} s, {positives} positive)")
    print(f"ratio rules/baseline: {rules_rate / base_rate:.2f}")
    print(f"goal >= 300 articles/s: {'met' if rules_rate >= 300 else 'NOT met'}")


if __name__ == "__main__":
    main()
