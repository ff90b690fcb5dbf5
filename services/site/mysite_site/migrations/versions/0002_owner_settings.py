"""owner_settings: the theme the owner chose

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 03:30:00
"""

import sqlalchemy as sa
from alembic import op

import mysite_common.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "owner_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("theme", sa.String(length=32), nullable=False),
        sa.Column("updated_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owner_settings")),
    )


def downgrade() -> None:
    op.drop_table("owner_settings")
