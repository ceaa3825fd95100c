"""notify: digest columns on alerts, claim owner and lease on the delivery ledger

Revision ID: 0003_notify
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_notify"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest", sa.String(length=10), server_default="off", nullable=False))
        batch_op.add_column(sa.Column("due_at", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("digest_id", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_alerts_due_at"), ["due_at"], unique=False)
    with op.batch_alter_table("delivery_ledger", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("in_doubt", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("delivery_ledger", schema=None) as batch_op:
        batch_op.drop_column("in_doubt")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("claimed_by")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_due_at"))
        batch_op.drop_column("digest_id")
        batch_op.drop_column("due_at")
        batch_op.drop_column("digest")
