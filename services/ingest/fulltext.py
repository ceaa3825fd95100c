"""Full article text: extract the main text of an article page with trafilatura (fetching is the poller's).

trafilatura is imported on first use, so feeds without ``--full-text`` never pay for it.
"""

from __future__ import annotations

import functools
from types import ModuleType

__all__ = ["HTML_ACCEPT", "MIN_CHARS", "extract_text"]

#: The Accept header of an article page request.
HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
#: Extracted text shorter than this is not trusted over the feed's own text.
MIN_CHARS = 200


@functools.cache
def _trafilatura() -> ModuleType:
    import trafilatura

    return trafilatura


def extract_text(page: bytes, url: str) -> str | None:
    """Return the main text of an HTML page, or None when none (or too little) could be found.

    Args:
        page: the page's bytes as fetched (trafilatura detects the charset).
        url: the page's URL, for trafilatura's heuristics.
    """
    try:
        text = _trafilatura().extract(
            page, url=url, include_comments=False, include_tables=False, favor_precision=True
        )
    except Exception:  # trafilatura on hostile markup: keep the feed's text
        return None
    if not isinstance(text, str):
        return None
    text = text.strip()
    return text if len(text) >= MIN_CHARS else None
