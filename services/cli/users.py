"""`armswatch users`: API users; `add` prints the token once, only its hash is kept."""

from __future__ import annotations

import re

import click
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.cli._context import Context, pass_context
from services.errors import UsageError
from services.records import now_iso
from services.store.models import User
from services.tokens import new_token, token_hash


@click.group()
def users() -> None:
    """API users and their tokens."""


@users.command("add")
@click.argument("name")
@pass_context
def add(ctx: Context, name: str) -> None:
    """Add user NAME and print their API token (shown this once)."""
    if not re.fullmatch(r"[A-Za-z0-9_.@-]{1,100}", name):
        raise UsageError(f"users: {name!r} is not a valid user name (letters, digits, _ . @ -)")
    token = new_token()
    try:
        with ctx.db().session() as session:
            session.add(User(name=name, token_hash=token_hash(token), created_at=now_iso()))
    except IntegrityError as exc:
        raise UsageError(f"users: {name!r} exists already") from exc
    click.echo(token)


@users.command("list")
@pass_context
def list_(ctx: Context) -> None:
    """Every user (never their tokens)."""
    with ctx.db().session() as session:
        for user in session.scalars(select(User).order_by(User.name)):
            click.echo(f"{user.name}  created {user.created_at}")


@users.command("remove")
@click.argument("name")
@pass_context
def remove(ctx: Context, name: str) -> None:
    """Remove user NAME; their token stops working."""
    with ctx.db().session() as session:
        user = session.get(User, name)
        if user is None:
            raise UsageError(f"users: no user {name!r}")
        session.delete(user)
    click.echo(f"user {name} removed")


COMMANDS = (users,)
