"""question wording key: repeats of one question listed, answered and dismissed together

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 06:40:00
"""

import sqlalchemy as sa
from alembic import op

from mysite_chatbot.models import wording_key

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("question_log") as batch:
        batch.add_column(
            sa.Column("question_key", sa.String(length=64), nullable=False, server_default="")
        )
        batch.create_index("ix_question_log_question_key", ["question_key"])
    # The rows logged before: their keys, a batch at a time (the log keeps weeks of them).
    log = sa.table("question_log", sa.column("id", sa.Integer), sa.column("question", sa.String))
    keyed = sa.table("question_log", sa.column("id"), sa.column("question_key"))
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(log.c.id, log.c.question)
            .where(log.c.id > last_id)
            .order_by(log.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            sa.update(keyed).where(keyed.c.id == sa.bindparam("row_id")),
            [{"row_id": row.id, "question_key": wording_key(row.question)} for row in rows],
        )
        last_id = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("question_log") as batch:
        batch.drop_index("ix_question_log_question_key")
        batch.drop_column("question_key")
