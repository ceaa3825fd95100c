"""Tests for services.ingest.parse on feeds in several formats and charsets (tests/data/feeds/)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.ingest.parse import html_to_text, parse_feed

from .conftest import read_data

URL = "http://feeds.test.invalid/feed.xml"


@pytest.mark.parametrize(
    "content_type",
    [None, "application/rss+xml", "text/xml", "text/html", "application/xml; charset=windows-1251"],
)
def test_windows_1251_feed_decodes(content_type: str | None) -> None:
    """A windows-1251 feed decodes to the right Cyrillic, whatever charset-less type the server claims."""
    feed = parse_feed(read_data("cp1251-russian.rss"), URL, content_type)
    assert feed.title == "Тестовая лента в кодировке windows-1251"
    assert feed.language == "ru-RU"
    (entry,) = feed.entries
    assert entry.title == "Минобороны получило новые вертолёты"
    assert entry.summary == "Ёмкий текст: вертолёты переданы войскам «в срок»."
    assert entry.published == datetime(2024, 3, 4, 7, 0, tzinfo=UTC)
    assert feed.bozo is None


@pytest.mark.parametrize("content_type", [None, "text/xml", "application/rss+xml; charset=ISO-8859-9"])
def test_iso_8859_9_feed_decodes(content_type: str | None) -> None:
    """An ISO-8859-9 feed keeps the Turkish letters (ğ ş ı İ) that Latin-1 lacks."""
    feed = parse_feed(read_data("iso-8859-9-turkish.rss"), URL, content_type)
    (entry,) = feed.entries
    assert entry.title == "İstanbul'da şirket ağır ışık sistemi gösterdi"
    assert "ğ, ş, ı, İ, ö, ü ve ç" in entry.summary
    assert entry.guid == "tr-haber-1"
    assert entry.link == "http://feeds.test.invalid/tr/haber/1"


def test_malformed_xml_keeps_its_good_items() -> None:
    """Malformed XML sets bozo with the parser's complaint, and all readable items remain."""
    feed = parse_feed(read_data("bozo-unclosed.rss"), URL)
    assert feed.bozo is not None and feed.bozo.startswith("parse: ")
    titles = [entry.title for entry in feed.entries]
    assert titles[0] == "First good item"
    assert titles[-1] == "Third good item"
    assert feed.entries[-1].link == "http://feeds.test.invalid/broken/3"


def test_rss_091_without_guid_or_date() -> None:
    """An RSS 0.91 item has no guid or date; entities in title and description are decoded."""
    feed = parse_feed(read_data("rss091.xml"), URL)
    (entry,) = feed.entries
    assert entry.guid is None and entry.published is None
    assert entry.title == "Café item without guid"
    assert entry.summary == "Naïve résumé & more."
    assert feed.language == "en-gb"


def test_rss_10_rdf() -> None:
    """RSS 1.0 (RDF) items, dc:language and dc:date are read."""
    feed = parse_feed(read_data("rss10-rdf.xml"), URL)
    assert feed.language == "de"
    (entry,) = feed.entries
    assert entry.title == "Ein Eintrag im RDF-Format"
    assert entry.summary == "Beschreibung mit Umlauten: Grüße aus Köln."
    assert entry.published == datetime(2024, 3, 6, 11, 0, tzinfo=UTC)


def test_atom_links_hub_self_and_html_content() -> None:
    """Atom: relative links resolve against xml:base, hub and self links, HTML turned into text."""
    feed = parse_feed(read_data("atom-relative.atom"), URL, "application/atom+xml")
    assert feed.title == "Atom & friends"
    assert feed.link == "http://feeds.test.invalid/atom/"
    assert feed.hub == "https://hub.test.invalid/"
    assert feed.self_url == "http://feeds.test.invalid/atom/feed.atom"
    assert feed.language == "en-US"
    first, second = feed.entries
    assert first.link == "http://feeds.test.invalid/atom/posts/one"
    assert first.summary == "Short & sweet"  # script dropped, entity decoded
    assert first.content == "Heading\nFirst paragraph here.\nSecond été paragraph."
    assert first.published == datetime(2024, 3, 7, 13, 0, tzinfo=UTC)  # updated, normalised to UTC
    assert first.language == "en-US"
    assert second.link is None and second.guid == "urn:uuid:5b0c0f5e-0000-4000-8000-000000000002"
    assert second.title == "Plain text with <angle> brackets"  # text, not HTML: kept
    assert second.summary == "1 < 2 is true"


def test_guid_permalink_becomes_the_link() -> None:
    """An RSS item whose only locator is a permalink guid gets it as its link."""
    feed = parse_feed(read_data("sparse-items.rss"), URL)
    assert feed.title == ""
    assert [entry.link for entry in feed.entries] == [None, None, "http://sparse.test.invalid/p/9"]


def test_garbage_is_bozo_with_no_entries() -> None:
    """Bytes that are not a feed give an empty, bozo feed rather than an exception."""
    feed = parse_feed(b"\x00\x01 this is not xml", URL)
    assert feed.entries == []
    assert feed.bozo is not None


@pytest.mark.parametrize(
    ("markup", "single_line", "expected"),
    [
        ("<p>One</p><p>Two &amp; three</p>", False, "One\nTwo & three"),
        ("<p>One</p><p>Two</p>", True, "One Two"),
        ("a<br>b<br/>c", False, "a\nb\nc"),
        ("<style>p{}</style><script>x()</script>Visible", False, "Visible"),
        ("&eacute;t&eacute;&nbsp;&#8212; ok", False, "été — ok"),
        ("  lots   of\t\tspace  ", False, "lots of space"),
        ("<ul><li>x</li><li>y</li></ul>", True, "x y"),
    ],
)
def test_html_to_text(markup: str, single_line: bool, expected: str) -> None:
    """Blocks become lines, scripts and styles vanish, entities decode, whitespace collapses."""
    assert html_to_text(markup, single_line=single_line) == expected


LEGACY = {
    "koi8_r": (
        "ru",
        "Министерство обороны подписало контракт на поставку новых истребителей. Первые самолёты будут переданы армии в следующем году. Заказ включает запасные части и обучение пилотов.",
    ),
    "euc_kr": (
        "ko",
        "방위사업청은 새로운 전투기 도입 계약을 체결했다고 밝혔다. 첫 번째 항공기는 내년에 공군에 인도될 예정이다. 계약에는 예비 부품과 조종사 교육이 포함된다.",
    ),
    "euc_jp": (
        "ja",
        "防衛省は新しい戦闘機の購入契約を締結したと発表した。最初の機体は来年航空自衛隊に引き渡される予定である。契約には予備部品と操縦士の訓練が含まれる。",
    ),
    "shift_jis": (
        "ja",
        "防衛省は新しい戦闘機の購入契約を締結したと発表した。最初の機体は来年航空自衛隊に引き渡される予定である。契約には予備部品と操縦士の訓練が含まれる。",
    ),
    "gb2312": (
        "zh",
        "国防部宣布签署了购买新型战斗机的合同。首批飞机将于明年交付空军。合同包括备件和飞行员培训。",
    ),
    "tis_620": (
        "th",
        "กระทรวงกลาโหมได้ลงนามในสัญญาซื้อเครื่องบินขับไล่รุ่นใหม่ เครื่องบินลำแรกจะส่งมอบให้กองทัพอากาศในปีหน้า สัญญารวมถึงอะไหล่และการฝึกนักบิน",
    ),
    "cp1255": (
        "he",
        "משרד הביטחון חתם על חוזה לרכישת מטוסי קרב חדשים. המטוסים הראשונים יימסרו לחיל האוויר בשנה הבאה. החוזה כולל חלקי חילוף והכשרת טייסים.",
    ),
}


@pytest.mark.parametrize("encoding", sorted(LEGACY))
def test_a_legacy_charset_declared_nowhere_is_detected(encoding: str) -> None:
    """A feed in KOI8-R, EUC-KR, EUC-JP, Shift-JIS, GB2312, TIS-620 or Windows-1255 that names no charset reads right."""
    _, text = LEGACY[encoding]
    doc = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Defence</title>'
        f"<item><title>{text[:40]}</title><link>https://ex.test/1</link><description>{text}</description></item>"
        "</channel></rss>"
    )
    parsed = parse_feed(doc.encode(encoding), "https://ex.test/feed", "application/rss+xml")
    (item,) = parsed.entries
    assert item.title == text[:40].strip()
    assert item.summary == text
