"""CLASSIFIER_VERSION: a content hash of the classifier's code and data files, computed once.

The Faust agent (agent.py) only transports records, so it is left out of the hash.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_ROOT = Path(__file__).parent
_NOT_CLASSIFIER = frozenset({"agent.py"})


def compute_version(root: Path = _ROOT) -> str:
    """Return ``rules-<12 hex>`` hashing every .py and data file under root (sorted by path)."""
    h = hashlib.sha256()
    files = sorted(
        p for p in root.rglob("*") if p.is_file() and p.suffix in {".py", ".json", ".jsonl", ".md"}
    )
    for p in files:
        if "__pycache__" in p.parts or p.name in _NOT_CLASSIFIER:
            continue
        h.update(p.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return "rules-" + h.hexdigest()[:12]


CLASSIFIER_VERSION = compute_version()
