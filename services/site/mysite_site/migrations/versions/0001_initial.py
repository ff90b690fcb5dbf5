"""profile, photos, guestbook

Revision ID: 0001
Revises:
Create Date: 2026-11-22 01:30:08.048331
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

import mysite_common.db

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guestbook_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_username", sa.String(length=32), nullable=False),
        sa.Column("author_display_name", sa.String(length=64), nullable=False),
        sa.Column("by_owner", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.Column("updated_at", mysite_common.db.UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guestbook_entries")),
    )
    with op.batch_alter_table("guestbook_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_guestbook_entries_author_created", ["author_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_guestbook_entries_created_id", ["created_at", "id"], unique=False)

    op.create_table(
        "photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column(
            "data",
            sa.LargeBinary()
            .with_variant(mysql.MEDIUMBLOB(), "mariadb")
            .with_variant(mysql.MEDIUMBLOB(), "mysql"),
            nullable=False,
        ),
        sa.Column("created_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photos")),
        sa.UniqueConstraint("digest", name=op.f("uq_photos_digest")),
    )
    op.create_table(
        "profile",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "published_json",
            sa.Text()
            .with_variant(mysql.MEDIUMTEXT(), "mariadb")
            .with_variant(mysql.MEDIUMTEXT(), "mysql"),
            nullable=False,
        ),
        sa.Column(
            "draft_json",
            sa.Text()
            .with_variant(mysql.MEDIUMTEXT(), "mariadb")
            .with_variant(mysql.MEDIUMTEXT(), "mysql"),
            nullable=True,
        ),
        sa.Column("published_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.Column("draft_updated_at", mysite_common.db.UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile")),
    )


def downgrade() -> None:
    op.drop_table("profile")
    op.drop_table("photos")
    with op.batch_alter_table("guestbook_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_guestbook_entries_created_id")
        batch_op.drop_index("ix_guestbook_entries_author_created")

    op.drop_table("guestbook_entries")
