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


class MessageStatus(StrEnum):
    queued = "queued"
    sending = "sending"
    delivered = "delivered"
    failed = "failed"


class Message(Base):
    """A visitor's message to the owner, stored before it is acknowledged."""

    __tablename__ = "kakao_messages"
    __table_args__ = (
        UniqueConstraint("sender_id", "idempotency_key", name="uq_kakao_messages_idempotency"),
        Index("ix_kakao_messages_due", "status", "next_attempt_at"),
        Index("ix_kakao_messages_sender_created", "sender_id", "created_at"),
        Index("ix_kakao_messages_claim_token", "claim_token"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
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
