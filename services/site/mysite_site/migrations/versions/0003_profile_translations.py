"""profile translations: one JSON Resume per language, merged over the primary profile

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 03:30:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

import mysite_common.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LONG_TEXT = (
    sa.Text().with_variant(mysql.MEDIUMTEXT(), "mariadb").with_variant(mysql.MEDIUMTEXT(), "mysql")
)


def upgrade() -> None:
    op.create_table(
        "profile_translations",
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("published_json", LONG_TEXT, nullable=True),
        sa.Column("draft_json", LONG_TEXT, nullable=True),
        sa.Column("updated_at", mysite_common.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("language", name=op.f("pk_profile_translations")),
    )


def downgrade() -> None:
    op.drop_table("profile_translations")
