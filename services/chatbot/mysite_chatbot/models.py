import hashlib
from datetime import datetime

from sqlalchemy import Boolean, Float, Index, Integer, String, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from mysite_chatbot.engine.text import same_question_key
from mysite_common.db import UtcDateTime, new_metadata, utcnow

# MariaDB's TEXT stops at 64 KB; a profile with long Markdown summaries can be larger.
LongText = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")

SNAPSHOT_ROW_ID = 1


def wording_key(question: str) -> str:
    """SHA-256 of a question's wording as the engine compares them (same_question_key):
    "Do you teach online?" and "do you teach online" share it."""
    return hashlib.sha256(same_question_key(question).encode("utf-8")).hexdigest()


class Base(DeclarativeBase):
    metadata = new_metadata()


class LegacyFaqEntry(Base):
    """The owner's FAQ as this database held it before it moved to the site (migration 0002
    renamed the table). At start the chatbot hands these rows to the site and deletes each
    one the site confirmed: the table is empty once that is done."""

    __tablename__ = "faq_entries_legacy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(String(500))
    answer: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class KnowledgeSnapshot(Base):
    """The last good knowledge document (profile, translations, FAQ) fetched from the site,
    so a replica that starts while the site is down still answers from it."""

    __tablename__ = "knowledge_snapshot"

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
        # ...one line per wording, however often it was asked.
        Index("ix_question_log_question_key", "question_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(String(2000))
    # wording_key(question): repeats of one question are listed, answered and dismissed
    # together.
    question_key: Mapped[str] = mapped_column(String(64), default="")
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
    # The site's FAQ entry the owner wrote from this question (no foreign key: the FAQ lives
    # in the site's database; the API shows it only while the entry exists).
    faq_id: Mapped[int | None] = mapped_column(Integer, default=None)
    # The entry in faq_entries_legacy it pointed to before the FAQ moved to the site; becomes
    # `faq_id` once the site has that entry.
    legacy_faq_id: Mapped[int | None] = mapped_column(Integer, default=None)
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    # The random id the visitor's reply carried, so the widget can say which of the
    # suggested entries the visitor picked (POST /api/chat/replies/{reply_id}/pick).
    reply_id: Mapped[str | None] = mapped_column(String(32), default=None, unique=True)
    # The entries offered with a declined question, as [{"key", "title"}], best first.
    suggestions_json: Mapped[str] = mapped_column(Text, default="[]")
    # The offered entry the visitor picked last: a hint for the owner, never taught alone.
    picked_key: Mapped[str | None] = mapped_column(String(100), default=None)


class TaughtQuestion(Base):
    """A visitor's question the owner said an entry of the profile answers (from the
    question log): the engine answers that wording from the entry, and counts it among the
    entry's questions so paraphrases find it too. One row per wording."""

    __tablename__ = "taught_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(String(2000))
    # wording_key(question): teaching the same question again moves it to the new entry
    # instead of adding a row.
    question_key: Mapped[str] = mapped_column(String(64), unique=True)
    # The entry's key ("work:0", "faq:3"); no foreign key: entries are built from the
    # site's document. A key the profile no longer has is kept and ignored.
    entry_key: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
