"""Fetch one feed over HTTP politely: conditional GET, own redirect handling, a body cap, Retry-After.

``fetch_feed`` never raises for network trouble: timeouts, refused connections,
redirect loops, oversized bodies and HTTP errors all come back as a
``FetchResult`` whose ``error`` is a one-line string, so a poller can record the
feed's status and go on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib import metadata
from urllib.parse import urljoin

import httpx

from services.netguard import AddressPolicy, GuardedTransport

__all__ = [
    "ACCEPT",
    "MAX_REDIRECTS",
    "USER_AGENT",
    "FetchResult",
    "fetch_feed",
    "new_client",
    "parse_retry_after",
]

MAX_REDIRECTS = 5
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_RETRY_STATUSES = frozenset({429, 503})


def _version() -> str:
    try:
        return metadata.version("armswatch")
    except metadata.PackageNotFoundError:
        return "0.1.0"


USER_AGENT = f"armswatch/{_version()} (+https://github.com/armswatch)"

#: Called with each URL before it is requested (first URL and every redirect target); raises to refuse it.
UrlCheck = Callable[[str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of one feed fetch.

    ``status`` is the final HTTP status (None when no response arrived); ``body`` is
    set only for a 2xx response read in full; ``etag`` / ``last_modified`` are the
    validators to send next time (the old ones are kept on a 304 that omits them);
    ``final_url`` is the URL after redirects and ``permanent_redirect`` is True when
    at least one redirect was followed and every hop was 301/308, so the caller may
    store ``final_url`` in place of the old one.
    """

    status: int | None
    body: bytes | None
    etag: str | None
    last_modified: str | None
    final_url: str
    permanent_redirect: bool
    retry_after: float | None
    content_type: str | None
    error: str | None
    elapsed: float

    @property
    def not_modified(self) -> bool:
        """True when the server answered 304 Not Modified."""
        return self.status == 304


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Turn a ``Retry-After`` header (delay seconds or an HTTP date) into seconds from now, or None."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def new_client(
    *,
    timeout: httpx.Timeout | float = 30.0,
    max_connections: int = 100,
    trust_env: bool = True,
    policy: AddressPolicy | None = None,
) -> httpx.AsyncClient:
    """Make an ``httpx.AsyncClient`` suited to ``fetch_feed`` (User-Agent set, redirects left to us).

    With a `policy`, every connection is checked at connect time (see services/netguard.py).
    """
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    return httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
        timeout=timeout,
        follow_redirects=False,
        limits=limits,
        trust_env=trust_env,
        transport=GuardedTransport(policy, limits=limits, trust_env=trust_env) if policy else None,
    )


@dataclass(slots=True)
class _Progress:
    """Mutable state of a fetch in flight, so a timeout can still report where it got to."""

    url: str
    hops: int = 0
    permanent: bool = True
    status: int | None = None


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes | None:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        return None
    buffer = bytearray()
    async for chunk in response.aiter_bytes():
        buffer += chunk
        if len(buffer) > max_bytes:
            return None
    return bytes(buffer)


async def _fetch(
    client: httpx.AsyncClient,
    progress: _Progress,
    headers: dict[str, str],
    etag: str | None,
    last_modified: str | None,
    max_bytes: int,
    timeout: httpx.Timeout | float,
    check_url: UrlCheck | None,
    started: float,
) -> FetchResult:
    seen = {progress.url}

    def result(
        response: httpx.Response | None, body: bytes | None = None, error: str | None = None
    ) -> FetchResult:
        resp_headers = response.headers if response is not None else httpx.Headers()
        retry = None
        if response is not None and response.status_code in _RETRY_STATUSES:
            retry = parse_retry_after(resp_headers.get("retry-after"))
        return FetchResult(
            status=response.status_code if response is not None else None,
            body=body,
            etag=resp_headers.get("etag") or etag,
            last_modified=resp_headers.get("last-modified") or last_modified,
            final_url=progress.url,
            permanent_redirect=progress.hops > 0 and progress.permanent,
            retry_after=retry,
            content_type=resp_headers.get("content-type"),
            error=error,
            elapsed=time.monotonic() - started,
        )

    while True:
        if check_url is not None:
            await check_url(progress.url)
        request = client.build_request("GET", progress.url, headers=headers, timeout=timeout)
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            status = progress.status = response.status_code
            location = response.headers.get("location")
            if status in _REDIRECTS and location:
                target = urljoin(str(response.url), location.strip())
                progress.hops += 1
                progress.permanent = progress.permanent and status in _PERMANENT
                if target in seen:
                    return result(response, error="redirect loop")
                if progress.hops > MAX_REDIRECTS:
                    return result(response, error=f"more than {MAX_REDIRECTS} redirects")
                seen.add(target)
                progress.url = target
                continue
            if status == 304:
                return result(response)
            if not 200 <= status < 300:
                return result(response, error=f"HTTP {status} {response.reason_phrase}".rstrip())
            body = await _read_capped(response, max_bytes)
            if body is None:
                return result(response, error=f"body larger than {max_bytes} bytes")
            return result(response, body=body)
        finally:
            await response.aclose()


async def fetch_feed(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None,
    last_modified: str | None,
    max_bytes: int,
    timeout: httpx.Timeout | float,
    deadline: float | None = None,
    check_url: UrlCheck | None = None,
    accept: str = ACCEPT,
) -> FetchResult:
    """Fetch ``url`` with a conditional GET, following up to five redirects ourselves.

    Args:
        client: the shared client (see ``new_client``); its own redirect following is not used.
        url: the feed URL.
        etag: the validator from the last 200, sent as ``If-None-Match``.
        last_modified: the validator from the last 200, sent as ``If-Modified-Since``.
        max_bytes: the largest (decoded) body accepted; a larger one is an error.
        timeout: httpx timeouts per request (connect, read, ...).
        deadline: optional limit in seconds on the whole fetch, which also stops a
            server that drips bytes slowly enough to never trip the read timeout.
        check_url: optional async check run on the URL and on every redirect target
            (e.g. the SSRF guard); a ``ValueError`` it raises becomes the error string.
        accept: the ``Accept`` header (feed types by default; an article page asks for HTML).

    Returns:
        A ``FetchResult``; ``error`` is None only for a 2xx with its body, or a 304.
    """
    started = time.monotonic()
    progress = _Progress(url=url)
    headers = {"User-Agent": USER_AGENT, "Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    def failed(error: str) -> FetchResult:
        return FetchResult(
            status=None,
            body=None,
            etag=etag,
            last_modified=last_modified,
            final_url=progress.url,
            permanent_redirect=progress.hops > 0 and progress.permanent,
            retry_after=None,
            content_type=None,
            error=error,
            elapsed=time.monotonic() - started,
        )

    work = _fetch(client, progress, headers, etag, last_modified, max_bytes, timeout, check_url, started)
    try:
        async with asyncio.timeout(deadline):
            return await work
    except TimeoutError:
        return failed(f"timeout: no complete response within {deadline} s")
    except httpx.TimeoutException as exc:
        return failed(f"timeout: {type(exc).__name__}")
    except httpx.TooManyRedirects:
        return failed(f"more than {MAX_REDIRECTS} redirects")
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return failed(f"{type(exc).__name__}: {exc}".rstrip(": "))
    except ValueError as exc:  # a check_url refusal, or a URL httpx cannot use
        return failed(str(exc))
