"""Every file of the hostile-feed corpus (tests/data/hostile) through the real poller, against a local HTTP server.

Each file is served by ``ingest_server`` and polled once by a ``make_harness`` poller over a real
store. Whatever the file holds, the poll must not raise, must end in a clear one-line status
(``200 ok, N items, N new`` or an error), must take seconds at most, and every Article it produces
must validate and carry no file contents, no script URL and no credentials. ``EXPECTED`` adds
what each file should come to; tests/data/hostile/README.md says the same in prose, and the two
change together. A case the current code gets wrong is a strict xfail naming the defect.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from structlog.testing import capture_logs

from services.ingest.adapter import SUMMARY_MAX_CHARS, TITLE_MAX_CHARS
from services.records import ARTICLE, validate

from .conftest import FeedServer, Harness

HOSTILE = Path(__file__).resolve().parents[1] / "data" / "hostile"
CORPUS = sorted(p.name for p in HOSTILE.iterdir() if p.name != "README.md")

STORY_DATE = "2026-03-03T09:00:00Z"
#: C0 controls other than tab, line feed and carriage return, and UTF-16 surrogates: never in a record.
BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
#: Bidi embeddings and overrides (not isolates or marks): they make a title display other than it reads.
BIDI_OVERRIDES = re.compile(r"[\u202a-\u202e]")
OK_STATUS = re.compile(r"200 ok, (\d+) items, (\d+) new(, bozo: parse: .+)?")


@dataclass
class Poll:
    """What one poll of one corpus file left behind."""

    feed_url: str
    status: str
    errors: int
    articles: list[dict[str, Any]]
    logs: list[dict[str, Any]]

    def by_title(self, title: str) -> dict[str, Any]:
        """The one article with this exact title."""
        (found,) = [a for a in self.articles if a["title"] == title]
        return found


Check = Callable[[Poll], None]


@dataclass(frozen=True)
class Expect:
    """What polling one corpus file should come to.

    ``articles`` None means a feed error: ``status`` is then the exact status, no article is
    produced and the error is counted. Otherwise the status is ``200 ok, N items, N new`` with
    N = ``articles``, naming a parse problem when ``bozo``. ``defect`` makes the case a strict xfail.
    """

    articles: int | None
    status: str = ""
    bozo: bool = False
    content_type: str = "application/rss+xml"
    full_text: bool = False
    seconds: float = 5.0
    check: Check | None = None
    defect: str | None = None


# --- per-file checks ------------------------------------------------------------------------------


def titles_are(*titles: str) -> Check:
    """The produced titles are exactly these, in any order."""

    def check(poll: Poll) -> None:
        assert sorted(a["title"] for a in poll.articles) == sorted(titles)

    return check


def has_titles(*titles: str) -> Check:
    """These titles are among the produced ones."""

    def check(poll: Poll) -> None:
        assert set(titles) <= {a["title"] for a in poll.articles}

    return check


def no_entity_expanded(poll: Poll) -> None:
    """Entities are left unexpanded: no laughter, no file, the ordinary item intact."""
    blob = json.dumps(poll.articles)
    assert "lollol" not in blob and "/bin/" not in blob
    assert poll.by_title("Indonesia takes delivery of first Rafale")["published_at"] == STORY_DATE


def many_items(poll: Poll) -> None:
    """5,000 items are 5,000 distinct articles, each at its own link."""
    assert {a["url"] for a in poll.articles} == {
        f"https://hostile.test.invalid/news/{n}" for n in range(5000)
    }


def huge_item_cut(poll: Poll) -> None:
    """The 1.5 MB description is cut with a mark saying how long it was; the other item is untouched."""
    big = poll.by_title("Corvette programme briefing")
    assert re.search(r"\[cut by armswatch: 1\d{6} characters, the first \d+ kept\]$", big["text"])
    assert re.search(r"\[cut by armswatch: 1\d{6} characters, the first \d+ kept\]$", big["summary"])
    assert poll.by_title("Indonesia takes delivery of first Rafale")["text"].endswith("near Jakarta.")


def invalid_bytes_stay_local(poll: Poll) -> None:
    """A few invalid bytes spoil their own spot only: the valid UTF-8 elsewhere decodes as written."""
    assert any(a["title"].startswith("Broken bytes ") for a in poll.articles)
    good = poll.by_title("Türkiye orders Škoda trucks for the gendarmerie")
    assert good["summary"] == "Ankara signed for Tatra and Škoda vehicles, said the ministry in Ankara."


def cyrillic(poll: Poll) -> None:
    """The windows-1251 bytes behind a false utf-8 declaration come out as the Russian they are."""
    titles_are("Минобороны заказало партию бронемашин", "Индия получила фрегат")(poll)
    assert {a["source"] for a in poll.articles} == {"Оборонные новости"}
    assert {a["language"] for a in poll.articles} == {"ru"}


def placeholder_date_dropped(poll: Poll) -> None:
    """The 0001 placeholder date becomes no date; the other items keep theirs."""
    dates = {a["title"]: a["published_at"] for a in poll.articles}
    assert dates.pop("Placeholder-dated item") is None
    assert set(dates.values()) == {STORY_DATE}


def no_future_dates(poll: Poll) -> None:
    """A publication date centuries ahead is no date (as the 0001 placeholder is); today's item keeps its own."""
    for article in poll.articles:
        if article["title"].startswith("Item from") and article["published_at"] is not None:
            fetched = datetime.fromisoformat(article["fetched_at"])
            assert datetime.fromisoformat(article["published_at"]) <= fetched + timedelta(days=1), article
    assert poll.by_title("Norway orders more K9 howitzers")["published_at"] == STORY_DATE


def garbage_dates_dropped(poll: Poll) -> None:
    """Every unreadable date becomes no date (never a made-up one); the ordinary item keeps its own."""
    dates = {a["title"]: a["published_at"] for a in poll.articles}
    assert dates.pop("Poland signs for 96 Apache helicopters") == STORY_DATE
    assert dates == dict.fromkeys(dates, None)


def description_only(poll: Poll) -> None:
    """Items with a description only are articles at the channel's link; the repeated one is one article."""
    assert {a["title"] for a in poll.articles} == {""}
    assert {a["url"] for a in poll.articles} == {"https://hostile.test.invalid/"}
    assert sorted(a["summary"][:6] for a in poll.articles) == ["Brazil", "Romani"]


def distinct_ids(poll: Poll) -> None:
    """Items sharing one link but not their guid stay distinct articles at that link."""
    assert len({a["id"] for a in poll.articles}) == 3
    assert {a["url"] for a in poll.articles} == {"https://hostile.test.invalid/live"}


def first_guid_wins(poll: Poll) -> None:
    """An item repeated under one guid is one article, the first copy's."""
    titles_are("Philippines picks BrahMos batteries", "Indonesia takes delivery of first Rafale")(poll)


def bad_schemes_fall_back(poll: Poll) -> None:
    """javascript:, data: and file: links are not article URLs: those items point at the channel's link."""
    urls = {a["title"]: a["url"] for a in poll.articles}
    assert urls.pop("Poland signs for 96 Apache helicopters") == "https://hostile.test.invalid/news/6"
    assert set(urls.values()) == {"https://hostile.test.invalid/"}


def internal_pages_not_read(poll: Poll) -> None:
    """Full text is never read from a metadata address: the guard refuses it, and the item keeps its own text."""
    misses = {e["url"]: e.get("error") or "" for e in poll.logs if e["event"] == "full text not fetched"}
    metadata = [url for url in misses if "169.254.169.254" in url]
    assert metadata, misses
    assert all(misses[url].startswith("guard: ") for url in metadata), misses
    assert all(a["text"] == a["summary"] for a in poll.articles)


def relative_resolved(poll: Poll) -> None:
    """Relative links resolve against the feed's URL; a protocol-relative one takes its scheme."""
    base = poll.feed_url.rsplit("/", 1)[0]
    assert sorted(a["url"] for a in poll.articles) == sorted(
        [f"{base}/news/relative-1", f"{base}/news/relative-2", "http://hostile.test.invalid/news/relative-3"]
    )


def long_url_kept(poll: Poll) -> None:
    """A 10 kB link is kept whole as the article's URL."""
    assert poll.by_title("Long address")["url"] == "https://hostile.test.invalid/news/long?q=" + "a" * 10_240


def controls_dropped(poll: Poll) -> None:
    """Control characters and lone surrogates given as character references leave no trace; the text stays."""
    assert any(a["title"].startswith("Poland signs") for a in poll.articles)
    assert any("in the title" in a["title"] or "in title" in a["title"] for a in poll.articles)


def no_bidi_overrides(poll: Poll) -> None:
    """Titles keep their words but lose bidi overrides, which would make an alert show other text."""
    for article in poll.articles:
        assert not BIDI_OVERRIDES.search(article["title"]), article["title"]
    assert any("gpj.exe" in a["title"] for a in poll.articles)


def markup_is_text(poll: Poll) -> None:
    """Titles and texts are plain: tags dropped, scripts dropped with their contents."""
    for article in poll.articles:
        for name in ("title", "summary", "text"):
            assert "<script" not in article[name].lower() and "alert(" not in article[name], article[name]
    has_titles("Spain orders Eurofighters", "Finland buys David's Sling")(poll)


def xml_base_tricks(poll: Poll) -> None:
    """A javascript: or file: xml:base is ignored; an ordinary one resolves the entry's link."""
    urls = {a["title"]: a["url"] for a in poll.articles}
    assert urls["Base is javascript"] == poll.feed_url.rsplit("/", 1)[0] + "/news/2"
    assert urls["Base is an ordinary site"] == "https://hostile.test.invalid/atom/news/4"
    assert "javascript:" not in json.dumps(poll.articles)


def title_cut(poll: Poll) -> None:
    """The 10,000-character title is cut to the title bound with a mark."""
    long_one = next(a for a in poll.articles if a["title"].startswith("Denmark"))
    assert "[cut by armswatch: 10000 characters" in long_one["title"]


def credentials_dropped(poll: Poll) -> None:
    """A link's user and password never reach the article; the item is still there, at the bare host."""
    urls = {a["title"]: a["url"] for a in poll.articles}
    assert urls["Secret link"] == "http://hostile.test.invalid/news/secret"


# --- the table ------------------------------------------------------------------------------------

GOOD_ITEM = "Indonesia takes delivery of first Rafale"

EXPECTED: dict[str, Expect] = {
    "atom-xml-base-tricks.atom": Expect(4, content_type="application/atom+xml", check=xml_base_tricks),
    "binary-garbage.bin": Expect(
        None, "200 but not a feed (application/octet-stream)", content_type="application/octet-stream"
    ),
    "bom-utf16le.rss": Expect(2, check=titles_are("Égypte : livraison de corvettes Gowind", GOOD_ITEM)),
    "bom-utf8.rss": Expect(2, check=titles_are("Türkiye exports Hürjet trainers", GOOD_ITEM)),
    "channel-link-internal.rss": Expect(2, full_text=True, check=internal_pages_not_read),
    "control-chars-numeric-entities.rss": Expect(
        3,
        check=controls_dropped,
    ),
    "credentials-in-links.rss": Expect(
        3,
        check=credentials_dropped,
    ),
    "date-garbage-negative.rss": Expect(
        6,
        check=garbage_dates_dropped,
    ),
    "date-overflow-9999-offset.rss": Expect(
        2,
        check=titles_are("Item at the end of 9999 west of UTC", "Indonesia takes delivery of first Rafale"),
    ),
    "date-year-0001.rss": Expect(3, check=placeholder_date_dropped),
    "date-year-9999-far-future.rss": Expect(
        3,
        check=no_future_dates,
    ),
    "deep-nesting-50000.rss": Expect(
        2, seconds=10.0, check=titles_are("Nested bulletin", "Indonesia takes delivery of first Rafale")
    ),
    "dtd-external-subset.rss": Expect(2, bozo=True, check=no_entity_expanded),
    "empty.rss": Expect(None, "200 but not a feed (application/rss+xml)"),
    "encoding-lies-utf8-is-cp1251.rss": Expect(
        2,
        check=cyrillic,
    ),
    "html-page-not-a-feed.html": Expect(None, "200 but not a feed (text/html)", content_type="text/html"),
    "huge-item-1500kb.rss": Expect(2, check=huge_item_cut),
    "invalid-utf8-bytes.rss": Expect(2, bozo=True, check=invalid_bytes_stay_local),
    "json-not-a-feed.json": Expect(
        None, "200 but not a feed (application/json)", content_type="application/json"
    ),
    "link-internal-addresses.rss": Expect(4, full_text=True, check=internal_pages_not_read),
    "link-schemes-javascript-data-file.rss": Expect(6, check=bad_schemes_fall_back),
    "lone-surrogates-numeric-entities.rss": Expect(
        3,
        check=controls_dropped,
    ),
    "many-items-5000.rss": Expect(5000, seconds=20.0, check=many_items),
    "no-title-no-link.rss": Expect(2, check=description_only),
    "rdf10-legacy.rdf": Expect(
        2,
        content_type="application/rdf+xml",
        check=titles_are("Argentina receives JF-17 offer", "Uruguay buys patrol vessels"),
    ),
    "relative-links.rss": Expect(3, check=relative_resolved),
    "rss091-legacy.xml": Expect(
        2,
        content_type="text/xml",
        check=titles_are("Chile retires its last Mirage", "Peru studies a frigate purchase"),
    ),
    "rtl-override-title.rss": Expect(
        2,
        check=no_bidi_overrides,
    ),
    "same-guid-repeated.rss": Expect(2, check=first_guid_wins),
    "same-link-distinct-guids.rss": Expect(3, check=distinct_ids),
    "script-markup-in-title.rss": Expect(
        3,
        check=markup_is_text,
    ),
    "title-10000-chars.rss": Expect(2, check=title_cut),
    "truncated-mid-item.rss": Expect(
        3,
        bozo=True,
        check=has_titles("Norway orders more K9 howitzers", GOOD_ITEM, "Greece weighs a fourth frigate"),
    ),
    "undeclared-euc-kr.rss": Expect(
        2, check=titles_are("방위사업청 전차 수출 계약 체결", "해군 신형 잠수함 인수")
    ),
    "undeclared-koi8-r.rss": Expect(
        2, check=titles_are("Казахстан закупает беспилотники", "Армия получила новые вертолёты")
    ),
    "undeclared-shift-jis.rss": Expect(
        2, check=titles_are("防衛省が新型護衛艦の建造契約を締結", "航空自衛隊に最初のF-35Bが到着")
    ),
    "very-long-url-10kb.rss": Expect(2, check=long_url_kept),
    "whitespace-only.rss": Expect(None, "200 but not a feed (application/rss+xml)"),
    "xml-bomb-billion-laughs.rss": Expect(2, bozo=True, check=no_entity_expanded),
    "xxe-file-etc-passwd.rss": Expect(2, bozo=True, check=no_entity_expanded),
}

#: Files whose texts test the store as much as the parser: polled on PostgreSQL as well.
ON_POSTGRESQL = (
    "bom-utf16le.rss",
    "control-chars-numeric-entities.rss",
    "huge-item-1500kb.rss",
    "lone-surrogates-numeric-entities.rss",
    "rtl-override-title.rss",
    "title-10000-chars.rss",
    "undeclared-shift-jis.rss",
    "very-long-url-10kb.rss",
)


def cases(names: list[str] | tuple[str, ...]) -> list[Any]:
    """One pytest param per file, id the file name, a strict xfail where the table names a defect."""
    params = []
    for name in names:
        expect = EXPECTED.get(name)
        marks = [pytest.mark.xfail(strict=True, reason=expect.defect)] if expect and expect.defect else []
        params.append(pytest.param(name, id=name, marks=marks))
    return params


# --- the checks every file gets -------------------------------------------------------------------


def assert_safe(article: dict[str, Any], max_text: int) -> None:
    """One produced Article: valid, http(s) URL, no file contents, no credentials, within its bounds."""
    validate(ARTICLE, article)
    blob = json.dumps(article, ensure_ascii=False)
    assert "root:x:0:0" not in blob
    assert ":pass@" not in blob
    url = urlsplit(article["url"])
    assert url.scheme in ("http", "https") and url.hostname, article["url"]
    assert not article["url"].strip().lower().startswith(("javascript:", "data:", "file:"))
    for name in ("title", "summary", "text", "source"):
        assert not BAD_CHARS.search(article[name]), (name, article[name][:200])
    assert len(article["title"]) <= TITLE_MAX_CHARS
    assert len(article["summary"]) <= SUMMARY_MAX_CHARS
    assert len(article["text"]) <= max_text


async def poll_file(server: FeedServer, harness: Harness, name: str) -> Poll:
    """Serve one corpus file, poll it once, check what every file must satisfy, and return the outcome."""
    expect = EXPECTED[name]
    path = f"/{name}"
    server.feed(path, (HOSTILE / name).read_bytes(), content_type=expect.content_type)
    feed_id = harness.add(server.url(path), full_text=expect.full_text)
    started = time.monotonic()
    with capture_logs() as logs:
        await harness.round()
    elapsed = time.monotonic() - started
    row = harness.feed(feed_id)
    status = row.last_status or ""
    poll = Poll(server.url(path), status, row.consecutive_errors, harness.articles(), logs)
    assert elapsed < expect.seconds, f"{name}: polled in {elapsed:.1f} s"
    assert "\n" not in status and 0 < len(status) <= 200, status
    assert [r.path for r in server.requests] == [path]  # no DTD, entity or page fetched from us
    for article in poll.articles:
        assert_safe(article, harness.settings.article_max_chars)
    assert len({a["id"] for a in poll.articles}) == len(poll.articles)
    return poll


def assert_expected(poll: Poll, expect: Expect) -> None:
    """The outcome the table names for this file."""
    if expect.articles is None:
        assert (poll.status, poll.errors, poll.articles) == (expect.status, 1, [])
        return
    found = OK_STATUS.fullmatch(poll.status)
    assert found is not None, poll.status
    assert poll.errors == 0
    assert found.group(1) == found.group(2) == str(expect.articles), poll.status
    assert bool(found.group(3)) is expect.bozo, poll.status
    assert len(poll.articles) == expect.articles
    if expect.check is not None:
        expect.check(poll)


# --- tests ----------------------------------------------------------------------------------------


def test_every_file_has_an_expected_outcome() -> None:
    """The table and the corpus name the same files, at least 32, and the README lists each one."""
    assert sorted(EXPECTED) == CORPUS and len(CORPUS) >= 32
    readme = (HOSTILE / "README.md").read_text(encoding="utf-8")
    assert [name for name in CORPUS if f"`{name}`" not in readme] == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("name", cases(CORPUS))
async def test_hostile_feed(
    ingest_server: FeedServer, make_harness: Callable[..., Harness], name: str
) -> None:
    """Polling the file never raises, ends in a one-line status and produces only safe, valid Articles."""
    poll = await poll_file(ingest_server, make_harness(), name)
    assert_expected(poll, EXPECTED[name])


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("name", cases(ON_POSTGRESQL))
async def test_hostile_feed_on_postgresql(
    ingest_server: FeedServer, make_harness: Callable[..., Harness], name: str
) -> None:
    """The files whose texts strain the store come to the same outcome on PostgreSQL."""
    poll = await poll_file(ingest_server, make_harness(), name)
    assert_expected(poll, EXPECTED[name])
