"""The address policy is enforced on the address connected to: feeds, pages and hubs (httpx) and channels (apprise).

A resolver that answers a public address to the pre-flight check and loopback a moment later (DNS
rebinding) gains nothing; the metadata address is refused even when allow-listed; a channel's
failure is reported with a short reason, never the remote body.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from services.errors import UsageError
from services.ingest.fetch import new_client
from services.ingest.guard import BlockedAddress, check_host_allowed
from services.netguard import AddressPolicy, install_lookup_guard
from services.notify.deliver import Deliverer
from services.notify.watchlists import build_watchlist
from tests.notify.conftest import make_view

PUBLIC = "93.184.215.14"
BODY = b"INTERNAL-ONLY-BODY-7f3a"


class _Server:
    """A loopback HTTP server answering every GET and POST with `status` and BODY; counts requests."""

    def __init__(self, status: int = 200) -> None:
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def _answer(self) -> None:
                outer.hits += 1
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                self.send_response(status)
                self.send_header("content-length", str(len(BODY)))
                self.end_headers()
                self.wfile.write(BODY)

            do_GET = _answer
            do_POST = _answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[_Server]:
    s = _Server()
    yield s
    s.close()


@pytest.fixture
def failing_server() -> Iterator[_Server]:
    s = _Server(status=500)
    yield s
    s.close()


@pytest.fixture
def rebinding(monkeypatch: pytest.MonkeyPatch) -> None:
    """`rebind.test` resolves to a public address the first time, to loopback after; `inside.test` to loopback."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def lookup(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("rebind.test", "inside.test"):
            return real(host, port, *args, **kwargs)
        asked.append(host)
        address = PUBLIC if host == "rebind.test" and asked.count(host) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 80)))]

    install_lookup_guard()  # socket.getaddrinfo is the guarded lookup; the resolver under it is replaced
    monkeypatch.setattr("services.netguard._lookup", lookup)


async def test_rebinding_name_passes_the_preflight_check_but_not_the_connect(rebinding, server) -> None:
    """The pre-flight check sees the public answer; the connect sees loopback and is refused: no request made."""
    url = f"http://rebind.test:{server.port}/feed"
    await check_host_allowed(url, frozenset())
    async with new_client(timeout=5.0, trust_env=False, policy=AddressPolicy()) as client:
        with pytest.raises(
            httpx.ConnectError, match=r"guard: rebind\.test resolves to loopback address 127\.0\.0\.1"
        ):
            await client.get(url)
    assert server.hits == 0


async def test_guarded_client_refuses_a_loopback_literal_and_allows_it_when_listed(server) -> None:
    """A literal loopback address is refused at connect; listed, it is fetched over a kept-alive connection."""
    url = f"http://127.0.0.1:{server.port}/feed"
    async with new_client(timeout=5.0, trust_env=False, policy=AddressPolicy()) as client:
        with pytest.raises(httpx.ConnectError, match="is a loopback address"):
            await client.get(url)
    listed = AddressPolicy(frozenset({f"127.0.0.1:{server.port}"}))
    async with new_client(timeout=5.0, trust_env=False, policy=listed) as client:
        first, second = await client.get(url), await client.get(url)
    assert (first.status_code, second.status_code, first.content) == (200, 200, BODY)
    assert server.hits == 2


async def test_metadata_address_is_refused_even_when_allow_listed() -> None:
    """Listing 169.254.169.254 does not open it: the metadata address is refused whatever the setting."""
    with pytest.raises(BlockedAddress) as caught:
        await check_host_allowed("http://169.254.169.254/latest/meta-data/", frozenset({"169.254.169.254"}))
    assert caught.value.reason == "metadata"
    policy = AddressPolicy(frozenset({"169.254.169.254"}))
    async with new_client(timeout=2.0, trust_env=False, policy=policy) as client:
        with pytest.raises(httpx.ConnectError, match="metadata"):
            await client.get("http://169.254.169.254/latest/meta-data/")


@pytest.mark.parametrize(
    "url",
    [
        "json://127.0.0.1:9/hook",
        "xml://10.0.0.7/hook",
        "form://localhost:8080/",
        "json://169.254.169.254/latest",
        "mailto://user:pw@127.0.0.1:2525/analyst%40example.com?from=alerts@armswatch.example",
    ],
)
def test_watchlist_notify_url_to_an_internal_address_is_refused_naming_the_setting(url: str) -> None:
    """A notify URL whose host is loopback, private, metadata or localhost is a one-line usage error."""
    with pytest.raises(UsageError) as caught:
        build_watchlist(name="x", owner="o", notify=[url], policy=AddressPolicy())
    message = str(caught.value)
    assert message.startswith("watch: --notify: guard:") and "\n" not in message
    assert "ARMSWATCH_ALLOWED_HOSTS" in message or "metadata" in message
    assert "pw" not in message, "the refusal shows the URL redacted"


def test_listed_notify_host_is_accepted() -> None:
    """ARMSWATCH_ALLOWED_HOSTS lets a local channel in (tests, a local relay)."""
    record = build_watchlist(
        name="x",
        owner="o",
        notify=["json://127.0.0.1:9/hook"],
        policy=AddressPolicy(frozenset({"127.0.0.1"})),
    )
    assert record["notify"] == ["json://127.0.0.1:9/hook"]


async def test_channel_to_a_name_of_an_internal_address_is_refused_at_connect(rebinding, server) -> None:
    """A json:// channel whose name resolves to loopback (accepted when created: names are judged at connect) is not sent to."""
    deliverer = Deliverer(max_attempts=1, rate_per_channel=0)
    attempt = await deliverer.send(f"json://inside.test:{server.port}/hook", make_view())
    assert attempt.outcome == "failed"
    assert attempt.error and "inside.test resolves to loopback address 127.0.0.1, refused" in attempt.error
    assert server.hits == 0


async def test_channel_failure_reason_never_carries_the_remote_body(failing_server) -> None:
    """A channel answering 500 with a body: the reason names the failure, the body stays out."""
    deliverer = Deliverer(max_attempts=1, rate_per_channel=0, policy=AddressPolicy(frozenset({"127.0.0.1"})))
    attempt = await deliverer.send(f"json://127.0.0.1:{failing_server.port}/hook", make_view())
    assert attempt.outcome == "deferred" and failing_server.hits == 1, "a 500 is an outage: tried again later"
    assert attempt.error and "500" in attempt.error
    assert BODY.decode() not in attempt.error
