"""suggestion picks: a reply's id, the entries offered with it, the one the visitor picked

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 03:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


# MariaDB kept the index behind the foreign key that 0002 dropped; the models have none.
_LEFTOVER_INDEX = "fk_question_log_faq_id_faq_entries"


def upgrade() -> None:
    indexes = {index["name"] for index in sa.inspect(op.get_bind()).get_indexes("question_log")}
    if _LEFTOVER_INDEX in indexes:
        op.drop_index(_LEFTOVER_INDEX, table_name="question_log")
    with op.batch_alter_table("question_log") as batch:
        batch.add_column(sa.Column("reply_id", sa.String(length=32), nullable=True))
        batch.add_column(
            sa.Column("suggestions_json", sa.Text(), nullable=False, server_default="[]")
        )
        batch.add_column(sa.Column("picked_key", sa.String(length=100), nullable=True))
        batch.create_unique_constraint(op.f("uq_question_log_reply_id"), ["reply_id"])


def downgrade() -> None:
    with op.batch_alter_table("question_log") as batch:
        batch.drop_constraint(op.f("uq_question_log_reply_id"), type_="unique")
        batch.drop_column("picked_key")
        batch.drop_column("suggestions_json")
        batch.drop_column("reply_id")
