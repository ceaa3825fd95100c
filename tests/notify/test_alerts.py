"""The alert rule end to end through the notifier: one alert per (watchlist, deal, stage), sent by real SMTP."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from sqlalchemy import func, select

from services.notify import ledger
from services.store.models import AlertRow, Deal

from .conftest import SMTPServer, add_watchlist, archived, make_event

OUTLETS = [
    ("Reuters", "en"),
    ("Defense News", "en"),
    ("Hürriyet", "tr"),
    ("Anadolu Ajansı", "tr"),
    ("ТАСС", "ru"),
]


async def _feed(notifier: Any, *events: dict[str, Any]) -> None:
    for event in events:
        await notifier.on_event(event, event["deal_key"])


def _alerts(store: Any) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(AlertRow)) or 0)


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


async def test_five_outlets_in_three_languages_make_one_alert_listing_five_sources(
    notifier: Any, store: Any, smtp_server: SMTPServer
) -> None:
    """Five reports of one deal at one stage: one alert, one email, whose sources list all five with languages."""
    add_watchlist(store, buyers=["Kazakhstan"], systems=["TB2"], notify=[smtp_server.url()])
    await _feed(notifier, *(make_event(outlet=o, language=lang) for o, lang in OUTLETS))
    assert _alerts(store) == 1
    assert await notifier.deliver_pending() == 1
    assert await notifier.deliver_pending() == 0
    [mail] = smtp_server.messages
    text = _text(mail)
    assert "sources (5):" in text
    for outlet, lang in OUTLETS:
        assert f"{outlet} ({lang})" in text
    html = mail.get_body(("html",))
    assert html is not None and "Anadolu Ajansı (tr)" in str(html.get_content())
    assert ledger.count(store, "sent") == 1


async def test_min_sources_holds_the_alert_until_n_outlets_report(
    notifier: Any, store: Any, smtp_server: SMTPServer
) -> None:
    """With --min-sources 3 nothing is alerted after two outlets (or twice the same outlet); the third makes one alert."""
    add_watchlist(store, buyers=["KZ"], min_sources=3, notify=[smtp_server.url()])
    await _feed(
        notifier, make_event(outlet="Reuters"), make_event(outlet="Reuters"), make_event(outlet="ТАСС")
    )
    assert _alerts(store) == 0
    await _feed(notifier, make_event(outlet="Hürriyet", language="tr"))
    assert _alerts(store) == 1
    await _feed(notifier, make_event(outlet="Defense News"))
    assert _alerts(store) == 1
    await notifier.deliver_pending()
    assert len(smtp_server.messages) == 1
    assert "sources (5):" in _text(smtp_server.messages[0]), "every report is listed, two from Reuters"


async def test_interest_contract_delivery_make_three_alerts_naming_the_previous_stage(
    notifier: Any, store: Any, smtp_server: SMTPServer
) -> None:
    """The deal moving interest → contract → delivery alerts three times; each email names the stage before."""
    add_watchlist(store, buyers=["KZ"], notify=[smtp_server.url()])
    for stage, day in (("interest", "01"), ("contract", "10"), ("delivery", "20")):
        await _feed(
            notifier, make_event(stage=stage, quantity=24, detected_at=f"2026-02-{day}T09:00:00.000Z")
        )
        await notifier.deliver_pending()
    # a late report of an earlier stage, and a repeat of the current one: no alerts
    await _feed(
        notifier, make_event(stage="contract", outlet="Late"), make_event(stage="delivery", outlet="Other")
    )
    await notifier.deliver_pending()
    subjects = [str(m["Subject"]) for m in smtp_server.messages]
    assert len(subjects) == 3
    assert "— interest" in subjects[0] and "→" not in subjects[0]
    assert "interest → contract" in subjects[1]
    assert "contract → delivery" in subjects[2]
    texts = [_text(m) for m in smtp_server.messages]
    assert "stage: interest (first report)" in texts[0]
    assert "stage: contract (was: interest)" in texts[1]
    assert "stage: delivery (was: contract)" in texts[2]
    with store.session() as session:
        deal = session.get(Deal, "KZ:bayraktartb2:TR")
        assert deal is not None and deal.stage == "delivery" and deal.quantity == 24
        assert set(deal.stages_seen) == {"interest", "contract", "delivery"}
    alerts = archived(store, "alerts")
    assert [a["previous_stage"] for a in alerts] == [None, "interest", "contract"]


async def test_stage_filter_skips_earlier_stages_and_alerts_a_skipped_ahead_deal(
    notifier: Any, store: Any, smtp_server: SMTPServer
) -> None:
    """--stage contract: no alert at interest; a deal jumping to delivery alerts once, naming interest before it."""
    add_watchlist(store, stage="contract", notify=[smtp_server.url()])
    await _feed(notifier, make_event(stage="interest"))
    assert _alerts(store) == 0
    await _feed(notifier, make_event(stage="delivery"))
    await notifier.deliver_pending()
    [mail] = smtp_server.messages
    assert "interest → delivery" in str(mail["Subject"])


async def test_two_watchlists_each_get_their_alert_and_deliveries_are_redacted(
    notifier: Any, store: Any, smtp_server: SMTPServer
) -> None:
    """Two matching watchlists → two alerts; each attempt is on armswatch.deliveries with the URL redacted."""
    secret_url = smtp_server.url().replace("mailto://", "mailto://user:hunter2secret@")
    add_watchlist(store, name="one", buyers=["KZ"], notify=[smtp_server.url()])
    add_watchlist(store, name="two", systems=["Bayraktar"], notify=[secret_url])
    await _feed(notifier, make_event())
    await notifier.deliver_pending()
    deliveries = archived(store, "deliveries")
    assert len(deliveries) >= 2
    assert all("hunter2secret" not in str(d) for d in deliveries)
    assert {d["alert_id"] for d in deliveries} == {a["id"] for a in archived(store, "alerts")}
