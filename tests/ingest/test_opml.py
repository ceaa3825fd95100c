"""OPML: reading other readers' exports, writing OPML 2.0, and `armswatch feeds import|export|list`."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from services.cli import cli
from services.ingest.opml import OpmlError, OpmlFeed, read_opml, write_opml

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Exported from another reader</title></head>
  <body>
    <outline text="Defence" title="Defence">
      <outline type="rss" text="Desk" title="Defence Desk" xmlUrl="https://desk.example.org/rss" htmlUrl="https://desk.example.org/"/>
      <outline text="Deeper"><outline type="rss" text="Wehr" xmlURL="https://wehr.example.de/atom"/></outline>
    </outline>
    <outline type="rss" text="Dup" xmlUrl="https://desk.example.org/rss"/>
    <outline text="a folder without feeds"/>
    <outline type="rss" text="Bad" xmlUrl="ftp://nope.example.org/feed"/>
  </body>
</opml>
"""


def test_read_flattens_folders_and_dedupes() -> None:
    """Every outline with an xmlUrl at any depth, once, with its title."""
    assert read_opml(NESTED) == [
        OpmlFeed("https://desk.example.org/rss", "Defence Desk", "https://desk.example.org/"),
        OpmlFeed("https://wehr.example.de/atom", "Wehr"),
        OpmlFeed("ftp://nope.example.org/feed", "Bad"),
    ]


@pytest.mark.parametrize(
    "data", [b"not xml", b"<rss version='2.0'/>", b"<!DOCTYPE x [<!ENTITY a 'b'>]><opml>&a;</opml>"]
)
def test_read_refuses_what_is_not_opml(data: bytes) -> None:
    """Garbage, another root element and entity declarations are refused."""
    with pytest.raises(OpmlError):
        read_opml(data)


def test_write_is_opml_2_that_reads_back() -> None:
    """The export is OPML 2.0 with a head and one rss outline per feed, and reads back the same."""
    feeds = [OpmlFeed("https://a.example.org/rss", "A & B <news>"), OpmlFeed("https://b.example.org/feed")]
    data = write_opml(feeds, created=datetime(2024, 3, 8, 12, 0, tzinfo=UTC))
    root = ET.fromstring(data)
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/dateCreated") == "Fri, 08 Mar 2024 12:00:00 GMT"
    outlines = root.findall("body/outline")
    assert [o.get("type") for o in outlines] == ["rss", "rss"]
    assert outlines[1].get("text") == "https://b.example.org/feed"
    assert read_opml(data) == [
        OpmlFeed("https://a.example.org/rss", "A & B <news>"),
        OpmlFeed("https://b.example.org/feed", "https://b.example.org/feed"),
    ]


def test_cli_import_export_list(tmp_path: Path) -> None:
    """Import skips bad and known URLs; export lists what is watched; list shows the health columns."""
    runner = CliRunner()
    env = {"ARMSWATCH_DATA_DIR": str(tmp_path)}
    source = tmp_path / "subs.opml"
    source.write_bytes(NESTED)
    added = runner.invoke(cli, ["feeds", "add", "https://desk.example.org/rss", "--full-text"], env=env)
    assert added.exit_code == 0, added.output
    imported = runner.invoke(cli, ["feeds", "import", str(source), "--interval", "1h"], env=env)
    assert imported.exit_code == 0, imported.output
    assert "imported 1 feeds" in imported.output and "1 already watched, 1 skipped" in imported.output
    assert "not an http(s) URL: 'ftp://nope.example.org/feed'" in imported.output
    exported = runner.invoke(cli, ["feeds", "export"], env=env)
    assert exported.exit_code == 0
    assert [f.url for f in read_opml(exported.output.encode())] == [
        "https://desk.example.org/rss",
        "https://wehr.example.de/atom",
    ]
    listed = runner.invoke(cli, ["feeds", "list"], env=env).output
    assert "full text" in listed and "every 3600s" in listed
    for column in ("last never", "status -", "errors 0", "next ", "items 0"):
        assert column in listed


def test_cli_import_refuses_garbage(tmp_path: Path) -> None:
    """A file that is not OPML is a usage error naming the problem."""
    bad = tmp_path / "bad.opml"
    bad.write_text("<html/>")
    result = CliRunner().invoke(cli, ["feeds", "import", str(bad)], env={"ARMSWATCH_DATA_DIR": str(tmp_path)})
    assert result.exit_code != 0 and "not <opml>" in str(result.exception)


def test_cli_add_refuses_a_bad_notify_url(tmp_path: Path) -> None:
    """--notify takes apprise URLs only."""
    result = CliRunner().invoke(
        cli,
        ["feeds", "add", "https://x.example.org/rss", "--notify", "nonsense"],
        env={"ARMSWATCH_DATA_DIR": str(tmp_path)},
    )
    assert result.exit_code != 0 and "not a valid apprise URL" in str(result.exception)
