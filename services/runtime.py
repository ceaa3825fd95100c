"""Running the services: broker (embedded Tansu or a named cluster), store, Faust agents and loops in one process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field

from services.app import make_app
from services.broker.admin import ensure_topics, wait_for_broker
from services.broker.tansu import TansuProcess, start_tansu
from services.bus import KafkaBus, Publisher
from services.config import Settings
from services.errors import BrokerError
from services.logs import get_logger
from services.store.db import Database

log = get_logger("runtime")

ROLES = ("ingest", "classify", "notify", "api")


@dataclass
class Stack:
    """What a running process holds; built by `run_stack` and handed to its hooks."""

    settings: Settings
    db: Database
    bootstrap: str
    publisher: Publisher
    tansu: TansuProcess | None = None
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    notifier: object | None = None


Hook = Callable[[Stack], Coroutine[object, object, None]]


async def _relay_loop(publisher: Publisher, stop: asyncio.Event, every: float = 1.0) -> None:
    while not stop.is_set():
        try:
            await publisher.relay_unpublished(min_age=2.0)
        except Exception:
            log.exception("archive relay failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)


async def _watch_broker(tansu: TansuProcess, stop: asyncio.Event, died: list[int]) -> None:
    """Stop the stack when the embedded broker exits under it (killed, crashed): nothing is lost, the
    archive refills a new broker at the next start, but clients would only retry a dead port forever."""
    while not stop.is_set():
        code = tansu.process.poll()
        if code is not None:
            died.append(code)
            log.error("embedded broker stopped; armswatch stops (start it again: nothing is lost)", code=code)
            stop.set()
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=0.5)


async def _bounded(what: str, work: Coroutine[object, object, object], timeout: float) -> None:
    """Await `work` for at most `timeout` seconds (a dead broker must not hold a shutdown)."""
    try:
        await asyncio.wait_for(work, timeout=timeout)
    except TimeoutError:
        log.warning("shutdown step timed out", step=what, seconds=timeout)
    except Exception as exc:
        log.warning("shutdown step failed", step=what, error=repr(exc))


def _exit_after(seconds: float, code: int) -> None:
    """End the process with `code` after `seconds` unless it has ended by then (a daemon timer)."""

    def end() -> None:
        log.error("shutdown did not finish in time; exiting", seconds=seconds, code=code)
        logging.shutdown()
        os._exit(code)

    timer = threading.Timer(seconds, end)
    timer.daemon = True
    timer.start()


def _stop_on_failure(task: asyncio.Task[None], stop: asyncio.Event) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("start-up hook failed; stopping", error=repr(task.exception()))
        stop.set()


async def run_stack(
    settings: Settings,
    roles: tuple[str, ...] = ROLES,
    *,
    on_ready: Hook | None = None,
    handle_signals: bool = True,
) -> None:
    """Start what `roles` need, call `on_ready`, and run until SIGINT/SIGTERM or `stack.stop` is set."""
    db = await asyncio.to_thread(Database, settings.effective_database_url)
    tansu = await asyncio.to_thread(start_tansu) if settings.embedded else None
    bootstrap = tansu.bootstrap if tansu else str(settings.kafka_bootstrap)
    bus = KafkaBus(bootstrap, max_record_bytes=settings.record_max_bytes)
    tasks: list[asyncio.Task[None]] = []
    stop = asyncio.Event()
    app = None
    started = False
    died: list[int] = []
    if tansu is not None:
        tasks.append(asyncio.create_task(_watch_broker(tansu, stop, died)))
    try:
        await wait_for_broker(bootstrap)
        created = await ensure_topics(settings, bootstrap)
        await bus.start()
        publisher = Publisher(settings, db, bus)
        stack = Stack(settings, db, bootstrap, publisher, tansu, stop)
        if handle_signals:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
        if settings.archive_enabled:
            await publisher.refill(created)
            await publisher.relay_unpublished()
            tasks.append(asyncio.create_task(_relay_loop(publisher, stack.stop)))
        app_id = "armswatch" if set(roles) == set(ROLES) else "armswatch-" + "-".join(sorted(roles))
        app = make_app(settings, bootstrap, app_id)
        if "classify" in roles:
            from services.classify.agent import register as register_classify

            register_classify(app, publisher)
        if "notify" in roles:
            from services.notify.agent import Notifier
            from services.notify.agent import register as register_notify

            notifier = Notifier.from_settings(publisher)
            stack.notifier = notifier
            register_notify(app, notifier)
            tasks.append(asyncio.create_task(notifier.run_delivery_loop(stack.stop)))
        if "ingest" in roles:
            from services.ingest.poller import Poller

            tasks.append(asyncio.create_task(Poller(settings, publisher).run(stack.stop)))
        if "api" in roles:
            from services.api.server import serve

            tasks.append(asyncio.create_task(serve(stack)))
        if app.agents:
            await app.start()
            started = True
        log.info("armswatch running", roles=list(roles), bootstrap=bootstrap, database=db.dialect)
        if on_ready is not None:
            hook = asyncio.create_task(on_ready(stack))
            hook.add_done_callback(lambda t: _stop_on_failure(t, stop))
            tasks.append(hook)
        await stop.wait()
        log.info("armswatch stopping")
    finally:
        stop.set()
        if (
            handle_signals
        ):  # a process of its own: whatever a library leaves hanging, it exits in bounded time
            _exit_after(settings.shutdown_timeout * 4, 1 if died else 0)
        if tasks:
            await asyncio.wait(tasks, timeout=5.0)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if app is not None and started:
            await _bounded("agents", app.stop(), settings.shutdown_timeout)
        await _bounded("producer", bus.stop(), settings.shutdown_timeout)
        if tansu is not None:
            tansu.stop()
        db.close()
    if died:
        raise BrokerError(f"broker: the embedded broker stopped (exit code {died[0]}); start armswatch again")
