"""Tests for services.notify.deliver: real SMTP and HTTP-captured Slack/Telegram sends, retries, limits."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from email.message import EmailMessage

import pytest
import responses

from services.channels import INVALID
from services.netguard import AddressPolicy
from services.notify.deliver import Attempt, Deliverer, TokenBucket
from services.notify.view import AlertView

from .conftest import HOSTILE, SMTPServer, make_view

TG_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
TG_URL = f"tgram://{TG_TOKEN}/12315544/"
TG_API = f"https://api.telegram.org/bot{TG_TOKEN}/sendMessage"
SLACK_URL = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"
SLACK_API = "https://hooks.slack.com/services/T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"
FACTS = [
    ("buyer", "Kazakhstan (KZ)"),
    ("seller", "Turkey (TR)"),
    ("system", "Bayraktar TB2"),
    ("category", "uav"),
    ("quantity", "about 24"),
    ("stage", "contract (was: negotiation)"),
]
SHOWN = [
    "Kazakhstan signed a contract for about 24 Bayraktar TB2 drones.",
    "sources (3):",
    "Reuters (en)",
    "ТАСС (ru)",
    "Anadolu (tr)",
    "https://tass.example/123",
]
ICON = "https://github.com/caronc/apprise/raw/master/apprise/assets/themes/default/apprise-info-72x72.png"


def fast(**kwargs: float) -> Deliverer:
    """A deliverer with tiny delays and no rate limit, allowed to reach the local SMTP server, for tests."""
    settings: dict[str, float] = {"base_delay": 0.01, "max_delay": 0.02, "rate_per_channel": 0}
    settings.update(kwargs)
    return Deliverer(**settings, policy=AddressPolicy(frozenset({"127.0.0.1"})))  # type: ignore[arg-type]


class Recorder:
    """Collects every Attempt passed to attempt_cb."""

    def __init__(self) -> None:
        self.attempts: list[Attempt] = []

    async def __call__(self, attempt: Attempt) -> None:
        self.attempts.append(attempt)


def _payload(call: responses.Call) -> object:
    body = call.request.body
    assert isinstance(body, bytes | str)
    return json.loads(body)


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


async def test_email_through_real_smtp(smtp_server: SMTPServer) -> None:
    """A mailto:// alert arrives as multipart/alternative whose subject, text and HTML carry every fact."""
    record = Recorder()
    final = await fast().send(smtp_server.url(), make_view(), record)
    assert final.outcome == "sent" and final.attempt == 1 and final.error is None
    assert [a.outcome for a in record.attempts] == ["sent"]
    [message] = smtp_server.messages
    assert message["Subject"] == "[armswatch] Kazakhstan ← Turkey: Bayraktar TB2 — negotiation → contract"
    assert message.get_content_type() == "multipart/alternative"
    text, html = _parts(message)
    for label, value in FACTS:
        assert f"{label}: {value}" in text
        assert f"<b>{label}:</b> {value}" in html
    for shown in SHOWN:
        assert shown in text and shown in html, shown
    assert "https://reuters.example/kz-tb2?a=1&b=2" in text
    assert 'href="https://reuters.example/kz-tb2?a=1&amp;b=2"' in html


async def test_email_escapes_hostile_text(smtp_server: SMTPServer, hostile_view: AlertView) -> None:
    """Hostile evidence is escaped in the HTML part and literal in the text part."""
    await fast().send(smtp_server.url(), hostile_view)
    text, html = _parts(smtp_server.messages[0])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert HOSTILE in text


async def test_smtp_451_then_250_delivers_once(smtp_server: SMTPServer) -> None:
    """A transient SMTP 451 is retried: two attempts recorded, one message delivered."""
    smtp_server.fail_next("451 4.3.0 Try again later")
    record = Recorder()
    final = await fast().send(smtp_server.url(), make_view(), record)
    assert final.outcome == "sent" and final.attempt == 2
    assert [(a.outcome, a.attempt) for a in record.attempts] == [("retrying", 1), ("sent", 2)]
    assert record.attempts[0].error is not None and "451" in record.attempts[0].error
    assert record.attempts[0].retry_in is not None
    assert len(smtp_server.messages) == 1


@responses.activate
async def test_slack_exact_payload_with_hostile_text(hostile_view: AlertView) -> None:
    """Slack gets a Block Kit payload whose mrkdwn is escaped and cannot ping, link or format."""
    responses.post(SLACK_API, body="ok")
    final = await fast().send(SLACK_URL, hostile_view)
    assert final.outcome == "sent"
    [call] = responses.calls
    assert _payload(call) == {
        "attachments": [
            {
                "blocks": [
                    {
                        "type": "header",
                        "text": {
                            "type": "plain_text",
                            "text": "[armswatch] Kazakhstan ← Turkey: Bayraktar TB2 — negotiation → contract",
                            "emoji": True,
                        },
                    },
                    {
                        "type": "section",
                        "text": {
                            "type": "mrkdwn",
                            "text": "\n".join(
                                [
                                    "*buyer:* Kazakhstan (KZ)",
                                    "*seller:* Turkey (TR)",
                                    "*system:* Bayraktar TB2",
                                    "*category:* uav",
                                    "*quantity:* about 24",
                                    "*stage:* contract (was: negotiation)",
                                    "*evidence:* “Deal done &lt;script&gt;alert(1)&lt;/script&gt; "
                                    "＊bold＊ ＿it＿ ～strike～ &amp; &lt;!channel&gt;”",
                                    "*sources (1):*",
                                    "• <https://evil.example/?q=%3Cx%3E&amp;r=1|Evil &amp; Co (en)> — "
                                    "&lt;script&gt;alert(1)&lt;/script&gt; ＊bold＊ ＿it＿ ～strike～ "
                                    "&amp; &lt;!channel&gt;",
                                    "_watchlist: ops &lt;team&gt; &amp; ＊friends＊ · deal: kz-tr-tb2 · "
                                    "alert: al-1 · first seen: 2025-03-01T10:00:00Z_",
                                ]
                            ),
                        },
                    },
                    {
                        "type": "context",
                        "elements": [
                            {"type": "image", "image_url": ICON, "alt_text": "info"},
                            {"type": "mrkdwn", "text": "armswatch"},
                        ],
                    },
                ],
                "color": "#3AA3E3",
            }
        ],
        "icon_url": ICON,
    }


@responses.activate
async def test_telegram_exact_payload_with_hostile_text(hostile_view: AlertView) -> None:
    """Telegram gets HTML parse mode with <, > and & escaped everywhere and the subject in bold."""
    responses.post(TG_API, json={"ok": True, "result": {}})
    final = await fast().send(TG_URL, hostile_view)
    assert final.outcome == "sent"
    [call] = responses.calls
    assert _payload(call) == {
        "disable_notification": False,
        "disable_web_page_preview": True,
        "parse_mode": "HTML",
        "chat_id": 12315544,
        "text": "\r\n".join(
            [
                "<b>[armswatch] Kazakhstan ← Turkey: Bayraktar TB2 — negotiation → contract</b>",
                "",
                "<b>buyer:</b> Kazakhstan (KZ)",
                "<b>seller:</b> Turkey (TR)",
                "<b>system:</b> Bayraktar TB2",
                "<b>category:</b> uav",
                "<b>quantity:</b> about 24",
                "<b>stage:</b> contract (was: negotiation)",
                "<b>evidence:</b> <i>“Deal done &lt;script&gt;alert(1)&lt;/script&gt; "
                "*bold* _it_ ~strike~ &amp; &lt;!channel&gt;”</i>",
                "<b>sources (1):</b>",
                '• <a href="https://evil.example/?q=&lt;x&gt;&amp;r=1">Evil &amp; Co (en)</a> — '
                "&lt;script&gt;alert(1)&lt;/script&gt; *bold* _it_ ~strike~ &amp; &lt;!channel&gt;",
                "<i>watchlist: ops &lt;team&gt; &amp; *friends* · deal: kz-tr-tb2 · alert: al-1 · "
                "first seen: 2025-03-01T10:00:00Z</i>",
            ]
        ),
    }


@responses.activate
async def test_slack_429_retry_after_is_honoured() -> None:
    """A Slack 429 with Retry-After waits at least that long, then the retry is sent."""
    responses.post(SLACK_API, status=429, body="rate_limited", headers={"Retry-After": "0.3"})
    responses.post(SLACK_API, body="ok")
    record = Recorder()
    started = time.monotonic()
    final = await fast().send(SLACK_URL, make_view(), record)
    elapsed = time.monotonic() - started
    assert final.outcome == "sent" and final.attempt == 2
    first = record.attempts[0]
    assert first.outcome == "retrying" and first.retry_in is not None and first.retry_in >= 0.3
    assert first.error is not None and "429" in first.error
    assert elapsed >= 0.3
    assert len(responses.calls) == 2


@responses.activate
async def test_temporary_failure_is_bounded_and_deferred() -> None:
    """A channel answering 500 every time ends "deferred" (tried again later) after max_attempts, quickly, redacted."""
    responses.post(TG_API, status=500, json={"ok": False, "description": "Internal Server Error"})
    record = Recorder()
    started = time.monotonic()
    final = await fast(max_attempts=3).send(TG_URL, make_view(), record)
    assert time.monotonic() - started < 2.0
    assert [(a.outcome, a.attempt) for a in record.attempts] == [
        ("retrying", 1),
        ("retrying", 2),
        ("deferred", 3),
    ]
    assert final == record.attempts[-1]
    assert final.error is not None and "500" in final.error
    assert len(responses.calls) == 3
    for attempt in record.attempts:
        assert TG_TOKEN.split(":")[1] not in f"{attempt}"


@responses.activate
async def test_client_error_is_not_retried() -> None:
    """A 404 (revoked webhook) fails at once: retrying cannot help."""
    responses.post(SLACK_API, status=404, body="no_service")
    final = await fast().send(SLACK_URL, make_view())
    assert (final.outcome, final.attempt) == ("failed", 1)
    assert len(responses.calls) == 1


async def test_invalid_url_fails_without_leaking() -> None:
    """An unparseable URL fails on the first attempt and shows only the placeholder."""
    record = Recorder()
    final = await fast().send("slack://not-a-valid-hook", make_view(), record)
    assert final == Attempt(INVALID, "failed", 1, f"notify: not a valid apprise URL: {INVALID}")
    assert record.attempts == [final]


@responses.activate
async def test_failing_channel_does_not_block_another(smtp_server: SMTPServer) -> None:
    """While one channel retries, another channel's alert goes out."""
    responses.post(SLACK_API, status=503, body="down")
    finished: list[str] = []

    async def one(name: str, url: str, deliverer: Deliverer) -> Attempt:
        result = await deliverer.send(url, make_view())
        finished.append(name)
        return result

    slow = fast(max_attempts=3, base_delay=0.2, max_delay=0.4)
    slack, email = await asyncio.gather(one("slack", SLACK_URL, slow), one("email", smtp_server.url(), slow))
    assert (slack.outcome, email.outcome) == ("deferred", "sent")
    assert finished == ["email", "slack"]
    assert len(smtp_server.messages) == 1


async def test_print_channel(capsys: pytest.CaptureFixture[str]) -> None:
    """print:// gets the plain-text rendering, title first."""
    final = await fast().send("print://", make_view())
    assert final.outcome == "sent"
    out = capsys.readouterr().out
    assert out.startswith("[armswatch] Kazakhstan ← Turkey: Bayraktar TB2 — negotiation → contract\nbuyer: ")
    assert "stage: contract (was: negotiation)" in out


@responses.activate
async def test_apprise_debug_lines_stay_out_of_app_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Apprise's DEBUG lines (which quote the bot token) never reach the application's handlers."""
    responses.post(TG_API, status=500, json={"ok": False, "description": "boom"})
    caplog.set_level(logging.DEBUG)
    await fast(max_attempts=1).send(TG_URL, make_view())
    assert caplog.records, "apprise's warning should still be logged"
    assert all(TG_TOKEN.split(":")[1] not in record.getMessage() for record in caplog.records)


async def test_rate_limit_per_channel() -> None:
    """A channel gets its burst at once, then rate_per_channel sends a second; others are unaffected."""
    deliverer = Deliverer(rate_per_channel=20.0, burst=2)
    started = time.monotonic()
    await asyncio.gather(*(deliverer.send("print://", make_view()) for _ in range(4)))
    assert time.monotonic() - started >= 0.09  # 2 at once, then 2 more at 20/s
    bucket = TokenBucket(rate=0, burst=1)
    for _ in range(100):
        await bucket.acquire()  # rate 0: no limit


def test_backoff_is_bounded_and_jittered() -> None:
    """Backoff doubles from base_delay, never exceeds max_delay, and keeps at least half."""
    deliverer = Deliverer(base_delay=0.5, max_delay=4.0)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (10, 4.0)]:
        delays = [deliverer.backoff(attempt) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
    with pytest.raises(ValueError, match="max_attempts"):
        Deliverer(max_attempts=0)


@responses.activate
async def test_apprise_retries_and_throttle_are_off() -> None:
    """A URL asking apprise to retry still makes exactly one request per Attempt, without throttle sleeps."""
    responses.post(SLACK_API, status=500, body="down")
    record = Recorder()
    started = time.monotonic()
    await fast(max_attempts=2).send(f"{SLACK_URL}?retry=3&wait=1", make_view(), record)
    assert len(responses.calls) == len(record.attempts) == 2
    assert time.monotonic() - started < 1.0
