"""Canonical article URLs, stable article ids and feed URL validation.

The canonical form is what makes the same article from two feeds one ``Article``:
scheme and host lower-cased, default port dropped, tracking parameters removed,
the remaining query sorted, the fragment dropped and an empty path written ``/``
(any other path is kept exactly, trailing slash or not).
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

from services.logs import redact_credentials

__all__ = ["TRACKING_PARAMS", "article_id", "canonical_url", "validate_feed_url"]

#: Query parameters that only track the reader; dropped from canonical URLs (compared lower-cased).
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "referrer",
        "cmpid",
        "cmp",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "ito",
        "wt.mc_id",
        "at_medium",
        "at_campaign",
        "ns_mchannel",
        "ns_source",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "spm",
        "smid",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hmb_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PERCENT_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


def _is_tracking(name: str) -> bool:
    key = unquote(name).strip().lower()
    return key in TRACKING_PARAMS or key.startswith(_TRACKING_PREFIXES)


def _upper_escapes(text: str) -> str:
    return _PERCENT_ESCAPE.sub(lambda m: m.group(0).upper(), text)


def _netloc(parts: SplitResult) -> str:
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        netloc = f"{host}:{port}"
    return netloc  # a user and password name no story: they stay out of ids and shown links


def canonical_url(url: str) -> str:
    """Return the canonical form of ``url`` used to identify an article.

    Args:
        url: an absolute URL as found in a feed (surrounding whitespace is ignored).

    Returns:
        The URL with lower-cased scheme and host, no user or password, no default port, no
        tracking parameters, its query sorted, no fragment and ``/`` for an empty path.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    path = _upper_escapes(parts.path) or "/"
    pairs = [p for p in parts.query.split("&") if p and not _is_tracking(p.partition("=")[0])]
    query = "&".join(sorted(_upper_escapes(p) for p in pairs))
    return urlunsplit((scheme, _netloc(parts), path, query, ""))


def article_id(url: str) -> str:
    """Return the stable article id: the first 32 hex chars of sha256 of the canonical URL."""
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:32]


def validate_feed_url(url: str) -> str:
    """Check that ``url`` is an absolute http(s) URL with a host and return it stripped.

    Raises:
        ValueError: with a one-line message such as ``feeds: not an http(s) URL: 'not-a-url'``.
    """
    candidate = url.strip()
    try:
        parts = urlsplit(candidate)
        scheme, host = parts.scheme.lower(), parts.hostname
        _ = parts.port  # raises ValueError on a non-numeric or out-of-range port
    except ValueError:
        scheme, host = "", None
    if scheme not in _DEFAULT_PORTS or not host or any(c.isspace() for c in candidate):
        raise ValueError(f"feeds: not an http(s) URL: {redact_credentials(url)!r}")
    return candidate
