"""Watchlist definitions: build and validate one from user input, save it on the topic and in the read model."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterable
from typing import cast

from services.bus import Publisher
from services.channels import redact, validate_url
from services.deals import STAGES
from services.errors import UsageError
from services.netguard import AddressPolicy
from services.notify import gazetteer
from services.record_types import Category, Digest, Watchlist
from services.records import CATEGORIES, WATCHLIST, now_iso, validate
from services.store.readmodel import project_watchlist

DIGESTS = ("off", "hourly", "daily")


def country_code(value: str) -> str:
    """An ISO 3166 alpha-2 code from a code or a country name in any supported language."""
    code = gazetteer.country_code(value)
    if code is None:
        raise UsageError(f"watch: unknown country {value!r} (use an ISO code such as KZ, or a country name)")
    return code


#: Options whose values may list several comma-separated items ("KZ,UZ").
_SPLIT = frozenset({"--buyer", "--seller", "--category"})


def _clean(values: Iterable[str]) -> list[str]:
    return [v.strip() for v in values if v and v.strip()]


def _split(values: Iterable[str]) -> list[str]:
    """Values given once each or comma-separated ("KZ,UZ")."""
    return _clean(part for value in values for part in value.split(","))


def build_watchlist(
    *,
    name: str,
    owner: str,
    buyers: Iterable[str] = (),
    sellers: Iterable[str] = (),
    systems: Iterable[str] = (),
    categories: Iterable[str] = (),
    stage: str | None = None,
    min_quantity: int | None = None,
    min_sources: int = 1,
    keywords: Iterable[str] = (),
    notify: Iterable[str] = (),
    digest: str = "off",
    watchlist_id: str | None = None,
    created_at: str | None = None,
    policy: AddressPolicy | None = None,
) -> Watchlist:
    """A valid Watchlist record; UsageError (one line, naming the option) for bad input (a blank value too).

    With `policy`, a notify URL whose host is a refused address (loopback, private, metadata) is bad input.
    """
    if not name.strip():
        raise UsageError("watch: the name must not be empty")
    buyers, sellers, systems, categories = list(buyers), list(sellers), list(systems), list(categories)
    keywords, notify = list(keywords), list(notify)
    for option, values in (
        ("--buyer", buyers),
        ("--seller", sellers),
        ("--system", systems),
        ("--category", categories),
        ("--keyword", keywords),
        ("--notify", notify),
    ):
        if any(
            not part.strip()
            for value in values
            for part in (value.split(",") if option in _SPLIT else [value])
        ):
            raise UsageError(f"watch: {option} was given an empty value")
    if stage is not None and stage not in STAGES:
        raise UsageError(f"watch: --stage {stage!r} is not one of {', '.join(STAGES)}")
    cats = _split(categories)
    for cat in cats:
        if cat not in CATEGORIES:
            raise UsageError(f"watch: --category {cat!r} is not one of {', '.join(CATEGORIES)}")
    if digest not in DIGESTS:
        raise UsageError(f"watch: --digest {digest!r} is not one of off, hourly, daily")
    if min_quantity is not None and min_quantity < 0:
        raise UsageError("watch: --min-quantity must be 0 or more")
    if min_sources < 1:
        raise UsageError("watch: --min-sources must be 1 or more")
    urls = _clean(notify)
    for url in urls:
        try:
            validate_url(url, policy)
        except ValueError as exc:
            raise UsageError(f"watch: --notify: {exc}") from exc
    now = now_iso()
    record: Watchlist = {
        "id": watchlist_id or secrets.token_hex(6),
        "name": name.strip(),
        "owner": owner,
        "buyers": sorted({country_code(b) for b in _split(buyers)}),
        "sellers": sorted({country_code(s) for s in _split(sellers)}),
        "systems": _clean(systems),
        "categories": cast(list[Category], cats),  # each checked above
        "stage": stage,
        "min_quantity": min_quantity,
        "min_sources": min_sources,
        "keywords": _clean(keywords),
        "notify": urls,
        "digest": cast(Digest, digest),
        "created_at": created_at or now,
        "updated_at": now,
    }
    validate(WATCHLIST, record)
    return record


def shown(record: Watchlist) -> Watchlist:
    """The watchlist as the CLI and the API show it: its notify URLs redacted (they carry secrets)."""
    return {**record, "notify": [redact(u) for u in record["notify"]]}


async def save_watchlist(publisher: Publisher, record: Watchlist | None, watchlist_id: str) -> None:
    """Put a watchlist (or its tombstone) on the topic and into the read model at once."""
    await publisher.publish(WATCHLIST, record, key=watchlist_id, record_id=f"{watchlist_id}@{now_iso()}")

    def apply() -> None:
        with publisher.db.session() as session:
            project_watchlist(session, watchlist_id, record, now_iso())

    await asyncio.to_thread(apply)
