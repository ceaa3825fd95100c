"""Parse RSS 0.9x/1.0/2.0 and Atom bytes with feedparser into plain ``ParsedFeed`` / ``FeedEntry`` objects.

Decoding (feedparser: charsets, entities, malformed XML) and mapping (feedparser's
dictionaries to our frozen dataclasses, HTML to text) are kept apart: ``_decode``
only calls feedparser, the ``_map_*`` functions only read its result. Making the
``Article`` record out of an entry is ``adapter.py``'s job.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import charset_normalizer
import feedparser

__all__ = ["FeedEntry", "ParsedFeed", "clean_text", "html_to_text", "parse_feed"]


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One feed item: texts are plain (HTML stripped, entities decoded), ``published`` is UTC."""

    link: str | None
    guid: str | None
    title: str
    summary: str
    content: str
    published: datetime | None
    language: str | None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed; ``bozo`` names the problem when the XML was not well formed (its good items remain)."""

    title: str
    link: str | None
    language: str | None
    hub: str | None
    self_url: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    bozo: str | None = None
    version: str = ""  # feedparser's format name ('rss20', 'atom10' ...); empty when it is no feed at all

    @property
    def is_feed(self) -> bool:
        """The document is a feed (a known format, or at least one item was read)."""
        return bool(self.version or self.entries)


# --- HTML to text -----------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
        "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
        "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
_SKIP_TAGS = frozenset({"script", "style", "template", "noscript", "iframe", "object"})
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML fragment, one line per block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


#: Characters no text of ours keeps: C0/C1 controls but tab and line breaks, lone surrogates, the
#: bidi embeddings and overrides (which make a title display other text) and non-characters.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\ufffe\uffff]")


def clean_text(text: str) -> str:
    """`text` without control characters, lone surrogates, bidi overrides and non-characters."""
    return _UNWANTED.sub("", text)


def _tidy(text: str, *, single_line: bool) -> str:
    text = _SPACES.sub(" ", clean_text(text).replace("\xa0", " "))
    text = _BLANK_LINES.sub(" " if single_line else "\n", text)
    return text.strip()


def html_to_text(markup: str, *, single_line: bool = False) -> str:
    """Return the visible text of an HTML fragment, entities decoded, one line per block.

    Args:
        markup: the HTML (scripts and styles are dropped).
        single_line: join the blocks with spaces instead of newlines.
    """
    if "<" not in markup and "&" not in markup:
        return _tidy(markup, single_line=single_line)
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    return _tidy("".join(extractor.parts), single_line=single_line)


# --- decode -----------------------------------------------------------------------------------


_NUMERIC_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _xml_char(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _drop_forbidden_refs(body: bytes) -> bytes:
    """Remove character references XML 1.0 forbids (&#x0;, &#xD800; ...): they name no character we keep."""
    if b"&#" not in body:
        return body

    def keep(match: re.Match[bytes]) -> bytes:
        code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
        return match.group(0) if _xml_char(code) else b""

    return _NUMERIC_REF.sub(keep, body)


def _decode(body: bytes, url: str, content_type: str | None) -> Any:
    # Only the charset of the HTTP Content-Type is used. The media type is always given as
    # application/xml: servers often say text/html or text/plain for feeds, and RFC 3023 makes
    # text/xml without a charset US-ASCII, overriding the XML declaration and garbling most feeds.
    media_type = "application/xml"
    body = _drop_forbidden_refs(body)
    said = _charset(content_type)
    charset = (
        said if said and not _lies(said, body) else _detected_charset(body, trust_declaration=said is None)
    )
    if charset:
        media_type += f"; charset={charset}"
    headers = {"content-location": url, "content-type": media_type}
    return feedparser.parse(body, response_headers=headers, sanitize_html=True, resolve_relative_uris=True)


_DETECT_BYTES = 64 * 1024  # enough text to tell legacy encodings apart, bounded for huge bodies
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)", re.IGNORECASE)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


_UTF8 = frozenset({"utf-8", "utf8"})


def _lies(charset: str, body: bytes) -> bool:
    """True when `charset` says UTF-8 and the body is not: most of its non-ASCII text fails to decode
    (a legacy encoding under a wrong name), not a few stray bytes in UTF-8 text."""
    if charset.strip().lower() not in _UTF8 or body.startswith(_BOMS):
        return False
    text = body[:_DETECT_BYTES].decode("utf-8", "replace")
    broken = text.count("\ufffd")
    decoded = sum(1 for ch in text if ord(ch) > 0x7F) - broken
    return broken > 0 and decoded * 10 < broken


def _detected_charset(body: bytes, *, trust_declaration: bool = True) -> str | None:
    """The charset of a body that names none, or wrongly names UTF-8, and is not UTF-8, detected.

    feedparser falls back to windows-1252 when neither HTTP nor the XML declaration names a
    charset; charset-normalizer's guess is better for every non-Latin legacy encoding.
    """
    if body.startswith(_BOMS):
        return None
    declared = _XML_ENCODING.search(body[:512])
    if declared and trust_declaration and not _lies(declared.group(1).decode("ascii", "replace"), body):
        return None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(body[:_DETECT_BYTES]).best()
        return best.encoding if best is not None else None
    return None


def _charset(content_type: str | None) -> str | None:
    for param in (content_type or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip(' "'):
            return value.strip(' "')
    return None


# --- map --------------------------------------------------------------------------------------


def _detail_text(detail: Any, fallback: str, *, single_line: bool) -> str:
    if not isinstance(detail, dict):
        return _tidy(fallback, single_line=single_line)
    value = str(detail.get("value") or "")
    if "html" in str(detail.get("type") or "text/html"):
        return html_to_text(value, single_line=single_line)
    return _tidy(value, single_line=single_line)


def _http_url(value: Any) -> str | None:
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else None


def _language(*details: Any) -> str | None:
    for detail in details:
        if isinstance(detail, dict) and detail.get("language"):
            return str(detail["language"]).strip() or None
    return None


def _utc(parsed: Any) -> datetime | None:
    if not isinstance(parsed, time.struct_time):
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _content(entry: Any) -> str:
    texts = [_detail_text(item, "", single_line=False) for item in entry.get("content") or []]
    return max(texts, key=len, default="")


_SCRIPTS = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(
    r"</?(?:a|abbr|b|big|br|code|del|div|em|embed|font|h[1-6]|i|iframe|img|ins|link|mark|meta|object|p|q|s"
    r"|small|span|strike|strong|sub|sup|svg|u)\b[^>]*>",
    re.IGNORECASE,
)


def _title(entry: Any) -> str:
    """The entry's title as plain text: HTML tags some feeds put in text titles are dropped too
    (scripts with their content); other angle brackets ('<angle>') are text and stay."""
    title = _detail_text(entry.get("title_detail"), entry.get("title", ""), single_line=True)
    if "<" not in title:
        return title
    return _tidy(_TAGS.sub("", _SCRIPTS.sub("", title)), single_line=True)


_YEAR = re.compile(r"(?<![0-9])[0-9]{4}(?![0-9])")


def _when(entry: Any) -> datetime | None:
    """The entry's time: published, else updated; None when the parsed year is not the one written.

    ``dict.get`` reads the parsed times without FeedParserDict's deprecated fallbacks; a date string
    whose four-digit years do not include the parsed one ('-0044-03-15' read as 2026) is no date.
    """
    for parsed_key, raw_key in (("published_parsed", "published"), ("updated_parsed", "updated")):
        when = _utc(dict.get(entry, parsed_key))
        if when is None:
            continue
        years = _YEAR.findall(str(dict.get(entry, raw_key) or ""))
        if years and str(when.year) not in years:
            return None
        return when
    return None


def _map_entry(entry: Any) -> FeedEntry:
    summary = _detail_text(entry.get("summary_detail"), entry.get("summary", ""), single_line=True)
    content = _content(entry)
    if summary == "" and content:
        summary = _tidy(content, single_line=True)
    contents = entry.get("content") or []
    guid = str(entry.get("id") or "").strip() or None
    link = _http_url(entry.get("link"))
    if link is None and entry.get("guidislink"):
        link = _http_url(guid)
    return FeedEntry(
        link=link,
        guid=guid,
        title=_title(entry),
        summary=summary,
        content=content,
        published=_when(entry),
        language=_language(entry.get("title_detail"), entry.get("summary_detail"), *contents),
    )


def _link(links: Any, rel: str) -> str | None:
    for link in links or []:
        if isinstance(link, dict) and link.get("rel") == rel and link.get("href"):
            return _http_url(link["href"])
    return None


def _bozo(decoded: Any) -> str | None:
    if not decoded.get("bozo"):
        return None
    exc = decoded.get("bozo_exception")
    name = type(exc).__name__ if exc is not None else "Error"
    message = " ".join(str(exc or "").split())
    return f"parse: {name}: {message}" if message else f"parse: {name}"


def _map_feed(decoded: Any) -> ParsedFeed:
    feed = decoded.get("feed", {})
    language = str(feed.get("language") or "").strip() or _language(feed.get("title_detail"))
    return ParsedFeed(
        title=_detail_text(feed.get("title_detail"), feed.get("title", ""), single_line=True),
        link=_http_url(feed.get("link")),
        language=language or None,
        hub=_link(feed.get("links"), "hub"),
        self_url=_link(feed.get("links"), "self"),
        entries=[_map_entry(entry) for entry in decoded.get("entries", [])],
        bozo=_bozo(decoded),
        version=str(decoded.get("version") or ""),
    )


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse a feed document.

    Args:
        body: the raw bytes as fetched (any charset feedparser can detect or be told).
        url: the URL it came from, the base for relative links.
        content_type: the HTTP ``Content-Type``, whose charset (if any) is honoured.

    Returns:
        A ``ParsedFeed``; malformed XML sets ``bozo`` but keeps whatever items were readable.
    """
    return _map_feed(_decode(body, url, content_type))
