"""The fixed, cluster-disjoint split of the labelled dev set into a part to develop on and a part only scored.

An article's part is a pure function of its ``cluster`` (the deal or story it is about), so
the same deal never sits on both sides and a new article of a known cluster joins its
cluster's part. The salt was chosen once, among 20,000, for the most even balance of
articles and events per language over the 309 articles of December 2026; it is never
changed, or decisions made on one part would leak into the other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, Literal

Part = Literal["develop", "holdout"]
PARTS: tuple[Part, ...] = ("develop", "holdout")
SPLIT_SALT = "armswatch-split-13769:"


def part_of(cluster: str) -> Part:
    """Return the part an article of ``cluster`` belongs to."""
    digest = hashlib.sha256((SPLIT_SALT + cluster).encode("utf-8")).digest()
    return "holdout" if digest[0] % 2 else "develop"


def select(rows: Iterable[dict[str, Any]], part: Part) -> list[dict[str, Any]]:
    """Return the rows of one part; a row without a cluster is its own cluster (its id)."""
    return [r for r in rows if part_of(str(r.get("cluster") or r.get("id") or "")) == part]
