"""FastAPI routes: health, deals, events, and the caller's own watchlists."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel, Field
from sqlalchemy import select
from typing_extensions import TypedDict

from services import __version__
from services.api import websub
from services.api.errors import ApiError, documented, install
from services.api.guard import RequestGuard
from services.api.metrics import exposition
from services.bus import Publisher
from services.netguard import AddressPolicy
from services.notify.backfill import backfill as run_backfill
from services.notify.backfill import parse_window
from services.notify.deliver import Deliverer
from services.notify.sample import send_sample
from services.notify.watchlists import DIGESTS, build_watchlist, country_code, save_watchlist, shown
from services.record_types import DealView, ProcurementEvent, Watchlist
from services.records import CATEGORIES, STAGES
from services.store import queries
from services.store.db import Database
from services.store.models import User
from services.tokens import token_hash


class WatchlistIn(BaseModel):
    """A watchlist as the API accepts it (countries: ISO codes or names in any supported language)."""

    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    buyers: list[str] = Field(default_factory=list)
    sellers: list[str] = Field(default_factory=list)
    systems: list[str] = Field(default_factory=list)
    categories: list[str] = Field(
        default_factory=list, json_schema_extra={"items": {"enum": list(CATEGORIES)}}
    )
    stage: str | None = Field(default=None, json_schema_extra={"enum": [*STAGES, None]})
    min_quantity: int | None = Field(default=None, ge=0, le=10**9)
    min_sources: int = Field(default=1, ge=1, le=1000)
    keywords: list[str] = Field(default_factory=list)
    notify: list[str] = Field(default_factory=list)
    digest: str = Field(default="off", json_schema_extra={"enum": list(DIGESTS)})


#: Errors every route behind a token may answer.
AUTHED = documented(401, 413, 422)
#: ... and a route naming one of the caller's watchlists.
OWNED = documented(401, 404, 413, 422)
#: A backfill window: a count and a unit ("30d", "12h", "90m", "2w").
WINDOW = r"^[0-9]{1,6}[smhdwSMHDW]$"


class ChannelCheck(TypedDict):
    """The outcome of a sample alert sent on one of a watchlist's channels."""

    channel: str
    outcome: str
    attempts: int
    error: str | None


class BackfilledAlert(TypedDict):
    """An alert a backfill decided: its deal and stage."""

    deal_key: str
    stage: str


class BackfillDone(TypedDict):
    """The window a backfill looked back over and the alerts it decided."""

    window: str
    alerts: list[BackfilledAlert]


def _token_user(db: Database, token: str) -> str | None:
    """The name of the user whose API token this is, if any."""
    with db.session() as session:
        return session.scalar(select(User.name).where(User.token_hash == token_hash(token)))


def current_user(request: Request, authorization: Annotated[str | None, Header()] = None) -> str:
    """The user owning the bearer token (found by the request guard); 401 without a valid one."""
    checked = getattr(request.state, "user", None)
    if checked is not None:
        return str(checked)
    if not authorization or not authorization.startswith("Bearer "):
        raise ApiError(401, "unauthorized", "send Authorization: Bearer <token>")
    name = _token_user(request.app.state.db, authorization.removeprefix("Bearer "))
    if name is None:
        raise ApiError(401, "unauthorized", "unknown API token")
    return name


Caller = Annotated[str, Depends(current_user)]


def create_app(publisher: Publisher) -> FastAPI:
    """The API app over `publisher`'s store."""
    db = publisher.db
    policy = AddressPolicy(publisher.settings.allowed_host_set)
    app = FastAPI(title="armswatch", version=__version__)
    app.state.db = db
    install(app)
    app.add_middleware(
        RequestGuard, max_body=publisher.settings.api_max_body, user_of=lambda token: _token_user(db, token)
    )
    app.include_router(websub.router, dependencies=[Depends(websub.bind(publisher))])

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/metrics", response_class=PlainTextResponse, responses=AUTHED)
    async def metrics(_user: Caller) -> PlainTextResponse:
        body = await asyncio.to_thread(exposition, db)
        return PlainTextResponse(body, media_type=CONTENT_TYPE_LATEST)

    @app.get("/deals", responses=AUTHED)
    def deals(
        _user: Caller,
        buyer: str | None = None,
        stage: Annotated[str | None, Query(json_schema_extra={"enum": list(STAGES)})] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> list[DealView]:
        return queries.deals(db, buyer_iso=country_code(buyer) if buyer else None, stage=stage, limit=limit)

    @app.get("/events", responses=AUTHED)
    def events(
        _user: Caller, buyer: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 50
    ) -> list[ProcurementEvent]:
        return queries.events(db, buyer_iso=country_code(buyer) if buyer else None, limit=limit)

    @app.get("/watchlists", responses=AUTHED)
    def list_watchlists(caller: Caller) -> list[Watchlist]:
        return [shown(w) for w in queries.watchlists(db, owner=caller)]

    @app.post("/watchlists", status_code=201, responses=AUTHED)
    async def add_watchlist(caller: Caller, body: WatchlistIn) -> Watchlist:
        record = build_watchlist(owner=caller, policy=policy, **body.model_dump())
        await save_watchlist(publisher, record, record["id"])
        return shown(record)

    def _own(caller: str, watchlist_id: str) -> Watchlist:
        found = queries.watchlist(db, watchlist_id, owner=caller)
        if found is None:
            raise ApiError(404, "not_found", f"no watchlist {watchlist_id!r}")
        return found

    @app.get("/watchlists/{watchlist_id}", responses=OWNED)
    async def get_watchlist(caller: Caller, watchlist_id: str) -> Watchlist:
        return shown(await asyncio.to_thread(_own, caller, watchlist_id))

    @app.post("/watchlists/{watchlist_id}/test", responses=OWNED)
    async def test_watchlist(caller: Caller, watchlist_id: str) -> list[ChannelCheck]:
        record = await asyncio.to_thread(_own, caller, watchlist_id)
        if not record["notify"]:
            raise ApiError(422, "invalid", "the watchlist has no notify channel to test", "notify")
        outcomes = await send_sample(Deliverer.from_settings(publisher.settings), record)
        return [
            {
                "channel": o.channel,
                "outcome": o.attempt.outcome,
                "attempts": o.attempt.attempt,
                "error": o.attempt.error,
            }
            for o in outcomes
        ]

    @app.post("/watchlists/{watchlist_id}/backfill", responses=OWNED)
    async def backfill_watchlist(
        caller: Caller, watchlist_id: str, window: Annotated[str, Query(pattern=WINDOW)] = "30d"
    ) -> BackfillDone:
        record = await asyncio.to_thread(_own, caller, watchlist_id)
        created = await asyncio.to_thread(run_backfill, db, record, parse_window(window))
        return {
            "window": window,
            "alerts": [{"deal_key": a["deal_key"], "stage": a["stage"]} for a in created],
        }

    @app.delete("/watchlists/{watchlist_id}", status_code=204, responses=OWNED)
    async def delete_watchlist(caller: Caller, watchlist_id: str) -> None:
        await asyncio.to_thread(_own, caller, watchlist_id)
        await save_watchlist(publisher, None, watchlist_id)

    return app
