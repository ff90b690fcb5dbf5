"""Fixtures every service's tests share, loaded as a pytest plugin (`-p mysite_testing.fixtures`
in pyproject.toml's addopts).

A service's conftest.py names its package with a `service_package` fixture; this plugin gives
it a real database per backend (`database_url`), `start_app`, which starts replicas of its
app, and `clean_database`, which empties the database after each test.
"""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import MetaData

from mysite_common.db import create_db_engine
from mysite_testing.databases import BACKENDS, fresh_database

StartApp = Callable[..., TestClient]


class ServiceDatabases:
    """The databases of a test session, one per (service package, backend), made on first
    use and dropped at the end. Keyed by package: one session may run several services'
    tests, and a session-scoped fixture would hand the first service's database to all."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._urls: dict[tuple[str, str], str] = {}
        self._stack = ExitStack()

    def url(self, package: str, backend: str) -> str:
        if (package, backend) not in self._urls:
            database = fresh_database(backend, package, self._directory)
            self._urls[package, backend] = self._stack.enter_context(database)
        return self._urls[package, backend]

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="session")
def service_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceDatabases]:
    databases = ServiceDatabases(tmp_path_factory.mktemp("databases"))
    yield databases
    databases.close()


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, service_package: str, service_databases: ServiceDatabases
) -> str:
    """A migrated database of the service's own (every test that uses it runs once on each
    backend: a SQLite file, a MariaDB database), emptied after each test that starts an app
    or asks for clean_database."""
    return service_databases.url(service_package, request.param)


def empty_database(url: str) -> None:
    """Deletes every row of every table but Alembic's, children first."""
    engine = create_db_engine(url, for_migrations=True)
    tables = MetaData()
    tables.reflect(engine)
    with engine.begin() as connection:
        for table in reversed(tables.sorted_tables):
            if table.name != "alembic_version":
                connection.execute(table.delete())
    engine.dispose()


@pytest.fixture
def clean_database(database_url: str) -> Iterator[None]:
    """Empties the database after the test, for tests that start their apps themselves."""
    yield
    empty_database(database_url)


@pytest.fixture
def start_app(clean_database: None) -> Iterator[StartApp]:
    """`start_app(app, base_url=...)` starts `app` (its lifespan runs) and returns its client;
    several are several replicas over the same database. After the test every one is stopped
    (then clean_database empties the database)."""
    started: list[TestClient] = []

    def start(app: FastAPI, base_url: str = "http://testserver") -> TestClient:
        client = TestClient(app, base_url=base_url)
        client.__enter__()
        started.append(client)
        return client

    yield start
    for client in reversed(started):
        client.__exit__(None, None, None)
