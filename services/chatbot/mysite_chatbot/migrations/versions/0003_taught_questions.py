"""taught questions: the owner links a logged question to the entry that answers it

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 22:00:00
"""

import sqlalchemy as sa
from alembic import op

import mysite_common.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "taught_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=2000), nullable=False),
        sa.Column("question_key", sa.String(length=64), nullable=False),
        sa.Column("entry_key", sa.String(length=100), nullable=False),
        sa.Column("created_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taught_questions")),
        sa.UniqueConstraint("question_key", name=op.f("uq_taught_questions_question_key")),
    )


def downgrade() -> None:
    op.drop_table("taught_questions")
