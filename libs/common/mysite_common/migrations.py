"""Alembic, driven from code: every service keeps its migrations in `<package>/migrations`."""

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData

from mysite_common.db import create_db_engine, is_sqlite


def alembic_config(database_url: str, package: str) -> Config:
    config = Config()
    config.set_main_option("script_location", f"{package}:migrations")
    # ConfigParser interpolation would read % in a password as a placeholder.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, package: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url, package), revision)


def downgrade(database_url: str, package: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url, package), revision)


def run_migrations(metadata: MetaData) -> None:
    """The body of every service's migrations/env.py."""
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is set by mysite_common.migrations.alembic_config"
    engine = create_db_engine(url, for_migrations=True)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=is_sqlite(url),  # SQLite alters tables by copying them
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
