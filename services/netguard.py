"""The address policy for every outbound connection (feeds, pages, hubs, channels): no loopback, private or metadata.

A host (``example.org``) or host and port (``127.0.0.1:8123``) named in ``ARMSWATCH_ALLOWED_HOSTS``
skips the check, except that a metadata address is refused whatever the allow-list says. Every
address a name resolves to must pass, so a name with one public and one private record is refused.

The check is made on the address actually connected to, so a name that resolves differently a
moment later (DNS rebinding) gains nothing:

- httpx clients use :class:`GuardedTransport`, whose network backend resolves the name once, checks
  every address and connects to a checked address (TLS still verifies the name);
- blocking clients (apprise's requests and smtplib) call ``socket.getaddrinfo`` and connect to what
  it returns; inside :func:`connections_checked` that lookup refuses addresses the policy refuses.
"""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

__all__ = [
    "METADATA_ADDRESSES",
    "AddressPolicy",
    "BlockedAddress",
    "GuardedTransport",
    "address_problem",
    "addresses_of",
    "connections_checked",
    "install_lookup_guard",
    "literal_address",
]

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
    """A host is, or resolves to, an address armswatch must not connect to."""

    def __init__(self, url: str, host: str, address: str, reason: str) -> None:
        hint = "" if reason == "metadata" else " (allow it with ARMSWATCH_ALLOWED_HOSTS)"
        what = (
            f"is a {reason} address"
            if host.strip("[]") == address
            else f"resolves to {reason} address {address}"
        )
        super().__init__(f"guard: {host} {what}, refused{hint}: {url}")
        self.url = url
        self.host = host
        self.address = address
        self.reason = reason


class _RefusedLookup(socket.gaierror):
    """A name lookup refused by the policy; blocking clients report it as a failed connection."""


def address_problem(address: IPAddress) -> str | None:
    """Name what is wrong with connecting to ``address`` ("loopback", "private", ...), or None."""
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


def literal_address(host: str) -> IPAddress | None:
    """The address a host names literally ('127.0.0.1', '[::1]', '::1%eth0'), or None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which hosts may be connected to: public addresses, and the allowed hosts (never metadata)."""

    allowed: frozenset[str] = frozenset()

    def allows_name(self, host: str, port: int | None) -> bool:
        """True when ``host`` (or ``host:port``) is on the allow-list."""
        host = host.rstrip(".").lower()
        names = {host, f"[{host}]"} if ":" in host else {host}
        candidates = set(names)
        if port is not None:
            candidates |= {f"{name}:{port}" for name in names}
        return any(c in self.allowed for c in candidates)

    def check(self, host: str, port: int | None, addresses: Iterable[IPAddress], url: str = "") -> None:
        """Raise BlockedAddress unless every address of ``host`` may be connected to."""
        allowed = self.allows_name(host, port)
        for address in addresses:
            reason = address_problem(address)
            if reason == "metadata" or (reason is not None and not allowed):
                raise BlockedAddress(url or f"{host}:{port}", host, str(address), reason)

    def check_literal(self, host: str, port: int | None, url: str = "") -> None:
        """Check a host without any lookup: a literal address or ``localhost`` (names pass until connect)."""
        address = literal_address(host)
        if address is None and host.rstrip(".").lower() in ("localhost", "localhost.localdomain"):
            address = ipaddress.ip_address("127.0.0.1")
        if address is not None:
            self.check(host, port, [address], url)


def addresses_of(infos: Iterable[tuple[Any, ...]]) -> list[IPAddress]:
    """The addresses of ``getaddrinfo`` results (scope ids dropped)."""
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves each name once, checks every address, and connects to a checked address only."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        literal = literal_address(host)
        if literal is not None:
            targets = [literal]
        else:
            try:
                infos = await asyncio.wait_for(
                    asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout
                )
            except (OSError, UnicodeError, TimeoutError) as exc:
                raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
            targets = list(dict.fromkeys(addresses_of(infos)))
        try:
            self.policy.check(host, port, targets)
        except BlockedAddress as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        last: Exception | None = None
        for address in targets:
            try:
                return await self.inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("guard: unix sockets are refused")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """An httpx transport that connects only to addresses the policy allows (checked at connect time)."""

    def __init__(self, policy: AddressPolicy, *, limits: httpx.Limits, trust_env: bool = True) -> None:
        super().__init__(limits=limits, trust_env=trust_env)
        # httpx offers no public way to give its pool a network backend: the pool is rebuilt with one.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=trust_env),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(policy),
        )


_policy: contextvars.ContextVar[AddressPolicy | None] = contextvars.ContextVar(
    "armswatch_connect_policy", default=None
)
_lookup = socket.getaddrinfo
_installed = False


def _guarded_getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
    infos = _lookup(host, port, *args, **kwargs)
    policy = _policy.get()
    if policy is None or host is None:
        return infos
    name = host.decode("idna") if isinstance(host, bytes) else str(host)
    number = port if isinstance(port, int) else None
    try:
        policy.check(name, number, addresses_of(infos))
    except BlockedAddress as exc:
        raise _RefusedLookup(socket.EAI_FAIL, str(exc)) from exc
    return infos


def install_lookup_guard() -> None:
    """Make ``socket.getaddrinfo`` apply the policy of :func:`connections_checked` (nothing outside it)."""
    global _installed
    if not _installed:
        setattr(socket, "getaddrinfo", _guarded_getaddrinfo)  # noqa: B010 - mypy forbids assigning a module function
        _installed = True


@contextmanager
def connections_checked(policy: AddressPolicy) -> Iterator[None]:
    """Inside the block (and threads that copy its context), blocking name lookups apply ``policy``."""
    install_lookup_guard()
    token = _policy.set(policy)
    try:
        yield
    finally:
        _policy.reset(token)
