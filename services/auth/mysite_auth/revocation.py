"""Revoked sessions and users, held in memory so verify never waits on the database.

Every replica follows the append-only `revocations` table in a background thread (every
`revocation_poll_seconds`); the replica that revokes applies it to itself at once.
"""

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from mysite_auth.models import Revocation
from mysite_auth.tokens import AccessClaims
from mysite_common.db import Database, utcnow

logger = logging.getLogger(__name__)

# Rows are re-read for this long: ids can commit out of order, and applying twice is harmless.
_REREAD_WINDOW = timedelta(seconds=30)
_HOUSEKEEPING_EVERY = timedelta(minutes=10)


class RevocationCache:
    def __init__(self, database: Database, poll_seconds: float) -> None:
        self._database = database
        self._poll_seconds = poll_seconds
        self._revoked_sessions: dict[str, datetime] = {}
        self._user_not_before: dict[int, int] = {}
        self._cursor = 0
        self._loaded = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_housekeeping = utcnow()

    def is_revoked(self, claims: AccessClaims) -> bool:
        if claims.session_id in self._revoked_sessions:
            return True
        not_before = self._user_not_before.get(claims.identity.user_id)
        return not_before is not None and claims.issued_at < not_before

    def apply(self, revocation: Revocation) -> None:
        if revocation.session_id:
            self._revoked_sessions[revocation.session_id] = revocation.expires_at
        if revocation.user_id is not None and revocation.not_before is not None:
            stamp = int(revocation.not_before.timestamp())
            if stamp > self._user_not_before.get(revocation.user_id, 0):
                self._user_not_before[revocation.user_id] = stamp
        self._cursor = max(self._cursor, revocation.id or 0)

    def sync(self) -> None:
        now = utcnow()
        with self._database.session() as session:
            rows = session.scalars(
                select(Revocation)
                .where(
                    Revocation.expires_at > now,
                    or_(
                        Revocation.id > self._cursor, Revocation.created_at >= now - _REREAD_WINDOW
                    ),
                )
                .order_by(Revocation.id)
            ).all()
        for row in rows:
            self.apply(row)
        self._forget_expired(now)
        self._loaded.set()

    def _forget_expired(self, now: datetime) -> None:
        for session_id, expires_at in list(self._revoked_sessions.items()):
            if expires_at <= now:
                self._revoked_sessions.pop(session_id, None)

    def check_ready(self) -> None:
        if not self._loaded.is_set():
            raise RuntimeError("revocations not loaded yet")

    def start(self, housekeeping: Callable[[], None] | None = None) -> None:
        self._thread = threading.Thread(
            target=self._follow, args=(housekeeping,), name="revocations", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _follow(self, housekeeping: Callable[[], None] | None) -> None:
        while not self._stopping.is_set():
            try:
                self.sync()
                if housekeeping and utcnow() - self._last_housekeeping > _HOUSEKEEPING_EVERY:
                    self._last_housekeeping = utcnow()
                    housekeeping()
            except Exception:
                # Keep serving with what we know; the database will be back.
                logger.warning("could not read revocations; keeping the last known state")
            self._stopping.wait(self._poll_seconds)
