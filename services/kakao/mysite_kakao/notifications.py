"""The owner's notifications: events reported by the other services become KakaoTalk
messages in the same durable queue as visitors' messages.

1. The service where something happened (site: a guestbook entry; chatbot: a declined
   question) reports it to `POST /internal/notifications`. The event is stored and committed
   before the answer, once per `(kind, event_id)`, so a reporter's retry never tells twice.
2. The delivery worker composes pending events into messages (`compose_due`), under the
   settings row's lock, so one replica at a time does it: every pending event of a kind goes
   into ONE message (a summary when there are several), and the events are marked with the
   message's id in the same transaction that queues it. Each event is told exactly once.
3. The message is delivered like any other (claimed, retried, never lost).

Pacing, which keeps within Kakao's daily quotas: in digest mode a kind gets at most one
message per digest period (an hour); in either mode no more than
KAKAO_NOTIFICATION_DAILY_LIMIT notification messages go out in any 24 hours, after which
events wait and go as one summary. Events wait while Kakao is not connected, so connecting
later brings one summary per kind, not a flood.
"""

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mysite_common.db import Database, utcnow
from mysite_common.errors import ApiError
from mysite_kakao import connection
from mysite_kakao.config import KakaoSettings
from mysite_kakao.kakao import Kakao
from mysite_kakao.locks import ensure_row, lock_row
from mysite_kakao.messages import IDEMPOTENCY_KEY_PATTERN, queued_message
from mysite_kakao.models import (
    NOTIFICATION_KINDS,
    SYSTEM_SENDER_ID,
    Message,
    MessageKind,
    MessageSender,
    NotificationEvent,
    NotificationSettings,
)
from mysite_kakao.text import cut_to_fit, normalize_text

logger = logging.getLogger(__name__)

SETTINGS_ID = 1
MAX_EVENT_TEXT_CHARS = 2000
# The sender of the site's own notifications.
SYSTEM_SENDER = MessageSender(SYSTEM_SENDER_ID, "mysite", "mysite")
MAX_AUTHOR_CHARS = 128
# Events already told are kept this long (a reporter retrying later is still recognised).
KEEP_TOLD_EVENTS_DAYS = 30
# Events that could not be told for this long (Kakao never connected) are dropped.
KEEP_PENDING_EVENTS_DAYS = 30
# Lines listed in a summary; the count says how many there were in all.
SUMMARY_LINES = 20

HEADINGS = {
    MessageKind.guestbook_entry: "📒 방명록 새 글",
    MessageKind.declined_question: "❓ 챗봇이 답하지 못한 질문",
}


class EventOutcome(StrEnum):
    queued = "queued"  # stored; the owner will hear about it
    ignored = "ignored"  # the owner switched this kind off, or Kakao is not configured


@dataclass(frozen=True)
class AcceptedEvent:
    status: EventOutcome
    reason: str | None
    replayed: bool = False


# --- settings --------------------------------------------------------------------------------


def ensure_settings_row(database: Database) -> None:
    ensure_row(database, NotificationSettings, SETTINGS_ID)


def read_settings(session: Session) -> NotificationSettings:
    row = session.get(NotificationSettings, SETTINGS_ID)
    if row is None:
        # Defaults (every kind on, no digest) until the row exists.
        return NotificationSettings(
            id=SETTINGS_ID, guestbook_entry=True, declined_question=True, digest=False
        )
    return row


def _lock_settings(session: Session, database: Database) -> NotificationSettings:
    """The settings row, locked until the transaction ends (one composer at a time)."""
    row = lock_row(session, database, NotificationSettings, SETTINGS_ID)
    if row is None:
        raise RuntimeError("the notification settings row is missing")
    return row


def kind_enabled(row: NotificationSettings, kind: MessageKind) -> bool:
    return bool(getattr(row, kind.value))


def update_settings(
    session: Session, database: Database, changes: dict[str, bool]
) -> NotificationSettings:
    """Applies the owner's changes. A kind switched off forgets its untold events: the owner
    said they do not want to hear about them."""
    ensure_settings_row(database)
    row = _lock_settings(session, database)
    for name, value in changes.items():
        setattr(row, name, value)
    for kind in NOTIFICATION_KINDS:
        if not kind_enabled(row, kind):
            session.execute(
                delete(NotificationEvent).where(
                    NotificationEvent.kind == kind.value, NotificationEvent.message_id.is_(None)
                )
            )
    row.updated_at = utcnow()
    session.commit()
    return row


def pending_counts(session: Session) -> dict[str, int]:
    counts = {kind.value: 0 for kind in NOTIFICATION_KINDS}
    for kind, count in session.execute(
        select(NotificationEvent.kind, func.count(NotificationEvent.id))
        .where(NotificationEvent.message_id.is_(None))
        .group_by(NotificationEvent.kind)
    ):
        counts[kind] = int(count)
    return counts


def notifications_sent_since(session: Session, since: datetime) -> int:
    return int(
        session.scalar(
            select(func.count(Message.id)).where(
                Message.kind != MessageKind.visitor.value, Message.created_at >= since
            )
        )
        or 0
    )


# --- events ------------------------------------------------------------------------------------


def _clean(raw: str, *, field: str, limit: int) -> str:
    text = normalize_text(raw)
    if any(
        unicodedata.category(character) in ("Cc", "Cs") and character not in "\n\t"
        for character in text
    ):
        raise ApiError(
            422,
            "invalid_request",
            f"{field} cannot contain control characters.",
            fields={field: "control_characters"},
        )
    if len(text) > limit:
        raise ApiError(
            422,
            "invalid_request",
            f"{field} can be at most {limit} characters.",
            fields={field: "too_long"},
        )
    return text


def accept_event(
    session: Session,
    kakao: Kakao,
    *,
    kind: MessageKind,
    event_id: str,
    text: str,
    author: str | None,
) -> AcceptedEvent:
    """Stores the event (committed) unless the owner does not want it; a replay of a stored
    event answers as the first time did."""
    if kind not in NOTIFICATION_KINDS:
        raise ApiError(422, "invalid_request", "Unknown kind.", fields={"kind": "unknown"})
    if not IDEMPOTENCY_KEY_PATTERN.fullmatch(event_id):
        raise ApiError(
            422,
            "invalid_request",
            "event_id must be 1 to 128 characters: letters, digits, '.', '_', ':' or '-'.",
            fields={"event_id": "invalid"},
        )
    body = _clean(text, field="text", limit=MAX_EVENT_TEXT_CHARS)
    if not body:
        raise ApiError(422, "invalid_request", "text is empty.", fields={"text": "empty"})
    author_name = _clean(author or "", field="author", limit=MAX_AUTHOR_CHARS) or None
    if not kakao.settings.is_configured:
        # Nobody could ever be told: keep nothing (the admin page says Kakao is not set up).
        return AcceptedEvent(EventOutcome.ignored, "not_configured")
    if not kind_enabled(read_settings(session), kind):
        return AcceptedEvent(EventOutcome.ignored, "disabled")
    existing = _existing_event(session, kind, event_id)
    if existing is not None:
        return AcceptedEvent(EventOutcome.queued, None, replayed=True)
    session.add(
        NotificationEvent(
            kind=kind.value,
            event_key=event_id,
            text=body,
            author=author_name,
            created_at=utcnow(),
        )
    )
    try:
        session.commit()
    except IntegrityError:
        # The same event raced in from a reporter's retry: the other request stored it.
        session.rollback()
        if _existing_event(session, kind, event_id) is None:
            raise
        return AcceptedEvent(EventOutcome.queued, None, replayed=True)
    logger.info("notification event stored", extra={"kind": kind.value})
    return AcceptedEvent(EventOutcome.queued, None)


def _existing_event(session: Session, kind: MessageKind, event_id: str) -> NotificationEvent | None:
    return session.scalar(
        select(NotificationEvent).where(
            NotificationEvent.kind == kind.value, NotificationEvent.event_key == event_id
        )
    )


# --- composing messages ------------------------------------------------------------------------


def _line(event: NotificationEvent) -> str:
    text = " ".join(event.text.split())  # one line per event in a summary
    return f"{event.author}: {text}" if event.author else text


def compose_text(
    kind: MessageKind, shown: list[NotificationEvent], total: int, settings: KakaoSettings
) -> str:
    """The whole text of the message (kept on the site; Kakao gets its first 200 units).
    `shown`: the newest events, oldest first; `total`: how many the message tells of."""
    heading = HEADINGS[kind]
    if total == 1:
        event = shown[0]
        text = (
            f"{heading}\n{event.author}: {event.text}"
            if event.author
            else f"{heading}\n{event.text}"
        )
    else:
        lines = [f"- {_line(event)}" for event in shown]
        if total > len(shown):
            lines.append(f"… 외 {total - len(shown)}건")
        text = f"{heading} {total}건\n" + "\n".join(lines)
    return cut_to_fit(text, settings.max_text_chars)


def _kinds_due(
    session: Session,
    settings: KakaoSettings,
    row: NotificationSettings,
    pending_kinds: set[str],
    now: datetime,
) -> list[MessageKind]:
    """The kinds whose pending events may go now: switched on, their digest period over,
    and within the daily limit."""
    budget = settings.notification_daily_limit - notifications_sent_since(
        session, now - timedelta(days=1)
    )
    due: list[MessageKind] = []
    for kind in NOTIFICATION_KINDS:
        if len(due) >= budget:
            break
        if kind.value not in pending_kinds or not kind_enabled(row, kind):
            continue
        if row.digest:
            last = session.scalar(
                select(func.max(Message.created_at)).where(Message.kind == kind.value)
            )
            period = timedelta(seconds=settings.notification_digest_seconds)
            if last is not None and now - last < period:
                continue
        due.append(kind)
    return due


def _pending_kinds(session: Session) -> set[str]:
    return set(
        session.scalars(
            select(NotificationEvent.kind).where(NotificationEvent.message_id.is_(None)).distinct()
        )
    )


def _queue_message(
    session: Session, settings: KakaoSettings, kind: MessageKind, now: datetime
) -> bool:
    """Queues one message telling of every pending event of `kind`, and marks them with it."""
    pending = (NotificationEvent.kind == kind.value) & NotificationEvent.message_id.is_(None)
    ids = list(
        session.scalars(select(NotificationEvent.id).where(pending).order_by(NotificationEvent.id))
    )
    if not ids:
        return False
    shown = list(
        session.scalars(
            select(NotificationEvent)
            .where(NotificationEvent.id.in_(ids[-SUMMARY_LINES:]))
            .order_by(NotificationEvent.id)
        )
    )
    text = compose_text(kind, shown, len(ids), settings)
    message = queued_message(SYSTEM_SENDER, text, now, kind=kind)
    session.add(message)
    session.flush()
    for start in range(0, len(ids), 500):
        session.execute(
            update(NotificationEvent)
            .where(NotificationEvent.id.in_(ids[start : start + 500]), pending)
            .values(message_id=message.id)
            .execution_options(synchronize_session=False)
        )
    return True


def compose_due(kakao: Kakao) -> int:
    """Turns pending events into queued messages where their time has come; returns how
    many messages it queued. Reads only (no lock, no write) unless something is due, so
    events waiting for the next digest cost a few indexed reads per poll."""
    database = kakao.database
    settings = kakao.settings
    with database.session() as session:
        pending_kinds = _pending_kinds(session)
        if not pending_kinds or not _kinds_due(
            session, settings, read_settings(session), pending_kinds, utcnow()
        ):
            return 0
    queued = 0
    with database.session() as session:
        # Decided again under the lock: another replica may have just done it.
        row = _lock_settings(session, database)
        now = utcnow()
        for kind in _kinds_due(session, settings, row, _pending_kinds(session), now):
            queued += int(_queue_message(session, settings, kind, now))
        session.commit()
    if queued:
        logger.info("notifications queued", extra={"messages": queued})
    return queued


def purge_old_events(database: Database) -> None:
    now = utcnow()
    with database.session() as session:
        session.execute(
            delete(NotificationEvent).where(
                NotificationEvent.message_id.is_not(None),
                NotificationEvent.created_at < now - timedelta(days=KEEP_TOLD_EVENTS_DAYS),
            )
        )
        session.execute(
            delete(NotificationEvent).where(
                NotificationEvent.message_id.is_(None),
                NotificationEvent.created_at < now - timedelta(days=KEEP_PENDING_EVENTS_DAYS),
            )
        )


# --- what the admin page shows ---------------------------------------------------------------


def delivery_state(kakao: Kakao, session: Session) -> connection.ConnectionState:
    """Why notifications do (connected, reconnect_soon) or do not arrive: the connection's
    state."""
    state, _problem = connection.connection_state(
        kakao, connection.read_connection(session), kakao.clock()
    )
    return state


DELIVERING_STATES = (
    connection.ConnectionState.connected,
    connection.ConnectionState.reconnect_soon,
)
