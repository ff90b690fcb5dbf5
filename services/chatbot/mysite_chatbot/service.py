"""The owner's FAQ and the question log: the chatbot's data as plain functions."""

import logging
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mysite_chatbot.config import ChatbotSettings
from mysite_chatbot.models import FaqChange, FaqEntry, QuestionLog
from mysite_common.db import utcnow
from mysite_common.errors import ApiError

logger = logging.getLogger(__name__)

FAQ_NOT_FOUND = ApiError(404, "faq_not_found", "There is no such FAQ entry.")
QUESTION_NOT_FOUND = ApiError(404, "question_not_found", "There is no such question in the log.")


def _clean_owner_text(raw: str, *, field: str, max_chars: int, multiline: bool) -> str:
    """NFC, trimmed; newlines kept in answers; any other control character is refused."""
    if any(0xD800 <= ord(character) <= 0xDFFF for character in raw):
        raise ApiError(
            422,
            "invalid_text",
            f"The {field} contains characters that are not valid text.",
            fields={field: "invalid characters"},
        )
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = " ".join(text.split())
    text = text.strip()
    allowed = "\n\t" if multiline else ""
    if any(
        unicodedata.category(character) == "Cc" and character not in allowed for character in text
    ):
        raise ApiError(
            422,
            "invalid_text",
            f"The {field} cannot contain control characters.",
            fields={field: "control characters"},
        )
    if not text:
        raise ApiError(422, "empty_text", f"The {field} cannot be empty.", fields={field: "empty"})
    if len(text) > max_chars:
        raise ApiError(
            422,
            "text_too_long",
            f"The {field} can be at most {max_chars} characters long; it has {len(text)}.",
            fields={field: f"at most {max_chars} characters"},
        )
    return text


@dataclass(frozen=True)
class FaqInput:
    question: str
    answer: str

    @classmethod
    def checked(cls, settings: ChatbotSettings, *, question: str, answer: str) -> "FaqInput":
        return cls(
            question=_clean_owner_text(
                question,
                field="question",
                max_chars=settings.max_faq_question_chars,
                multiline=False,
            ),
            answer=_clean_owner_text(
                answer, field="answer", max_chars=settings.max_faq_answer_chars, multiline=True
            ),
        )


# --- FAQ ----------------------------------------------------------------------------------


def list_faqs(session: Session) -> list[FaqEntry]:
    return list(session.scalars(select(FaqEntry).order_by(FaqEntry.id)))


def get_faq(session: Session, faq_id: int) -> FaqEntry:
    entry = session.get(FaqEntry, faq_id)
    if entry is None:
        raise FAQ_NOT_FOUND
    return entry


def _record_change(session: Session, faq_id: int, action: str) -> None:
    # In the same transaction as the change itself: replicas never see one without the other.
    session.add(FaqChange(faq_id=faq_id, action=action))


def _check_room(session: Session, settings: ChatbotSettings) -> None:
    count = session.scalar(select(func.count(FaqEntry.id))) or 0
    if count >= settings.max_faq_entries:
        raise ApiError(
            409,
            "faq_full",
            f"The FAQ holds at most {settings.max_faq_entries} entries; delete one first.",
        )


def create_faq(session: Session, settings: ChatbotSettings, data: FaqInput) -> FaqEntry:
    _check_room(session, settings)
    now = utcnow()
    entry = FaqEntry(question=data.question, answer=data.answer, created_at=now, updated_at=now)
    session.add(entry)
    session.flush()
    _record_change(session, entry.id, "create")
    session.commit()
    session.refresh(entry)  # answer with what is stored (MariaDB keeps whole seconds)
    logger.info("faq entry created", extra={"faq_id": entry.id})
    return entry


def update_faq(session: Session, faq_id: int, data: FaqInput) -> FaqEntry:
    entry = get_faq(session, faq_id)
    entry.question = data.question
    entry.answer = data.answer
    _record_change(session, entry.id, "update")
    session.commit()
    session.refresh(entry)
    logger.info("faq entry updated", extra={"faq_id": entry.id})
    return entry


def delete_faq(session: Session, faq_id: int) -> None:
    entry = get_faq(session, faq_id)
    session.delete(entry)
    _record_change(session, faq_id, "delete")
    session.commit()
    logger.info("faq entry deleted", extra={"faq_id": faq_id})


# --- the question log -----------------------------------------------------------------------


def list_questions(
    session: Session, *, unanswered: bool, limit: int, offset: int
) -> tuple[list[QuestionLog], int]:
    """Newest first; `unanswered` keeps the ones the chatbot could not answer and the owner
    has not dealt with yet."""
    conditions = []
    if unanswered:
        conditions = [QuestionLog.answered.is_(False), QuestionLog.resolved.is_(False)]
    total = session.scalar(select(func.count(QuestionLog.id)).where(*conditions)) or 0
    rows = session.scalars(
        select(QuestionLog)
        .where(*conditions)
        .order_by(QuestionLog.asked_at.desc(), QuestionLog.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def get_question(session: Session, question_id: int) -> QuestionLog:
    row = session.get(QuestionLog, question_id)
    if row is None:
        raise QUESTION_NOT_FOUND
    return row


def question_to_faq(
    session: Session,
    settings: ChatbotSettings,
    question_id: int,
    *,
    answer: str,
    question: str | None = None,
) -> FaqEntry:
    """Answers a logged question with a new FAQ entry and marks the question resolved."""
    logged = get_question(session, question_id)
    if logged.faq_id is not None:
        raise ApiError(
            409,
            "already_in_faq",
            f"This question is already answered by FAQ entry {logged.faq_id}.",
        )
    data = FaqInput.checked(
        settings, question=question if question is not None else logged.question, answer=answer
    )
    _check_room(session, settings)
    now = utcnow()
    entry = FaqEntry(question=data.question, answer=data.answer, created_at=now, updated_at=now)
    session.add(entry)
    session.flush()
    logged.faq_id = entry.id
    logged.resolved = True
    _record_change(session, entry.id, "create")
    session.commit()
    session.refresh(entry)
    logger.info("question turned into an faq entry", extra={"faq_id": entry.id})
    return entry


def delete_question(session: Session, question_id: int) -> None:
    session.delete(get_question(session, question_id))
    session.commit()
