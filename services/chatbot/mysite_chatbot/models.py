from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from mysite_common.db import UtcDateTime, new_metadata, utcnow

# MariaDB's TEXT stops at 64 KB; a profile with long Markdown summaries can be larger.
LongText = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")

SNAPSHOT_ROW_ID = 1


class Base(DeclarativeBase):
    metadata = new_metadata()


class FaqEntry(Base):
    """The owner's own questions and answers, in whatever language the owner writes."""

    __tablename__ = "faq_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(String(500))
    answer: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class FaqChange(Base):
    """Append-only: one row per FAQ create, edit or delete. Every replica polls max(id) to
    know when to rebuild its index (max(updated_at) would not do: MariaDB's DATETIME keeps
    whole seconds, and a delete leaves no row to date)."""

    __tablename__ = "faq_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    faq_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ProfileSnapshot(Base):
    """The last good profile fetched from the site, so a replica that starts while the site
    is down still answers from it."""

    __tablename__ = "profile_snapshot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    digest: Mapped[str] = mapped_column(String(64))
    etag: Mapped[str | None] = mapped_column(String(256), default=None)
    body: Mapped[str] = mapped_column(LongText)
    fetched_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class QuestionLog(Base):
    """Every question asked, so the owner sees what visitors want and what went unanswered."""

    __tablename__ = "question_log"
    __table_args__ = (
        # The admin's list: unanswered, not yet dealt with, newest first.
        Index("ix_question_log_answered_resolved_asked", "answered", "resolved", "asked_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(String(2000))
    answer: Mapped[str] = mapped_column(Text)
    answered: Mapped[bool] = mapped_column(Boolean)
    confidence: Mapped[float] = mapped_column(Float)
    language: Mapped[str] = mapped_column(String(8))
    latency_ms: Mapped[float] = mapped_column(Float)
    # "offline" or "llm": which one gave the answer the visitor saw.
    mode: Mapped[str] = mapped_column(String(16), default="offline")
    # Why LLM mode fell back to the offline answer ("timeout", "ungrounded", ...), if it did.
    fallback_reason: Mapped[str | None] = mapped_column(String(32), default=None)
    # The cited sources, as the JSON list the visitor received.
    sources_json: Mapped[str] = mapped_column(Text, default="[]")
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    # The FAQ entry the owner wrote from this question, while it exists.
    faq_id: Mapped[int | None] = mapped_column(
        ForeignKey("faq_entries.id", ondelete="SET NULL"), default=None
    )
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
