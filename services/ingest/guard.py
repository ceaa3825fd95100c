"""SSRF guard: refuse feed URLs whose host resolves to a loopback, private or metadata address.

A host (``example.org``) or host and port (``127.0.0.1:8123``) named in the
allowed set skips the check; tests and ``armswatch demo`` use that for their
local feed servers. Every address the name resolves to must be public, so a
name with one public and one private record is refused.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

__all__ = ["METADATA_ADDRESSES", "BlockedAddress", "address_problem", "check_host_allowed"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Cloud instance metadata endpoints, refused whatever else is allowed.
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),
        ipaddress.ip_address("169.254.170.2"),
        ipaddress.ip_address("100.100.100.200"),
        ipaddress.ip_address("fd00:ec2::254"),
    }
)


class BlockedAddress(ValueError):
    """A feed URL's host is, or resolves to, an address armswatch must not fetch from."""

    def __init__(self, url: str, host: str, address: str, reason: str) -> None:
        super().__init__(f"guard: {host} resolves to {reason} address {address}, refused: {url}")
        self.url = url
        self.host = host
        self.address = address
        self.reason = reason


def address_problem(address: IPAddress) -> str | None:
    """Name what is wrong with fetching from ``address`` ("loopback", "private", ...), or None."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return address_problem(embedded)
    checks = (
        (address in METADATA_ADDRESSES, "metadata"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (address.is_unspecified, "unspecified"),
        (address.is_reserved, "reserved"),
        (address.is_private, "private"),
        (not address.is_global, "non-public"),
    )
    return next((name for hit, name in checks if hit), None)


def _allowed(host: str, port: int | None, allowed_hosts: frozenset[str]) -> bool:
    names = {host, f"[{host}]"} if ":" in host else {host}
    candidates = set(names)
    if port is not None:
        candidates |= {f"{name}:{port}" for name in names}
    return any(c in allowed_hosts for c in candidates)


async def check_host_allowed(url: str, allowed_hosts: frozenset[str]) -> None:
    """Raise unless ``url``'s host is allowed or resolves only to public addresses.

    Args:
        url: the absolute http(s) URL about to be fetched.
        allowed_hosts: lower-case host names or ``host:port`` pairs that skip the check.

    Raises:
        BlockedAddress: the host is or resolves to a loopback, private, link-local,
            reserved, multicast or metadata address. A name that does not resolve is
            not refused here: the fetch itself then fails with a connection error.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as exc:
        raise BlockedAddress(url, host, "?", "unparseable") from exc
    if _allowed(host, parts.port, allowed_hosts) or _allowed(host, port, allowed_hosts):
        return
    try:
        literal: IPAddress | None = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            return
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for address in addresses:
        reason = address_problem(address)
        if reason is not None:
            raise BlockedAddress(url, host, str(address), reason)
