"""accounts, sessions, revocations, login attempts

Revision ID: 0001
Revises:
Create Date: 2026-11-22 01:24:39.578177
"""

import sqlalchemy as sa
from alembic import op

import mysite_common.db

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("created_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempts_ip_created", ["ip", "created_at"], unique=False)
        batch_op.create_index(
            "ix_login_attempts_username_created", ["username", "created_at"], unique=False
        )

    op.create_table(
        "revocations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("not_before", mysite_common.db.UtcDateTime(), nullable=True),
        sa.Column("expires_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.Column("created_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revocations")),
    )
    with op.batch_alter_table("revocations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revocations_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("tokens_not_before", mysite_common.db.UtcDateTime(), nullable=True),
        sa.Column("created_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.Column("updated_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("family_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.Column("expires_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.Column("family_expires_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.Column("used_at", mysite_common.db.UtcDateTime(), nullable=True),
        sa.Column("revoked_at", mysite_common.db.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_refresh_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_tokens_token_hash")),
    )
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refresh_tokens_family_id"), ["family_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_refresh_tokens_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    # The table goes with its indexes: MariaDB refuses to drop the user_id index alone while
    # the foreign key needs it.
    op.drop_table("refresh_tokens")
    op.drop_table("users")
    with op.batch_alter_table("revocations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revocations_expires_at"))

    op.drop_table("revocations")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempts_username_created")
        batch_op.drop_index("ix_login_attempts_ip_created")

    op.drop_table("login_attempts")
