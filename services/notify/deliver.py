"""Delivery of one rendered alert to one apprise URL: rate limit, send, bounded retries, one Attempt per try.

Apprise's own throttling is off (each plugin's ``request_rate_per_sec`` is set to 0) and so
are its own retries (``retry`` set to 0, whatever the URL says); this module owns both.
Sending to several URLs at once is the caller's job: ``Deliverer.send`` is per URL, so one
failing channel never blocks another. The blocking apprise call runs in a worker thread.

Attempt outcomes, one ``attempt_cb`` call per try::

    retrying ── (backoff, Retry-After honoured) ──> next try
    sent     (final)
    failed   (final: a permanent HTTP 4xx, or an invalid URL)
    deferred (final for now: attempts exhausted on temporary errors, a channel down, 5xx or 429;
              the caller tries again later, see ledger.defer)
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import partial
from typing import Literal

import apprise
from apprise.plugins.slack import NotifySlack

from services import apprise_hooks
from services.channels import channel_kind, instantiate, redact, scrub
from services.config import Settings
from services.netguard import AddressPolicy, connections_checked
from services.notify.ratelimit import TokenBucket

from .render import Rendered, render
from .view import AlertView

__all__ = ["Attempt", "Deliverer", "Outcome", "TokenBucket"]

Outcome = Literal["sent", "failed", "retrying", "deferred"]

#: Longest failure reason kept in an Attempt.
MAX_ERROR = 500
#: HTTP statuses that are worth retrying even though they are 4xx.
_TRANSIENT_4XX = frozenset({408, 425, 429})
#: Debug lines from apprise that carry the reason of a failure (SMTP codes, connection errors); never the
#: "Response Details" lines: a remote body must not travel back to whoever named the channel.
_REASON_MARKERS = ("Exception",)

_FORMATS: dict[str, apprise.NotifyFormat | None] = {
    "html": apprise.NotifyFormat.HTML,
    "text": apprise.NotifyFormat.TEXT,
    # Slack mrkdwn is passed through untouched (see _prepare).
    "mrkdwn": None,
}


@dataclass(frozen=True, slots=True)
class Attempt:
    """The outcome of one try to deliver an alert to one channel.

    Args:
        channel: The channel URL, redacted.
        outcome: "sent", "retrying" (another try follows), "failed" (no more tries) or "deferred"
            (temporary errors until the attempts ran out: worth trying again later).
        attempt: 1 for the first try.
        error: Why the try failed, redacted; None when sent.
        retry_in: Seconds until the next try when retrying, else None.
    """

    channel: str
    outcome: Outcome
    attempt: int
    error: str | None = None
    retry_in: float | None = None


@dataclass(slots=True)
class _Try:
    """What one blocking apprise call reports back."""

    ok: bool
    error: str | None = None
    status: int | None = None
    retry_after: float | None = None


# -- the deliverer ---------------------------------------------------------------------------


@dataclass
class Deliverer:
    """Renders an alert for a channel and delivers it through apprise with retries and a rate limit.

    Args:
        max_attempts: Tries per alert and channel, first included.
        base_delay: Backoff before the second try; doubles each try (with jitter).
        max_delay: Longest backoff between tries.
        rate_per_channel: Sends a second per channel (per URL); 0 disables the limit.
        burst: Sends a channel may make at once before the rate applies.
        max_retry_after: Longest Retry-After honoured; a longer one is cut to this.
        executor: Runs the blocking apprise calls; None uses asyncio's default executor.
        asset: The apprise asset (app id in footers and headers); None builds an armswatch one.
        policy: The addresses channels may connect to (ARMSWATCH_ALLOWED_HOSTS): none private by default.
    """

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    rate_per_channel: float = 1.0
    burst: int = 5
    max_retry_after: float = 300.0
    executor: Executor | None = None
    asset: apprise.AppriseAsset | None = None
    policy: AddressPolicy = field(default_factory=AddressPolicy)
    rng: random.Random = field(default_factory=random.Random)
    _buckets: dict[str, TokenBucket] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("notify: max_attempts must be at least 1")
        if self.asset is None:
            self.asset = apprise.AppriseAsset(
                app_id="armswatch",
                app_desc="armswatch arms-procurement alerts",
                app_url="https://github.com/armswatch/armswatch",
            )
        apprise_hooks.install()

    @classmethod
    def from_settings(cls, settings: Settings, executor: Executor | None = None) -> Deliverer:
        """A deliverer with the ARMSWATCH_NOTIFY_* attempts, backoff and per-channel rate."""
        return cls(
            max_attempts=settings.notify_max_attempts,
            base_delay=settings.notify_base_delay,
            rate_per_channel=settings.notify_rate_per_channel,
            executor=executor,
            policy=AddressPolicy(settings.allowed_host_set),
        )

    def backoff(self, attempt: int) -> float:
        """Return the wait after failed try ``attempt``: base·2^(attempt-1), capped, with equal jitter."""
        delay = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return delay / 2 + self.rng.uniform(0, delay / 2)

    def _bucket(self, url: str) -> TokenBucket:
        # Keyed by the URL as given: two channels whose redacted forms collide keep their own limit.
        bucket = self._buckets.get(url)
        if bucket is None:
            bucket = self._buckets[url] = TokenBucket(self.rate_per_channel, self.burst)
        return bucket

    async def send(
        self,
        url: str,
        view: AlertView | Callable[[str], Rendered],
        attempt_cb: Callable[[Attempt], Awaitable[None]] | None = None,
        final_cb: Callable[[Attempt], None] | None = None,
    ) -> Attempt:
        """Deliver one alert (or any message) to one channel, retrying failures; return the final Attempt.

        Args:
            url: The channel's apprise URL (a secret: only its redacted form leaves this call).
            view: The alert, or a function rendering a message for a channel kind (digests, tests).
            attempt_cb: Awaited after every try with its Attempt; an exception it raises stops
                the delivery and propagates.
            final_cb: Called in the worker thread right after the final try returns, before
                anything else happens (the ledger settles here, keeping a crash window small).

        Returns:
            The last Attempt: outcome "sent" or "failed".
        """
        channel = redact(url)
        kind = channel_kind(url)
        rendered = view(kind) if callable(view) else render(view, kind)
        attempt_no = 0
        while True:
            attempt_no += 1
            await self._bucket(url).acquire()
            attempt = await self._run(partial(self._try, url, kind, rendered, channel, attempt_no, final_cb))
            if attempt_cb is not None:
                await attempt_cb(attempt)
            if attempt.outcome != "retrying":
                return attempt
            await asyncio.sleep(attempt.retry_in or 0.0)

    def _try(
        self,
        url: str,
        kind: str,
        rendered: Rendered,
        channel: str,
        attempt_no: int,
        final_cb: Callable[[Attempt], None] | None,
    ) -> Attempt:
        """One try in the worker thread: send, judge, and call `final_cb` at once when it is the last."""
        attempt = self._judge(channel, attempt_no, self._send_once(url, kind, rendered))
        if final_cb is not None and attempt.outcome != "retrying":
            final_cb(attempt)
        return attempt

    def _judge(self, channel: str, attempt_no: int, result: _Try) -> Attempt:
        """Turn one try's result into an Attempt, deciding whether to retry and after how long."""
        if result.ok:
            return Attempt(channel, "sent", attempt_no)
        refused = result.error is not None and "guard: " in result.error  # an internal address: not an outage
        permanent = refused or (
            result.status is not None and 400 <= result.status < 500 and result.status not in _TRANSIENT_4XX
        )
        if permanent:
            return Attempt(channel, "failed", attempt_no, result.error)
        if attempt_no >= self.max_attempts:
            return Attempt(channel, "deferred", attempt_no, result.error)
        delay = self.backoff(attempt_no)
        if result.retry_after is not None:
            delay = max(delay, min(result.retry_after, self.max_retry_after))
        return Attempt(channel, "retrying", attempt_no, result.error, retry_in=round(delay, 3))

    async def _run(self, call: Callable[[], Attempt]) -> Attempt:
        if self.executor is None:
            return await asyncio.to_thread(call)
        return await asyncio.get_running_loop().run_in_executor(self.executor, call)

    def _prepare(self, url: str, kind: str) -> apprise.NotifyBase | None:
        """Return a fresh plugin for the URL with apprise's throttle off and Slack in Block Kit mode."""
        plugin = instantiate(url, asset=self.asset)
        if plugin is None:
            return None
        # Apprise sleeps in throttle() to keep request_rate_per_sec; we rate-limit ourselves.
        plugin.request_rate_per_sec = 0
        # One apprise try per Attempt, even for a URL carrying ?retry=N.
        plugin.retry = 0
        if isinstance(plugin, NotifySlack):
            # The legacy (attachment) payload re-escapes the body and revives <url|text>,
            # <!channel> and <@user> found in it; Block Kit sends our escaped mrkdwn as is.
            plugin.use_blocks = True
        return plugin

    def _send_once(self, url: str, kind: str, rendered: Rendered) -> _Try:
        """Make one blocking apprise call; never raises."""
        plugin = self._prepare(url, kind)
        if plugin is None:
            return _Try(False, f"notify: not a valid apprise URL: {redact(url)}", status=400)
        with apprise_hooks.observe() as observation, connections_checked(self.policy):
            ok = self._notify(plugin, kind, rendered, observation)
        if ok:
            return _Try(True)
        status = observation.http[-1][0] if observation.http else None
        retry_after = next((wait for _, wait in reversed(observation.http) if wait is not None), None)
        reason = _reason(observation.logs) or _status_reason(status)
        return _Try(False, _clip(scrub(reason, url)), status, retry_after)

    def _notify(
        self,
        plugin: apprise.NotifyBase,
        kind: str,
        rendered: Rendered,
        observation: apprise_hooks.Observation,
    ) -> bool:
        """One apprise call; an exception of a plugin becomes a failure with its message logged."""
        try:
            sender = apprise.Apprise(asset=self.asset)
            sender.add(plugin)
            ok = bool(
                sender.notify(
                    body=rendered.body,
                    # Telegram renders its subject into the body (render/telegram.py).
                    title="" if kind == "telegram" else rendered.title,
                    body_format=_FORMATS.get(rendered.body_format),
                )
            )
        except Exception as exc:  # a plugin bug must not kill the notifier
            observation.logs.append((logging.ERROR, f"{type(exc).__name__}: {exc}"))
            return False
        return ok


def _reason(logs: list[tuple[int, str]]) -> str:
    """Join the warnings and the exception details apprise logged during a failed call."""
    picked: list[str] = []
    for level, message in logs:
        message = message.strip()
        wanted = level >= logging.WARNING or any(marker in message for marker in _REASON_MARKERS)
        if wanted and message and message not in picked:
            picked.append(message)
    return "; ".join(picked)


def _status_reason(status: int | None) -> str:
    """Name the HTTP status, or say apprise gave no reason at all."""
    return f"HTTP {status}" if status is not None else "apprise reported a failure without a reason"


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"
