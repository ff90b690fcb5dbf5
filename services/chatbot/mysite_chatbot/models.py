from datetime import datetime

from sqlalchemy import Boolean, Float, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from mysite_common.db import UtcDateTime, new_metadata, utcnow


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


class QuestionLog(Base):
    """Every question asked, so the owner sees what visitors want and what went unanswered."""

    __tablename__ = "question_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(String(2000))
    answer: Mapped[str] = mapped_column(Text)
    answered: Mapped[bool] = mapped_column(Boolean, index=True)
    confidence: Mapped[float] = mapped_column(Float)
    language: Mapped[str] = mapped_column(String(8))
    latency_ms: Mapped[float] = mapped_column(Float)
    mode: Mapped[str] = mapped_column(String(16), default="offline")
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
