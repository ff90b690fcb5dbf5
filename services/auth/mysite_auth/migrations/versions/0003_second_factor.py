"""TOTP second factor: the user's secret and last step, and recovery codes

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 04:05:00
"""

import sqlalchemy as sa
from alembic import op

import mysite_common.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("otp_pending_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("otp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("otp_last_step", sa.Integer(), nullable=True))
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", mysite_common.db.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("recovery_codes")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("otp_last_step")
        batch_op.drop_column("otp_secret")
        batch_op.drop_column("otp_pending_secret")
