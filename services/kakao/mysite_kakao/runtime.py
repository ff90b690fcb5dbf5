"""What one replica holds while it runs: settings, database, Kakao client, cipher, clock."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from mysite_common.db import Database, utcnow
from mysite_kakao.config import KakaoSettings
from mysite_kakao.crypto import TokenCipher
from mysite_kakao.kakao_client import KakaoClient

Clock = Callable[[], datetime]


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


@dataclass
class Runtime:
    settings: KakaoSettings
    database: Database
    client: KakaoClient
    cipher: TokenCipher
    # The clock for token lifetimes (tests give the fake Kakao's controllable clock).
    # Leases, backoff and message times use the real clock: they protect against real
    # crashes and real outages.
    clock: Clock = utcnow
    token_lock: ReadWriteLock = field(default_factory=ReadWriteLock)
    # Set when a message is accepted or the connection changes, so delivery starts at once.
    wake: Callable[[], None] = lambda: None
