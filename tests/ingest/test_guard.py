"""Tests for services.ingest.guard: the SSRF check on feed URLs."""

from __future__ import annotations

import pytest

from services.ingest.guard import BlockedAddress, check_host_allowed

NOTHING_ALLOWED: frozenset[str] = frozenset()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8080/feed", "loopback"),
        ("http://[::1]/feed", "loopback"),
        ("http://10.1.2.3/feed", "private"),
        ("http://192.168.0.10/feed", "private"),
        ("http://172.16.5.5/feed", "private"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://[fd00:ec2::254]/latest/meta-data/", "metadata"),
        ("http://169.254.1.1/", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://224.0.0.1/", "multicast"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://240.0.0.1/", "reserved"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://100.64.0.1/", "non-public"),
    ],
)
async def test_refuses_non_public_literals(url: str, reason: str) -> None:
    """Literal addresses that are not public are refused, naming why."""
    with pytest.raises(BlockedAddress) as caught:
        await check_host_allowed(url, NOTHING_ALLOWED)
    assert caught.value.reason == reason
    assert isinstance(caught.value, ValueError)
    assert url in str(caught.value)


async def test_refuses_a_name_resolving_to_loopback() -> None:
    """A host name is resolved through the event loop and refused when it points at loopback."""
    with pytest.raises(BlockedAddress, match="localhost resolves to loopback"):
        await check_host_allowed("http://localhost:9/feed", NOTHING_ALLOWED)


@pytest.mark.parametrize("allowed", ["127.0.0.1", "127.0.0.1:8123"])
async def test_listed_host_or_host_port_is_allowed(allowed: str) -> None:
    """A host, or host:port, in the allowed set skips the check."""
    await check_host_allowed("http://127.0.0.1:8123/feed", frozenset({allowed}))


async def test_listing_another_port_does_not_allow() -> None:
    """Allowing host:port does not allow the same host on another port."""
    with pytest.raises(BlockedAddress):
        await check_host_allowed("http://127.0.0.1:9999/feed", frozenset({"127.0.0.1:8123"}))


async def test_allowed_names_compare_case_insensitively() -> None:
    """The URL's host is lower-cased before it is looked up in the allowed set."""
    await check_host_allowed("http://LocalHost:8000/feed", frozenset({"localhost"}))


async def test_ipv6_literal_can_be_allowed() -> None:
    """An IPv6 literal is matched with or without brackets."""
    await check_host_allowed("http://[::1]:8000/", frozenset({"[::1]:8000"}))
    await check_host_allowed("http://[::1]:8000/", frozenset({"::1"}))


async def test_public_literal_passes() -> None:
    """A public address needs no listing."""
    await check_host_allowed("https://93.184.215.14/feed", NOTHING_ALLOWED)


async def test_unresolvable_name_is_left_to_the_fetch() -> None:
    """A name that does not resolve is not refused here; the fetch reports the connection error."""
    await check_host_allowed("http://no-such-host.invalid/feed", NOTHING_ALLOWED)
