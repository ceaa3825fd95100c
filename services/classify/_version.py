"""CLASSIFIER_VERSION: a content hash of the classifier's code and data files, computed once."""

from __future__ import annotations

import hashlib
from pathlib import Path

_ROOT = Path(__file__).parent


def compute_version(root: Path = _ROOT) -> str:
    """Return ``rules-<12 hex>`` hashing every .py and data file under root (sorted by path)."""
    h = hashlib.sha256()
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".py", ".json", ".jsonl"})
    for p in files:
        if "__pycache__" in p.parts:
            continue
        h.update(p.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return "rules-" + h.hexdigest()[:12]


CLASSIFIER_VERSION = compute_version()
