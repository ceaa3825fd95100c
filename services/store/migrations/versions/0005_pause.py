"""pause a feed: a paused feed is never claimed by a poller until it is resumed

Revision ID: 0005_pause
Revises: 0004_quarantine
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_pause"
down_revision = "0004_quarantine"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.drop_column("paused")
