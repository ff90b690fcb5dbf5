"""kakao connection, connect attempts, messages

Revision ID: 0001
Revises:
Create Date: 2026-11-22 01:34:23.289330
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
        "kakao_connection",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("access_token_encrypted", sa.Text(), nullable=True),
        sa.Column("access_token_expires_at", mysite_common.db.UtcDateTime(), nullable=True),
        sa.Column("refresh_token_encrypted", sa.Text(), nullable=True),
        sa.Column("refresh_token_expires_at", mysite_common.db.UtcDateTime(), nullable=True),
        sa.Column("scopes", sa.String(length=500), nullable=False),
        sa.Column("kakao_user_id", sa.BigInteger(), nullable=True),
        sa.Column("token_version", sa.Integer(), nullable=False),
        sa.Column("connected_at", mysite_common.db.UtcDateTime(), nullable=True),
        sa.Column("last_refresh_at", mysite_common.db.UtcDateTime(), nullable=True),
        sa.Column("needs_reconnect", sa.Boolean(), nullable=False),
        sa.Column("last_error_code", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("last_error_at", mysite_common.db.UtcDateTime(), nullable=True),
        sa.Column("locked_at", mysite_common.db.UtcDateTime(), nullable=True),
        sa.Column("updated_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kakao_connection")),
    )
    op.create_table(
        "kakao_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("sender_username", sa.String(length=64), nullable=False),
        sa.Column("sender_display_name", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("claimed_until", mysite_common.db.UtcDateTime(), nullable=True),
        sa.Column("last_error_code", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.Column("updated_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.Column("delivered_at", mysite_common.db.UtcDateTime(), nullable=True),
        sa.Column("failed_at", mysite_common.db.UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kakao_messages")),
        sa.UniqueConstraint("sender_id", "idempotency_key", name="uq_kakao_messages_idempotency"),
    )
    with op.batch_alter_table("kakao_messages", schema=None) as batch_op:
        batch_op.create_index("ix_kakao_messages_claim_token", ["claim_token"], unique=False)
        batch_op.create_index("ix_kakao_messages_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            "ix_kakao_messages_sender_created", ["sender_id", "created_at"], unique=False
        )

    op.create_table(
        "kakao_oauth_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("browser_hash", sa.String(length=64), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=False),
        sa.Column("code_verifier_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.Column("expires_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.Column("used_at", mysite_common.db.UtcDateTime(), nullable=True),
        sa.Column("result", sa.String(length=64), nullable=True),
        sa.Column("result_message", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kakao_oauth_states")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_kakao_oauth_states_state_hash")),
    )
    with op.batch_alter_table("kakao_oauth_states", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kakao_oauth_states_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("kakao_oauth_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kakao_oauth_states_expires_at"))

    op.drop_table("kakao_oauth_states")
    with op.batch_alter_table("kakao_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_kakao_messages_sender_created")
        batch_op.drop_index("ix_kakao_messages_due")
        batch_op.drop_index("ix_kakao_messages_claim_token")

    op.drop_table("kakao_messages")
    op.drop_table("kakao_connection")
