"""owner notifications: settings, events, and the kind of each queued message

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
    with op.batch_alter_table("kakao_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=32), server_default="visitor", nullable=False)
        )
        batch_op.create_index(
            "ix_kakao_messages_kind_created", ["kind", "created_at"], unique=False
        )

    op.create_table(
        "kakao_notification_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("guestbook_entry", sa.Boolean(), nullable=False),
        sa.Column("declined_question", sa.Boolean(), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("locked_at", mysite_common.db.UtcDateTime(), nullable=True),
        sa.Column("updated_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kakao_notification_settings")),
    )
    op.create_table(
        "kakao_notification_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("event_key", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=128), nullable=True),
        sa.Column("created_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kakao_notification_events")),
        sa.UniqueConstraint("kind", "event_key", name="uq_kakao_notification_events_key"),
    )
    with op.batch_alter_table("kakao_notification_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_kakao_notification_events_pending", ["message_id", "kind"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("kakao_notification_events", schema=None) as batch_op:
        batch_op.drop_index("ix_kakao_notification_events_pending")
    op.drop_table("kakao_notification_events")
    op.drop_table("kakao_notification_settings")
    with op.batch_alter_table("kakao_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_kakao_messages_kind_created")
        batch_op.drop_column("kind")
