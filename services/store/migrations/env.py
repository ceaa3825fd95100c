"""Alembic environment: runs migrations on the engine handed over in the config's attributes."""

from __future__ import annotations

from alembic import context

from services.store.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
