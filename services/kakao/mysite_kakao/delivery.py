"""Background delivery: claim due messages, send them to Kakao, record what happened.

Each message is delivered at most once however many replicas run:
- a replica claims rows before sending: `SELECT ... FOR UPDATE SKIP LOCKED` then an UPDATE
  on MariaDB; one atomic `UPDATE ... WHERE id IN (due rows)` on SQLite (one writer at a
  time). The claim stamps a random claim token and a lease (`claimed_until`);
- every later write is guarded by that claim token, and the lease is renewed before each
  send, so a message is only taken over when its replica died (lease lapsed);
- on shutdown a replica finishes the send in flight and hands its other claims back.

Kakao failing is not the message's fault: after a temporary failure the rest of the batch is
handed back and this replica pauses (backoff) before it tries again, so an outage costs one
probe per pause instead of a storm; when Kakao answers again everything flows.
"""

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from prometheus_client import Counter, Gauge
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from mysite_common.db import utcnow
from mysite_kakao import connection, notifications
from mysite_kakao.connection import NotConnectedError
from mysite_kakao.kakao import Kakao
from mysite_kakao.kakao_client import KakaoError, Outcome
from mysite_kakao.models import Message, MessageKind, MessageStatus, OAuthState
from mysite_kakao.text import notification_template, text_template

logger = logging.getLogger(__name__)

DELIVERIES = Counter(
    "mysite_kakao_deliveries_total", "Messages by final or retry outcome", ["outcome"]
)
PAUSED = Gauge("mysite_kakao_delivery_paused", "1 while this replica pauses delivery")


class Result(StrEnum):
    delivered = "delivered"
    failed = "failed"
    retry = "retry"  # this message later; Kakao is having trouble: pause
    wait = "wait"  # the connection needs the owner; message back to the queue
    lost_claim = "lost_claim"


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    attempts: int
    sender_username: str
    sender_display_name: str
    text: str


def backoff_seconds(kakao: Kakao, failures: int) -> float:
    """Exponential backoff with jitter: base * 2^(failures-1), capped, times 0.5..1."""
    settings = kakao.settings
    ceiling = min(
        settings.backoff_max_seconds, settings.backoff_base_seconds * 2 ** max(0, failures - 1)
    )
    return float(ceiling) * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not a secret


class DeliveryWorker:
    """Delivery threads plus one upkeep thread (tokens, expired connect attempts)."""

    def __init__(self, kakao: Kakao) -> None:
        self.kakao = kakao
        self.replica_id = uuid.uuid4().hex[:8]
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._pause_lock = threading.Lock()
        self._paused_until = 0.0  # time.monotonic()
        self._consecutive_failures = 0
        # The lease of the batch this thread is working through: (claim token, until).
        self._local = threading.local()

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        settings = self.kakao.settings
        for index in range(settings.worker_threads):
            self._spawn(self._deliver_forever, f"kakao-delivery-{index}")
        self._spawn(self._upkeep_forever, "kakao-upkeep")

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the sends in flight, hand the other claimed messages back, stop."""
        self._stopping.set()
        self._wake.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._threads.clear()

    def wake(self) -> None:
        self._wake.set()

    # --- loops ----------------------------------------------------------------------------

    def _deliver_forever(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                handled = self.run_once()
                failures = 0
            except SQLAlchemyError:
                # The database went away (restart, failover): wait and go on; nothing is lost
                # because nothing is acknowledged before it is stored.
                failures += 1
                logger.warning("delivery: database error; retrying", exc_info=True)
                self._stopping.wait(min(5.0, 0.2 * 2**failures))
                continue
            except Exception:
                logger.exception("delivery: unexpected error")
                self._stopping.wait(1.0)
                continue
            if handled == 0:
                self._wake.wait(self._idle_wait())
                self._wake.clear()

    def _idle_wait(self) -> float:
        poll = self.kakao.settings.poll_seconds
        pause_left = self._paused_until - time.monotonic()
        return max(0.01, min(poll, pause_left)) if pause_left > 0 else poll

    def _upkeep_forever(self) -> None:
        while not self._stopping.is_set():
            try:
                self.upkeep()
            except Exception:
                logger.warning("kakao upkeep failed; will retry", exc_info=True)
            self._stopping.wait(self.kakao.settings.maintenance_seconds)

    def upkeep(self) -> None:
        connection.keep_tokens_alive(self.kakao)
        notifications.purge_old_events(self.kakao.database)
        with self.kakao.database.session() as session:
            session.execute(
                delete(OAuthState).where(OAuthState.expires_at < utcnow() - timedelta(days=30))
            )

    # --- pausing while Kakao is in trouble ------------------------------------------------

    def _paused(self) -> bool:
        return time.monotonic() < self._paused_until

    def _pause(self) -> None:
        with self._pause_lock:
            self._consecutive_failures += 1
            delay = backoff_seconds(self.kakao, self._consecutive_failures)
            self._paused_until = max(self._paused_until, time.monotonic() + delay)
        PAUSED.set(1)
        logger.info("delivery paused", extra={"seconds": round(delay, 3)})

    def _resume(self) -> None:
        if self._consecutive_failures or self._paused_until:
            with self._pause_lock:
                self._consecutive_failures = 0
                self._paused_until = 0.0
            PAUSED.set(0)

    # --- one round --------------------------------------------------------------------------

    def run_once(self) -> int:
        """Claims one batch of due messages and works through it; returns how many."""
        if self._paused() or self._stopping.is_set():
            return 0
        with self.kakao.database.session() as session:
            if not connection.is_deliverable(self.kakao, session):
                return 0
        # Notifications wait (as events) while Kakao is not connected; now they can go.
        notifications.compose_due(self.kakao)
        claim_token, claimed = self._claim()
        for index, message in enumerate(claimed):
            if self._stopping.is_set() or self._paused():
                self._release(claim_token, [m.id for m in claimed[index:]])
                break
            result = self._deliver(claim_token, message)
            DELIVERIES.labels(result.value).inc()
            if result in (Result.retry, Result.wait):
                self._release(claim_token, [m.id for m in claimed[index + 1 :]])
                break
        return len(claimed)

    def _claim(self) -> tuple[str, list[Claimed]]:
        settings = self.kakao.settings
        claim_token = uuid.uuid4().hex
        now = utcnow()
        lease_until = now + timedelta(seconds=settings.claim_lease_seconds)
        due = or_(
            and_(Message.status == MessageStatus.queued.value, Message.next_attempt_at <= now),
            and_(Message.status == MessageStatus.sending.value, Message.claimed_until < now),
        )
        with self.kakao.database.session() as session:
            claim = (
                update(Message)
                .values(
                    status=MessageStatus.sending.value,
                    claim_token=claim_token,
                    claimed_until=lease_until,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            if self.kakao.database.is_sqlite:
                # One writer at a time: the UPDATE picks and claims in one atomic step.
                due_ids = (
                    select(Message.id)
                    .where(due)
                    .order_by(Message.next_attempt_at, Message.id)
                    .limit(settings.batch_size)
                    .scalar_subquery()
                )
                session.execute(claim.where(Message.id.in_(due_ids)))
            else:
                ids = list(
                    session.scalars(
                        select(Message.id)
                        .where(due)
                        .order_by(Message.next_attempt_at, Message.id)
                        .limit(settings.batch_size)
                        .with_for_update(skip_locked=True)
                    )
                )
                if not ids:
                    return claim_token, []
                session.execute(claim.where(Message.id.in_(ids)))
            session.commit()
            rows = session.execute(
                select(
                    Message.id,
                    Message.kind,
                    Message.attempts,
                    Message.sender_username,
                    Message.sender_display_name,
                    Message.text,
                )
                .where(Message.claim_token == claim_token)
                .order_by(Message.id)
            ).all()
        self._local.lease = (claim_token, lease_until)
        return claim_token, [Claimed(*row) for row in rows]

    def _release(self, claim_token: str, ids: list[int]) -> None:
        """Hands claimed messages back untouched (no attempt was made)."""
        if not ids:
            return
        with self.kakao.database.session() as session:
            session.execute(
                update(Message)
                .where(Message.id.in_(ids), Message.claim_token == claim_token)
                .values(
                    status=MessageStatus.queued.value,
                    claim_token=None,
                    claimed_until=None,
                    updated_at=utcnow(),
                )
                .execution_options(synchronize_session=False)
            )

    def _keep_claim(self, claim_token: str, message_id: int) -> bool:
        """Makes sure the claim outlives the send about to start, renewing it if needed."""
        settings = self.kakao.settings
        now = utcnow()
        # Time one send may take (a refresh included), and a margin for clock skew.
        needed = timedelta(
            seconds=2 * (settings.connect_timeout_seconds + settings.read_timeout_seconds) + 30
        )
        token, lease_until = getattr(self._local, "lease", (None, None))
        if token == claim_token and lease_until is not None and lease_until - now > needed:
            return True  # nobody can take it over before the lease ends: no write needed
        with self.kakao.database.session() as session:
            renewed = session.execute(
                update(Message)
                .where(
                    Message.id == message_id,
                    Message.claim_token == claim_token,
                    Message.status == MessageStatus.sending.value,
                )
                .values(claimed_until=now + timedelta(seconds=settings.claim_lease_seconds))
                .execution_options(synchronize_session=False)
            )
            return getattr(renewed, "rowcount", 0) == 1

    def _finish(
        self,
        claim_token: str,
        message: Claimed,
        *,
        status: MessageStatus,
        sends: int,
        error: KakaoError | None = None,
        error_message: str | None = None,
        next_attempt_at: datetime | None = None,
    ) -> bool:
        now = utcnow()
        values: dict[str, object] = {
            "status": status.value,
            "claim_token": None,
            "claimed_until": None,
            "updated_at": now,
        }
        if sends:
            values["attempts"] = Message.attempts + sends
        if status is MessageStatus.delivered:
            values["delivered_at"] = now
            values["last_error"] = None
            values["last_error_code"] = None
        if status is MessageStatus.failed:
            values["failed_at"] = now
        if error is not None:
            values["last_error_code"] = error.code
            values["last_error"] = (error_message or error.message)[:500]
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        statement = (
            update(Message)
            .where(Message.id == message.id, Message.claim_token == claim_token)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        # What Kakao did must be recorded, or the message would be sent again once the claim
        # lapses: keep trying through a database restart while the claim is ours.
        give_up_at = time.monotonic() + self.kakao.settings.claim_lease_seconds * 0.8
        wait = 0.05
        while True:
            try:
                with self.kakao.database.session() as session:
                    done = getattr(session.execute(statement), "rowcount", 0) == 1
                break
            except SQLAlchemyError:
                if time.monotonic() + wait > give_up_at:
                    raise
                logger.warning(
                    "delivery: could not record the outcome; retrying",
                    extra={"message_id": message.id},
                )
                time.sleep(wait)
                wait = min(wait * 2, 2.0)
        if not done:
            logger.error("delivery: claim lost before finishing", extra={"message_id": message.id})
        elif status is MessageStatus.delivered:
            logger.info(
                "message delivered", extra={"message_id": message.id, "replica": self.replica_id}
            )
        return done

    # --- one message ----------------------------------------------------------------------

    def _template(self, message: Claimed) -> str:
        settings = self.kakao.settings
        if message.kind == MessageKind.visitor.value:
            return text_template(
                sender_display_name=message.sender_display_name,
                sender_username=message.sender_username,
                text=message.text,
                read_url=settings.message_url(message.id) if settings.site_url else "",
                button_title=settings.button_title,
            )
        # A notification links to where the owner sees what happened.
        path = (
            settings.guestbook_path
            if message.kind == MessageKind.guestbook_entry.value
            else settings.questions_path
        )
        return notification_template(
            text=message.text,
            read_url=settings.site_url + path if settings.site_url else "",
            button_title=settings.button_title,
        )

    def _deliver(self, claim_token: str, message: Claimed) -> Result:
        kakao = self.kakao
        template = self._template(message)
        sends = 0
        refreshed_after_401 = False
        seen_version: int | None = None
        for _round in range(4):
            delivered = False
            try:
                with connection.shared_access_token(kakao) as token:
                    if token is not None:
                        if not self._keep_claim(claim_token, message.id):
                            return Result.lost_claim
                        seen_version = token.version
                        sends += 1
                        kakao.client.send_to_me(access_token=token.value, template_object=template)
                        delivered = True
                if delivered:
                    self._finish(claim_token, message, status=MessageStatus.delivered, sends=sends)
                    self._resume()
                    return Result.delivered
                # No usable access token: refresh (or pick up another replica's), then retry.
                connection.refresh_access_token(kakao, seen_version=seen_version)
                seen_version = None
            except NotConnectedError:
                self._finish(claim_token, message, status=MessageStatus.queued, sends=sends)
                return Result.wait
            except KakaoError as exc:
                if exc.outcome is Outcome.refresh and not refreshed_after_401:
                    # -401: refresh (once) and send again.
                    refreshed_after_401 = True
                    try:
                        connection.refresh_access_token(kakao, seen_version=seen_version)
                    except NotConnectedError:
                        self._finish(claim_token, message, status=MessageStatus.queued, sends=sends)
                        return Result.wait
                    except KakaoError as refresh_error:
                        return self._after_failure(claim_token, message, refresh_error, sends)
                    seen_version = None
                    continue
                return self._after_failure(claim_token, message, exc, sends)
        # Kakao keeps handing out tokens that are dead on arrival; treat it as trouble.
        trouble = KakaoError(Outcome.retry, "token_unusable", "Kakao's new token was unusable.")
        return self._after_failure(claim_token, message, trouble, sends)

    def _after_failure(
        self, claim_token: str, message: Claimed, error: KakaoError, sends: int
    ) -> Result:
        kakao = self.kakao
        attempts = message.attempts + sends
        logger.info(
            "delivery failed",
            extra={"message_id": message.id, "kakao_code": error.code, "outcome": error.outcome},
        )
        if error.outcome is Outcome.fatal:
            self._finish(
                claim_token,
                message,
                status=MessageStatus.failed,
                sends=sends,
                error=error,
            )
            return Result.failed
        if error.outcome is Outcome.reconnect:
            # -402 / -3: this message fails with the reason; the connection waits for the
            # owner, and the messages after it wait with it.
            self._finish(
                claim_token, message, status=MessageStatus.failed, sends=sends, error=error
            )
            with connection.locked_connection(kakao) as (_session, row):
                connection._require_reconnect(row, error.code, error.message, kakao.clock())
            return Result.wait
        # Temporary (retry, a second -401) or our configuration (fixed by the owner): later.
        if attempts >= kakao.settings.max_attempts:
            self._finish(
                claim_token,
                message,
                status=MessageStatus.failed,
                sends=sends,
                error=error,
                error_message=f"Gave up after {attempts} attempts: {error.message}",
            )
            self._pause()
            return Result.retry
        self._finish(
            claim_token,
            message,
            status=MessageStatus.queued,
            sends=sends,
            error=error,
            next_attempt_at=utcnow() + timedelta(seconds=backoff_seconds(kakao, attempts)),
        )
        self._pause()
        return Result.retry
