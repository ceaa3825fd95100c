"""ingest at full strength: adaptive interval, feed health notices, WebSub subscriptions

Revision ID: 0002_ingest
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_ingest"
down_revision = "0001"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("current_interval_s", sa.Float()),
    ("last_success_at", sa.DateTime(timezone=True)),
    ("owner", sa.String(length=200)),
    ("notify", sa.JSON()),
    ("broken_notified_at", sa.DateTime(timezone=True)),
    ("websub_hub", sa.String(length=2000)),
    ("websub_topic", sa.String(length=2000)),
    ("websub_secret", sa.String(length=128)),
    ("websub_state", sa.String(length=20)),
    ("websub_expires_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        for name, kind in _COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        for name, _ in reversed(_COLUMNS):
            batch_op.drop_column(name)
