"""quarantine: records the broker can never take stay in the event_log with their reason

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


def downgrade() -> None:
    with op.batch_alter_table("event_log", schema=None) as batch_op:
        batch_op.drop_column("quarantine")
