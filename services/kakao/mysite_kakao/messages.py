"""Visitors' messages: accepted durably first, delivered later by the delivery worker."""

import logging
import math
import re
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mysite_common.db import utcnow
from mysite_common.errors import ApiError
from mysite_common.identity import Identity
from mysite_kakao.config import KakaoSettings
from mysite_kakao.crypto import sha256_hex
from mysite_kakao.models import Message, MessageKind, MessageSender, MessageStatus
from mysite_kakao.text import normalize_text

logger = logging.getLogger(__name__)

IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_ALLOWED_CONTROLS = {"\n", "\t"}


def validate_text(raw: str, settings: KakaoSettings) -> str:
    text = normalize_text(raw)
    if not text:
        raise ApiError(422, "invalid_text", "Write a message first.", fields={"text": "empty"})
    if len(text) > settings.max_text_chars:
        raise ApiError(
            422,
            "invalid_text",
            f"A message can be at most {settings.max_text_chars} characters.",
            fields={"text": "too_long"},
        )
    if any(
        unicodedata.category(character) in ("Cc", "Cs") and character not in _ALLOWED_CONTROLS
        for character in text
    ):
        raise ApiError(
            422,
            "invalid_text",
            "The message cannot contain control characters.",
            fields={"text": "control_characters"},
        )
    return text


def validate_idempotency_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    if not IDEMPOTENCY_KEY_PATTERN.match(raw):
        raise ApiError(
            422,
            "invalid_idempotency_key",
            "Idempotency-Key must be 1 to 128 characters: letters, digits, '.', '_', ':' or '-' "
            "(a UUID is a good choice).",
            fields={"Idempotency-Key": "invalid"},
        )
    return raw


def _existing(session: Session, sender_id: int, key: str) -> Message | None:
    return session.scalar(
        select(Message).where(Message.sender_id == sender_id, Message.idempotency_key == key)
    )


def _replay(existing: Message, text_hash: str) -> Message:
    if existing.text_sha256 != text_hash:
        raise ApiError(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different message; use a new key.",
            fields={"Idempotency-Key": "reused"},
        )
    return existing


def _check_rate_limit(session: Session, settings: KakaoSettings, sender_id: int) -> None:
    now = utcnow()
    since = now - timedelta(seconds=settings.rate_limit_window_seconds)
    recent = session.execute(
        select(func.count(Message.id), func.min(Message.created_at)).where(
            Message.sender_id == sender_id, Message.created_at >= since
        )
    ).one()
    count, oldest = int(recent[0] or 0), recent[1]
    if count < settings.rate_limit_count:
        return
    retry_after = settings.rate_limit_window_seconds
    if oldest is not None:
        window_end = oldest + timedelta(seconds=settings.rate_limit_window_seconds)
        retry_after = max(1, math.ceil((window_end - now).total_seconds()))
    raise ApiError(
        429,
        "too_many_messages",
        f"You can send {settings.rate_limit_count} messages every "
        f"{_describe_seconds(settings.rate_limit_window_seconds)}; try again in "
        f"{_describe_seconds(retry_after)}.",
        headers={"Retry-After": str(retry_after)},
    )


def _describe_seconds(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "an hour" if hours == 1 else f"{hours} hours"
    if seconds % 60 == 0:
        minutes = seconds // 60
        return "a minute" if minutes == 1 else f"{minutes} minutes"
    return f"{seconds} seconds"


def queued_message(
    sender: MessageSender,
    text: str,
    now: datetime,
    *,
    kind: MessageKind = MessageKind.visitor,
    idempotency_key: str | None = None,
) -> Message:
    """A new message waiting for its first send: a visitor's, or a notification."""
    return Message(
        kind=kind.value,
        sender_id=sender.id,
        sender_username=sender.username[:64],
        sender_display_name=(sender.display_name or sender.username)[:128],
        text=text,
        text_sha256=sha256_hex(text),
        idempotency_key=idempotency_key,
        status=MessageStatus.queued.value,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )


def accept_message(
    session: Session,
    settings: KakaoSettings,
    sender: Identity,
    *,
    text: str,
    idempotency_key: str | None,
) -> tuple[Message, bool]:
    """Stores the message (committed) and returns it, and whether it was a replay."""
    text = validate_text(text, settings)
    key = validate_idempotency_key(idempotency_key)
    text_hash = sha256_hex(text)
    if key is not None:
        existing = _existing(session, sender.user_id, key)
        if existing is not None:
            return _replay(existing, text_hash), True
    _check_rate_limit(session, settings, sender.user_id)
    now = utcnow()
    from_visitor = MessageSender(sender.user_id, sender.username, sender.display_name)
    message = queued_message(from_visitor, text, now, idempotency_key=key)
    session.add(message)
    try:
        session.commit()
    except IntegrityError:
        # The same key raced in from a client retry: the other request stored it.
        session.rollback()
        if key is None:
            raise
        existing = _existing(session, sender.user_id, key)
        if existing is None:
            raise
        return _replay(existing, text_hash), True
    logger.info("message accepted", extra={"message_id": message.id, "sender_id": sender.user_id})
    return message, False


def visible_message(session: Session, viewer: Identity, message_id: int) -> Message:
    message = session.get(Message, message_id)
    if message is None or (not viewer.is_owner and message.sender_id != viewer.user_id):
        raise ApiError(404, "not_found", "No such message.")
    return message


def list_messages(
    session: Session,
    viewer: Identity,
    *,
    status: MessageStatus | None,
    limit: int,
    before_id: int | None,
    mine: bool,
) -> tuple[list[Message], int | None]:
    """Newest first; the owner sees every message (or only their own with `mine`), a member
    their own. Returns the page and the `before_id` of the next page (None at the end)."""
    query = select(Message).order_by(Message.id.desc()).limit(limit + 1)
    if not viewer.is_owner or mine:
        query = query.where(Message.sender_id == viewer.user_id)
    if status is not None:
        query = query.where(Message.status == status.value)
    if before_id is not None:
        query = query.where(Message.id < before_id)
    rows = list(session.scalars(query))
    next_before = rows[limit - 1].id if len(rows) > limit else None
    return rows[:limit], next_before


def retry_failed(session: Session, message_id: int) -> Message:
    message = session.get(Message, message_id)
    if message is None:
        raise ApiError(404, "not_found", "No such message.")
    if message.status != MessageStatus.failed.value:
        raise ApiError(409, "not_failed", "Only a failed message can be sent again.")
    message.status = MessageStatus.queued.value
    message.next_attempt_at = utcnow()
    message.failed_at = None
    message.attempts = 0
    session.commit()
    return message


def status_counts(session: Session) -> dict[str, int]:
    counts = {status.value: 0 for status in MessageStatus}
    for status, count in session.execute(
        select(Message.status, func.count(Message.id)).group_by(Message.status)
    ):
        counts[status] = int(count)
    return counts
