"""quarantine, decided alerts, channel outages: records the broker can never take stay in the event_log
with their reason; alerts remember whether they are on armswatch.alerts yet (published when decided);
a send to a channel in an outage is deferred in the ledger until its retry time

Revision ID: 0004_quarantine
Revises: 0002_ingest, 0003_notify
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_quarantine"
down_revision = ("0002_ingest", "0003_notify")
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quarantine", sa.String(length=1000), nullable=True))
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f("ix_alerts_published"), ["published"], unique=False)
    with op.batch_alter_table("delivery_ledger", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retry_at", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("deferred_at", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("deferrals", sa.Integer(), server_default="0", nullable=False))
    # Alerts were published when delivered until now: the undelivered ones are published by the notifier.
    op.execute(sa.text("UPDATE alerts SET published = delivered"))


def downgrade() -> None:
    with op.batch_alter_table("delivery_ledger", schema=None) as batch_op:
        batch_op.drop_column("deferrals")
        batch_op.drop_column("deferred_at")
        batch_op.drop_column("retry_at")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_published"))
        batch_op.drop_column("published")
    with op.batch_alter_table("event_log", schema=None) as batch_op:
        batch_op.drop_column("quarantine")
