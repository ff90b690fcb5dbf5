from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from mysite_common.db import UtcDateTime, new_metadata, utcnow

CONNECTION_ID = 1


class Base(DeclarativeBase):
    metadata = new_metadata()


class KakaoConnection(Base):
    """The owner's Kakao connection: one row (id 1), also the lock every token change takes.

    Tokens are stored encrypted (Fernet). `token_version` grows with every change, so a
    replica that waited for the lock can tell that another one already refreshed.
    """

    __tablename__ = "kakao_connection"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    access_token_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    access_token_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    refresh_token_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    refresh_token_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    scopes: Mapped[str] = mapped_column(String(500), default="")
    kakao_user_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    connected_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    last_refresh_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    # Set when only the owner can make it work again (connect again); delivery waits.
    needs_reconnect: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error_code: Mapped[str | None] = mapped_column(String(64), default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    last_error_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    locked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class OAuthState(Base):
    """One connect attempt: the state sent to Kakao, bound to the browser that started it."""

    __tablename__ = "kakao_oauth_states"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    browser_hash: Mapped[str] = mapped_column(String(64))
    owner_user_id: Mapped[int] = mapped_column(Integer)
    code_verifier_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    # Set by the first callback; a reload or double submit sees it and shows `result`.
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    result: Mapped[str | None] = mapped_column(String(64), default=None)
    result_message: Mapped[str | None] = mapped_column(String(500), default=None)


class MessageKind(StrEnum):
    """Who a queued message is from: a visitor, or the site telling the owner what happened."""

    visitor = "visitor"
    guestbook_entry = "guestbook_entry"
    declined_question = "declined_question"


NOTIFICATION_KINDS = (MessageKind.guestbook_entry, MessageKind.declined_question)
# The sender recorded on the site's own notifications (visitors' ids start at 1).
SYSTEM_SENDER_ID = 0


class MessageStatus(StrEnum):
    queued = "queued"
    sending = "sending"
    delivered = "delivered"
    failed = "failed"


@dataclass(frozen=True)
class MessageSender:
    """Who sent a message, as the gateway named them when it was sent."""

    id: int
    username: str
    display_name: str


class Message(Base):
    """A message to the owner, stored before it is acknowledged: a visitor's, or a
    notification (`kind`) composed from notification events."""

    __tablename__ = "kakao_messages"
    __table_args__ = (
        UniqueConstraint("sender_id", "idempotency_key", name="uq_kakao_messages_idempotency"),
        Index("ix_kakao_messages_due", "status", "next_attempt_at"),
        Index("ix_kakao_messages_sender_created", "sender_id", "created_at"),
        Index("ix_kakao_messages_claim_token", "claim_token"),
        Index("ix_kakao_messages_kind_created", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(
        String(32), default=MessageKind.visitor.value, server_default=MessageKind.visitor.value
    )
    sender_id: Mapped[int] = mapped_column(Integer)
    sender_username: Mapped[str] = mapped_column(String(64))
    sender_display_name: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(128), default=None)
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.queued.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32), default=None)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    last_error_code: Mapped[str | None] = mapped_column(String(64), default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)

    @property
    def sender(self) -> MessageSender:
        """The sender as one value; stored as three columns so a message needs no join."""
        return MessageSender(self.sender_id, self.sender_username, self.sender_display_name)


class NotificationSettings(Base):
    """What the owner wants to hear about: one row (id 1), also the lock that makes composing
    notifications one replica's job at a time."""

    __tablename__ = "kakao_notification_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    guestbook_entry: Mapped[bool] = mapped_column(Boolean, default=True)
    declined_question: Mapped[bool] = mapped_column(Boolean, default=True)
    # On: at most one message per kind per digest period, summarising what happened.
    digest: Mapped[bool] = mapped_column(Boolean, default=False)
    locked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class NotificationEvent(Base):
    """Something the owner should hear about, reported by the service where it happened.

    Stored (committed) before the reporter gets its answer; `message_id` is set, in the same
    transaction that queues the message carrying it, so each event is told exactly once.
    """

    __tablename__ = "kakao_notification_events"
    __table_args__ = (
        UniqueConstraint("kind", "event_key", name="uq_kakao_notification_events_key"),
        Index("ix_kakao_notification_events_pending", "message_id", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    # The reporter's id for the event (a retry sends the same one, and is not stored twice).
    event_key: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(128), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    message_id: Mapped[int | None] = mapped_column(Integer, default=None)
