"""API tokens: how a new one is made and the only form in which the store keeps it."""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["new_token", "token_hash"]


def new_token() -> str:
    """A fresh random API token (shown once to its user, never stored)."""
    return "aw_" + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The stored form of an API token: its SHA-256, hex."""
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()
