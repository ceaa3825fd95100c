"""Pre-flight SSRF check of a feed, page or hub URL before it is requested (and before each redirect).

It refuses early, with the URL in the message; the connection itself is checked again by the
poller's :class:`services.netguard.GuardedTransport`, so a name that resolves differently between
this check and the connect (DNS rebinding) is refused there.
"""

from __future__ import annotations

import asyncio
import socket
from urllib.parse import urlsplit

from services.netguard import (
    METADATA_ADDRESSES,
    AddressPolicy,
    BlockedAddress,
    address_problem,
    addresses_of,
    literal_address,
)

__all__ = ["METADATA_ADDRESSES", "BlockedAddress", "address_problem", "check_host_allowed"]


async def check_host_allowed(url: str, allowed_hosts: frozenset[str]) -> None:
    """Raise unless ``url``'s host is allowed or resolves only to public addresses.

    Args:
        url: the absolute http(s) URL about to be fetched.
        allowed_hosts: lower-case host names or ``host:port`` pairs that skip the check
            (a metadata address is refused even then).

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
    literal = literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return
        addresses = addresses_of(infos)
    AddressPolicy(allowed_hosts).check(host, port, addresses, url)
