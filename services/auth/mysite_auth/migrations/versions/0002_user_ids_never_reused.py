"""user ids are never reused (SQLite AUTOINCREMENT; MariaDB's counter never goes back)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 03:55:00
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _recreate_users(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # InnoDB keeps its AUTO_INCREMENT counter (persistent since MariaDB 10.2)
    # SQLite can only add AUTOINCREMENT by copying the table. Foreign keys off meanwhile,
    # or dropping the old table would cascade into refresh_tokens.
    op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table(
        "users", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass
    op.execute("PRAGMA foreign_keys=ON")


def upgrade() -> None:
    _recreate_users(autoincrement=True)


def downgrade() -> None:
    _recreate_users(autoincrement=False)
