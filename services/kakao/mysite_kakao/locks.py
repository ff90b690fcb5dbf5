"""The token lock (sends share it, a token change holds it alone, within this process and,
on SQLite, across the processes on this host), and the row lock of the service's one-row
tables."""

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mysite_common.db import Database, utcnow
from mysite_kakao.models import KakaoConnection, NotificationSettings

# The one-row tables with a `locked_at` column for SQLite's sake.
OneRow = TypeVar("OneRow", KakaoConnection, NotificationSettings)


def ensure_row(database: Database, table: type[OneRow], row_id: int) -> None:
    """Creates the one row if it is missing; another replica creating it first is fine."""
    with database.session() as session:
        if session.get(table, row_id) is not None:
            return
        session.add(table(id=row_id, updated_at=utcnow()))
        try:
            session.flush()
        except IntegrityError:  # another replica created it first
            session.rollback()


def lock_row(
    session: Session, database: Database, table: type[OneRow], row_id: int
) -> OneRow | None:
    """The row, locked exclusively until the session's transaction ends (None if missing)."""
    if database.is_sqlite:
        # SQLite ignores FOR UPDATE; writing the row takes its one database write lock.
        session.execute(update(table).where(table.id == row_id).values(locked_at=utcnow()))
    return session.scalar(
        select(table)
        .where(table.id == row_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


class ReadWriteLock:
    """Many readers or one writer; a waiting writer holds new readers back.

    In-process half of the token lock: sends read the access token under `read()`, a
    refresh replaces it under `write()`. Across replicas the database row lock does the same
    (LOCK IN SHARE MODE / FOR UPDATE on MariaDB). Not reentrant.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._condition:
            while self._writer or self._writers_waiting:
                self._condition.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._condition:
                self._readers -= 1
                if self._readers == 0:
                    self._condition.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._condition:
            self._writers_waiting += 1
            try:
                while self._writer or self._readers:
                    self._condition.wait()
            finally:
                self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._condition:
                self._writer = False
                self._condition.notify_all()


class TokenGuard:
    """Shared hold for a send, exclusive hold for a token change, in this process and, on
    SQLite, across the processes on this host (a flock on a file beside the database; SQLite
    readers never block its writer, so the database cannot do it). On MariaDB the row lock
    does the cross-replica part."""

    def __init__(self, lock_file: Path | None) -> None:
        self._threads = ReadWriteLock()
        self._lock_file = lock_file

    @classmethod
    def for_database(cls, database_url: str) -> "TokenGuard":
        url = make_url(database_url)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return cls(None)
        return cls(Path(f"{url.database}.kakao-tokens.lock"))

    @contextmanager
    def _file_lock(self, mode: int) -> Iterator[None]:
        if self._lock_file is None:
            yield
            return
        # One open file per hold: flock locks belong to the open file, so threads of one
        # process exclude each other too.
        with open(self._lock_file, "a+b") as handle:
            fcntl.flock(handle.fileno(), mode)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._threads.read(), self._file_lock(fcntl.LOCK_SH):
            yield

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._threads.write(), self._file_lock(fcntl.LOCK_EX):
            yield
