"""An alert is a fact once decided: on armswatch.alerts before any send, so `rebuild` keeps held and unsent ones."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from services.notify.digest import deliver_due_digests
from services.notify.watchlists import build_watchlist, save_watchlist
from services.rebuild import rebuild
from services.store.models import AlertRow

from .conftest import SMTPServer, archived, make_event


def _alerts(store: Any) -> list[dict[str, Any]]:
    with store.session() as session:
        return [
            {
                "id": r.id,
                "digest": r.digest,
                "due_at": r.due_at,
                "digest_id": r.digest_id,
                "delivered": r.delivered,
                "published": r.published,
            }
            for r in session.scalars(select(AlertRow).order_by(AlertRow.id))
        ]


async def _rebuild(publisher: Any) -> None:
    await rebuild(publisher.settings, publisher.db, None, publisher)


async def _watch(publisher: Any, **fields: Any) -> None:
    """A watchlist saved as the CLI and the API save it: on its topic, so a rebuild keeps it."""
    record = build_watchlist(name="test watchlist", owner="admin", **fields)
    await save_watchlist(publisher, record, record["id"])


async def test_held_digest_alert_survives_a_rebuild_and_is_sent_once_when_due(
    notifier: Any, publisher: Any, store: Any, smtp_server: SMTPServer
) -> None:
    """A digest alert held when the read model is rebuilt is still held after it, then goes out in its digest once."""
    await _watch(publisher, buyers=["KZ"], digest="hourly", notify=[smtp_server.url()])
    await notifier.on_event(make_event(), None)
    assert await notifier.deliver_pending() == 0, "held for the digest"
    before = _alerts(store)
    assert [a["published"] for a in before] == [True], "on the topic as soon as it was decided"
    assert len(archived(store, "alerts")) == 1

    await _rebuild(publisher)
    after = _alerts(store)
    assert after == before, "same alert, same digest hold, still undelivered"
    due = datetime.fromisoformat(str(after[0]["due_at"]).replace("Z", "+00:00"))
    assert await deliver_due_digests(notifier, due) == 1
    assert await deliver_due_digests(notifier, due + timedelta(hours=2)) == 0
    assert len(smtp_server.messages) == 1

    await _rebuild(publisher)
    [kept] = _alerts(store)
    assert (kept["digest"], kept["delivered"]) == ("hourly", True), "a sent digest alert keeps its digest"
    assert await deliver_due_digests(notifier, due + timedelta(hours=3)) == 0
    assert await notifier.deliver_pending() == 0
    assert len(smtp_server.messages) == 1


async def test_alert_not_sent_when_the_stack_stopped_survives_a_rebuild_and_is_sent_once(
    notifier: Any, publisher: Any, store: Any, smtp_server: SMTPServer
) -> None:
    """Decided, published, not yet sent (the stack stopped mid-retry): after a rebuild it is sent, once."""
    await _watch(publisher, buyers=["KZ"], notify=[smtp_server.url()])
    await notifier.on_event(make_event(), None)
    assert await notifier.publish_decided() == 1
    await _rebuild(publisher)
    [pending] = _alerts(store)
    assert (pending["delivered"], pending["published"]) == (False, True)
    assert await notifier.deliver_pending() == 1
    assert await notifier.deliver_pending() == 0
    assert len(smtp_server.messages) == 1
    await _rebuild(publisher)
    assert await notifier.deliver_pending() == 0
    assert len(smtp_server.messages) == 1


async def test_alert_decided_but_not_yet_published_is_published_by_the_rebuild(
    notifier: Any, publisher: Any, store: Any
) -> None:
    """A crash between deciding and publishing: the rebuild publishes the alert first, then keeps it."""
    await _watch(publisher, buyers=["KZ"], notify=["print://"])
    await notifier.on_event(make_event(), None)
    assert [a["published"] for a in _alerts(store)] == [False]
    assert archived(store, "alerts") == []
    await _rebuild(publisher)
    [kept] = _alerts(store)
    assert (kept["published"], kept["delivered"]) == (True, False)
    assert len(archived(store, "alerts")) == 1


async def test_alert_whose_channel_is_in_an_outage_stays_pending_through_a_rebuild(
    publisher: Any, store: Any, tmp_path: Any, smtp_server: SMTPServer
) -> None:
    """A send deferred by an outage is not 'delivered' after a rebuild: it goes out once the channel is back."""
    from services.bus import OutboxBus, Publisher
    from services.config import load_settings
    from services.notify import ledger
    from services.notify.agent import Notifier

    from .conftest import LOCAL, fast_deliverer

    settings = load_settings(data_dir=tmp_path, allowed_hosts=LOCAL, notify_outage_retry=0.2)
    outage = Notifier(Publisher(settings, store, OutboxBus()), fast_deliverer(max_attempts=1), lease=60.0)
    await _watch(publisher, buyers=["KZ"], notify=[smtp_server.url()])
    smtp_server.fail_next("421 4.3.2 Service not available")
    await outage.on_event(make_event(), None)
    await outage.deliver_pending()
    assert ledger.count(store, "deferred") == 1 and smtp_server.messages == []
    await _rebuild(publisher)
    [pending] = _alerts(store)
    assert pending["delivered"] is False
    await asyncio.sleep(0.3)
    assert await outage.deliver_pending() == 1
    assert len(smtp_server.messages) == 1 and ledger.count(store, "sent") == 1
