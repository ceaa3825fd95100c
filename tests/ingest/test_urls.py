"""Tests for services.ingest.urls: canonical URLs, article ids and feed URL validation."""

from __future__ import annotations

import re

import pytest

from services.ingest.urls import article_id, canonical_url, validate_feed_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://Example.COM/Path", "https://example.com/Path"),
        ("http://example.com", "http://example.com/"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("http://example.com/a/#section", "http://example.com/a/"),
        ("http://example.com/a?b=2&a=1", "http://example.com/a?a=1&b=2"),
        (
            "https://example.com/n?utm_source=rss&utm_medium=feed&UTM_Campaign=x&id=3",
            "https://example.com/n?id=3",
        ),
        (
            "https://example.com/n?fbclid=abc&gclid=def&mc_cid=1&mc_eid=2&ref=tw&cmpid=9",
            "https://example.com/n",
        ),
        ("https://example.com/n?q=a%2fb", "https://example.com/n?q=a%2Fb"),
        ("  http://example.com/x  ", "http://example.com/x"),
        ("http://Example.com./x", "http://example.com/x"),
        ("http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x"),
        ("http://example.com/keep/trailing/", "http://example.com/keep/trailing/"),
        ("http://example.com/no/trailing", "http://example.com/no/trailing"),
        ("http://example.com/?flag", "http://example.com/?flag"),
    ],
)
def test_canonical_url(raw: str, expected: str) -> None:
    """Scheme and host are lower-cased, default ports, tracking params and fragments dropped, query sorted."""
    assert canonical_url(raw) == expected


def test_canonical_url_is_idempotent() -> None:
    """Canonicalising a canonical URL changes nothing."""
    once = canonical_url("HTTPS://News.Example:443/a/b?z=1&utm_term=x&a=2#top")
    assert canonical_url(once) == once


def test_article_id_is_32_hex_and_ignores_tracking() -> None:
    """The id is 32 hex chars and equal for URLs differing only in tracking, case of host or fragment."""
    first = article_id("https://news.example/story/42?page=1&utm_source=a#c")
    second = article_id("https://NEWS.example:443/story/42?fbclid=zz&page=1")
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first == second
    assert article_id("https://news.example/story/43?page=1") != first


@pytest.mark.parametrize(
    "good", ["http://example.com/feed", "https://example.com", " https://example.com/rss.xml "]
)
def test_validate_feed_url_accepts_http(good: str) -> None:
    """Absolute http(s) URLs with a host pass and come back stripped."""
    assert validate_feed_url(good) == good.strip()


@pytest.mark.parametrize(
    "bad",
    [
        "not-a-url",
        "",
        "ftp://example.com/feed",
        "http://",
        "/relative/feed",
        "http://x:99999/",
        "file:///etc/passwd",
    ],
)
def test_validate_feed_url_rejects_others(bad: str) -> None:
    """Anything else raises ValueError with a one-line message naming the input."""
    with pytest.raises(ValueError) as caught:
        validate_feed_url(bad)
    message = str(caught.value)
    assert message == f"feeds: not an http(s) URL: {bad!r}"
    assert "\n" not in message


def test_validate_feed_url_message_matches_cli_contract() -> None:
    """The message for `armswatch feeds add not-a-url` is exactly the documented one."""
    with pytest.raises(ValueError, match=r"^feeds: not an http\(s\) URL: 'not-a-url'$"):
        validate_feed_url("not-a-url")
