"""Revoked sessions and users, held in memory so verify never waits on the database.

Every replica follows the append-only `revocations` table with the shared replica sync
(mysite_common.sync, every `AUTH_SYNC_SECONDS`); the replica that revokes applies it to
itself at once.
"""

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from mysite_auth.models import Revocation
from mysite_auth.tokens import AccessClaims
from mysite_common.db import Database, utcnow
from mysite_common.sync import ReplicaSync

logger = logging.getLogger(__name__)

# Rows are re-read for this long: ids can commit out of order, and applying twice is harmless.
_REREAD_WINDOW = timedelta(seconds=30)
_HOUSEKEEPING_EVERY = timedelta(minutes=10)


class RevocationCache:
    def __init__(
        self,
        database: Database,
        sync_seconds: float,
        housekeeping: Callable[[], None] | None = None,
    ) -> None:
        self._database = database
        self._housekeeping = housekeeping
        self._revoked_sessions: dict[str, datetime] = {}
        self._user_not_before: dict[int, int] = {}
        self._cursor = 0
        self._read_rows: Sequence[Revocation] = ()
        self._last_housekeeping = utcnow()
        # The version is the ids read: a row that commits late, with a lower id than one
        # already applied, changes it too.
        self._sync: ReplicaSync[tuple[int, ...]] = ReplicaSync(
            "revocations", interval_seconds=sync_seconds, check=self._read, reload=self._apply_read
        )

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

    def sync(self) -> bool:
        """Reads the table now (tests; the background thread does it every interval)."""
        return self._sync.sync_now()

    def _read(self) -> tuple[int, ...]:
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
        self._read_rows = rows
        self._run_housekeeping_if_due(now)
        return tuple(row.id for row in rows)

    def _apply_read(self, _version: tuple[int, ...]) -> None:
        rows, self._read_rows = self._read_rows, ()
        for row in rows:
            self.apply(row)
        self._forget_expired(utcnow())

    def _forget_expired(self, now: datetime) -> None:
        for session_id, expires_at in list(self._revoked_sessions.items()):
            if expires_at <= now:
                self._revoked_sessions.pop(session_id, None)

    def _run_housekeeping_if_due(self, now: datetime) -> None:
        if self._housekeeping is None or now - self._last_housekeeping <= _HOUSEKEEPING_EVERY:
            return
        self._last_housekeeping = now
        try:
            self._housekeeping()
        except Exception:
            logger.warning("housekeeping failed; tried again later", exc_info=True)

    def check_ready(self) -> None:
        if self._sync.version is None:
            raise RuntimeError("revocations not loaded yet")

    def start(self) -> None:
        self._sync.start()

    def stop(self) -> None:
        self._sync.stop(timeout=5)
