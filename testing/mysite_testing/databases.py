"""Real databases for tests: a SQLite file, or a fresh MariaDB database dropped afterwards.

MariaDB is found at MYSITE_TEST_MARIADB_URL (default: root on 127.0.0.1:3306, as on the
development machines and in CI).
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import make_url

from mysite_common import migrations
from mysite_common.db import create_db_engine

BACKENDS = ("sqlite", "mariadb")
DEFAULT_MARIADB_URL = "mysql+pymysql://root@127.0.0.1:3306"


def mariadb_admin_url() -> str:
    return os.environ.get("MYSITE_TEST_MARIADB_URL", DEFAULT_MARIADB_URL)


@contextmanager
def fresh_database(backend: str, package: str, directory: Path) -> Iterator[str]:
    """A migrated, empty database for `package` (e.g. mysite_auth); removed afterwards."""
    if backend == "sqlite":
        url = f"sqlite:///{directory / (package + '.sqlite3')}"
        migrations.upgrade(url, package)
        yield url
        return
    name = f"test_{package}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(mariadb_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    database_url = make_url(mariadb_admin_url()).set(database=name, query={"charset": "utf8mb4"})
    url_text = database_url.render_as_string(hide_password=False)
    try:
        migrations.upgrade(url_text, package)
        yield url_text
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


def empty_tables(url: str, metadata: MetaData) -> None:
    """Deletes every row, children first, so each test starts from an empty database."""
    engine = create_db_engine(url, for_migrations=True)
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


def schema_drift(url: str, metadata: MetaData) -> list[object]:
    """How the migrated database at ``url`` differs from the models' ``metadata`` (alembic's
    autogenerate diff): empty when the migrations build what the models describe."""
    engine = create_db_engine(url, for_migrations=True)
    try:
        with engine.connect() as connection:
            return list(compare_metadata(MigrationContext.configure(connection), metadata))
    finally:
        engine.dispose()
