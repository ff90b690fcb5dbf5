"""the FAQ moves to the site: faq_entries kept as faq_entries_legacy until handed over,
faq_changes dropped, profile_snapshot becomes knowledge_snapshot

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 07:00:00

Services own separate databases and talk only over HTTP, so no migration can copy rows into
the site's database. This one keeps every entry where it is, under a new name; the chatbot
hands them to the site at its next start (`POST /internal/faq/import`, idempotent by legacy
id) and deletes each row only after the site confirmed it (knowledge.py). A logged
question's link to its entry moves to `legacy_faq_id` until then.
"""

import sqlalchemy as sa
from alembic import op

import mysite_common.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("question_log", schema=None) as batch_op:
        batch_op.drop_constraint("fk_question_log_faq_id_faq_entries", type_="foreignkey")
        batch_op.add_column(sa.Column("legacy_faq_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE question_log SET legacy_faq_id = faq_id, faq_id = NULL WHERE faq_id IS NOT NULL"
    )
    op.rename_table("faq_entries", "faq_entries_legacy")
    op.drop_table("faq_changes")
    op.rename_table("profile_snapshot", "knowledge_snapshot")


def downgrade() -> None:
    """Back to the chatbot keeping the FAQ: only entries not yet handed over come back (the
    site keeps the others)."""
    op.rename_table("knowledge_snapshot", "profile_snapshot")
    op.create_table(
        "faq_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("faq_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("changed_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_changes")),
    )
    op.rename_table("faq_entries_legacy", "faq_entries")
    op.execute("UPDATE question_log SET faq_id = NULL WHERE faq_id IS NOT NULL")
    op.execute(
        "UPDATE question_log SET faq_id = legacy_faq_id WHERE legacy_faq_id IN"
        " (SELECT id FROM faq_entries)"
    )
    with op.batch_alter_table("question_log", schema=None) as batch_op:
        batch_op.drop_column("legacy_faq_id")
        batch_op.create_foreign_key(
            "fk_question_log_faq_id_faq_entries",
            "faq_entries",
            ["faq_id"],
            ["id"],
            ondelete="SET NULL",
        )
