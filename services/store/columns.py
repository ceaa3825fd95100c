"""String column types that store any text a record may carry: no NUL character, no more than the column holds.

PostgreSQL refuses a NUL in text and a string longer than its ``varchar(n)``; SQLite takes both. A record
that validated may still carry either (any text in evidence, a long name from another classifier), so the
value is cleaned on its way in and both databases keep the same thing. DDL is unchanged: these are
``String(n)`` and ``Text`` to the migrations.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String as _String
from sqlalchemy import Text as _Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def _clean(value: str, length: int | None) -> str:
    value = value.replace("\x00", "")
    return value[:length] if length is not None else value


class String(TypeDecorator[str]):
    """``String(n)`` whose values lose NUL characters and are cut to n characters."""

    impl = _String
    cache_ok = True

    def __init__(self, length: int | None = None, **kwargs: Any) -> None:
        super().__init__(length, **kwargs)
        self.length = length

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        """The value as stored."""
        return None if value is None else _clean(value, self.length)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        """The value as read."""
        return value


class Text(TypeDecorator[str]):
    """``Text`` whose values lose NUL characters."""

    impl = _Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        """The value as stored."""
        return None if value is None else _clean(value, None)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        """The value as read."""
        return value
