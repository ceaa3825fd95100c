"""Tests for services.channels: channel kinds, redaction, validation and the print:// channel."""

from __future__ import annotations

import importlib

import apprise
import pytest

from services import channels
from services.channels import INVALID, channel_kind, redact, scrub, validate_url

TG_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SLACK_HOOK = ("T1JJ3T3L2", "A1BRTD4JD", "TIiajkdnlazkcOXrIdevi7FQ")
SLACK_BOT = "xoxb-1234-1234-4ddbc191d40ee098cbaae6f3523ada2d"
SMTP_PASSWORD = "s3cret-Pa55word"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("mailto://user:pw@example.com", "email"),
        ("mailtos://user:pw@smtp.example.com?to=a@example.com", "email"),
        ("MAILTO://localhost:2525?to=a@example.com", "email"),
        ("slack://{}/{}/{}".format(*SLACK_HOOK), "slack"),
        ("https://hooks.slack.com/services/{}/{}/{}".format(*SLACK_HOOK), "slack"),
        (f"tgram://{TG_TOKEN}/12315544/", "telegram"),
        ("json://localhost:8080/hook", "text"),
        ("print://", "text"),
        ("https://example.com/not-slack", "text"),
        ("not a url", "text"),
    ],
)
def test_channel_kind(url: str, kind: str) -> None:
    """The scheme (or apprise's parse of an https URL) picks the renderer."""
    assert channel_kind(url) == kind


@pytest.mark.parametrize(
    ("url", "secrets", "starts"),
    [
        (f"tgram://{TG_TOKEN}/12315544/", [TG_TOKEN, TG_TOKEN.split(":")[1]], "tgram://"),
        ("slack://{}/{}/{}".format(*SLACK_HOOK), [SLACK_HOOK[2], SLACK_HOOK[1]], "slack://"),
        ("https://hooks.slack.com/services/{}/{}/{}".format(*SLACK_HOOK), [SLACK_HOOK[2]], "slack://"),
        (f"slack://{SLACK_BOT}/#general", [SLACK_BOT, "4ddbc191d40ee098"], "slack://"),
        (f"mailto://alerts:{SMTP_PASSWORD}@smtp.example.com?to=a@example.com", [SMTP_PASSWORD], "mailto://"),
        ("json://host/?+Authorization=Bearer%20tok-0123456789", ["tok-0123456789"], "json://"),
    ],
)
def test_redact_hides_secrets(url: str, secrets: list[str], starts: str) -> None:
    """Redacted URLs keep the scheme but never a token, webhook secret, password or header value."""
    shown = redact(url)
    assert shown.startswith(starts)
    for secret in secrets:
        assert secret not in shown


@pytest.mark.parametrize("url", ["garbage", "slack://", "tgram://not-a-token/", "", "foo://bar"])
def test_redact_and_validate_invalid(url: str) -> None:
    """Unparseable URLs show as a placeholder, and validation names only that placeholder."""
    assert redact(url) == INVALID
    with pytest.raises(ValueError, match=r"^notify: not a valid apprise URL: <invalid apprise url>$"):
        validate_url(url)


def test_validate_accepts_valid_urls() -> None:
    """Valid URLs pass validation silently."""
    validate_url(f"tgram://{TG_TOKEN}/12315544/")
    validate_url("mailto://localhost:2525?from=a@example.com&to=b@example.com")
    validate_url("print://")


def test_scrub_removes_hidden_pieces() -> None:
    """Messages that quote a token or password lose it; visible parts stay."""
    text = f"POST https://api.telegram.org/bot{TG_TOKEN}/sendMessage failed for chat 12315544"
    scrubbed = scrub(text, f"tgram://{TG_TOKEN}/12315544/")
    assert TG_TOKEN.split(":")[1] not in scrubbed
    assert "12315544" in scrubbed
    assert SMTP_PASSWORD not in scrub(
        f"auth {SMTP_PASSWORD} refused", f"mailto://alerts:{SMTP_PASSWORD}@smtp.example.com"
    )


def test_print_channel_writes_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    """print:// is registered on import and writes title and body to stdout."""
    sender = apprise.Apprise()
    assert sender.add("print://")
    assert sender.notify(body="line 1\nline 2", title="[armswatch] subject")
    assert capsys.readouterr().out == "[armswatch] subject\nline 1\nline 2\n\n"


def test_print_registration_is_idempotent(capsys: pytest.CaptureFixture[str]) -> None:
    """Re-importing the module keeps one working print:// registration and logs no warning."""
    importlib.reload(channels)
    channels._register_print()
    assert apprise.Apprise().add("print://")
    sender = apprise.Apprise()
    sender.add("print://")
    assert sender.notify(body="again")
    assert capsys.readouterr().out == "again\n\n"
