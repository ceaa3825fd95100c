"""OPML subscription lists: read the feed outlines of any OPML 1.0/2.0 file, write OPML 2.0.

Reading takes every ``outline`` with an ``xmlUrl`` at any depth (folders are flattened);
writing makes one ``type="rss"`` outline per feed, which other feed readers import.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

__all__ = ["OpmlError", "OpmlFeed", "read_opml", "write_opml"]


class OpmlError(ValueError):
    """The file is not OPML armswatch can read."""


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One feed outline: its URL, title and web page."""

    url: str
    title: str | None = None
    html_url: str | None = None


def read_opml(data: bytes) -> list[OpmlFeed]:
    """The feed outlines of an OPML document, in document order, each URL once.

    Raises:
        OpmlError: the bytes are not XML, or the root element is not ``opml``.
    """
    if b"<!ENTITY" in data:
        raise OpmlError("opml: entity declarations are not accepted")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise OpmlError(f"opml: not well-formed XML: {exc}") from exc
    if root.tag.rpartition("}")[2].lower() != "opml":
        raise OpmlError(f"opml: root element is <{root.tag}>, not <opml>")
    found: dict[str, OpmlFeed] = {}
    for outline in root.iter():
        if outline.tag.rpartition("}")[2] != "outline":
            continue
        attrs = {k.lower(): v.strip() for k, v in outline.attrib.items()}
        url = attrs.get("xmlurl")
        if url and url not in found:
            title = attrs.get("title") or attrs.get("text") or None
            found[url] = OpmlFeed(url, title, attrs.get("htmlurl") or None)
    return list(found.values())


def write_opml(feeds: Iterable[OpmlFeed], *, created: datetime, title: str = "armswatch feeds") -> bytes:
    """An OPML 2.0 document listing ``feeds``, UTF-8 encoded with an XML declaration."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(created, usegmt=True)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        label = feed.title or feed.url
        attrs = {"type": "rss", "text": label, "title": label, "xmlUrl": feed.url}
        if feed.html_url:
            attrs["htmlUrl"] = feed.html_url
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"
