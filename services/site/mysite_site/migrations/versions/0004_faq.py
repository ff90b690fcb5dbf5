"""the owner's FAQ, moved here from the chatbot, and its revision counter

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 06:45:00

The entries themselves come over from the chatbot's database at its next start (services own
separate databases and talk only over HTTP): see the chatbot's migration 0002.
"""

import sqlalchemy as sa
from alembic import op

import mysite_common.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "faq_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("import_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.Column("updated_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_entries")),
        sa.UniqueConstraint("import_key", name=op.f("uq_faq_entries_import_key")),
    )
    faq_revision = op.create_table(
        "faq_revision",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_revision")),
    )
    op.bulk_insert(faq_revision, [{"id": 1, "revision": 0}])


def downgrade() -> None:
    op.drop_table("faq_revision")
    op.drop_table("faq_entries")
