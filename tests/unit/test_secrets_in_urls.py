"""Credentials in a feed URL stay in the feeds table: never in logs, listings, exports or Article records."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from services.ingest.adapter import to_article
from services.ingest.parse import FeedEntry, ParsedFeed
from services.logs import configure_logging, get_logger, redact_credentials
from tests.support.stack import armswatch_env, run_cli

SECRET = "s3cr3t-pa55"
URL = f"https://reader:{SECRET}@feeds.example.org/private.rss"


def test_redact_credentials_in_any_text() -> None:
    """Every URL's password becomes ***; the user and the rest stay."""
    text = f"fetch {URL} failed; also json://bot:{SECRET}@127.0.0.1/x"
    out = redact_credentials(text)
    assert SECRET not in out
    assert "https://reader:***@feeds.example.org/private.rss" in out and "json://bot:***@127.0.0.1/x" in out


def test_log_lines_never_carry_a_url_password() -> None:
    """Whichever field or message holds the URL, the JSON log line shows it redacted."""
    stream = io.StringIO()
    configure_logging("info", "json", stream)
    get_logger("test").warning(f"cannot fetch {URL}", url=URL, nested="ok")
    line = stream.getvalue()
    assert SECRET not in line and "reader:***@" in line
    configure_logging("info", "console")


def test_article_records_name_the_feed_without_its_password() -> None:
    """The Article's feed_url (and the fallback url of a link-less item) are redacted."""
    entry = FeedEntry(link=None, guid="g1", published=None, language=None, title="t", summary="s", content="")
    feed = ParsedFeed(title="", link=None, language=None, hub=None, self_url=None)
    article = to_article(entry, feed, feed_url=URL, fetched_at=datetime.now(UTC))
    assert article is not None
    assert SECRET not in json.dumps(article)


def test_feeds_add_list_and_export_show_the_url_redacted(tmp_path) -> None:
    """The CLI prints the feed with *** for its password in every listing."""
    env = armswatch_env(data_dir=str(tmp_path))
    added = run_cli(env, "feeds", "add", URL, "--interval", "15m")
    assert added.returncode == 0, added.stderr
    outputs = [added, run_cli(env, "feeds", "list"), run_cli(env, "feeds", "export")]
    for result in outputs:
        assert result.returncode == 0, result.stderr
        assert SECRET not in result.stdout + result.stderr
    assert "reader:***@feeds.example.org" in outputs[1].stdout
