"""The question log: what visitors asked, and turning a question into an entry of the owner's
FAQ, which lives in the site (the chatbot hands it over and answers from the site's
knowledge document)."""

import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mysite_chatbot.knowledge import Knowledge
from mysite_chatbot.models import QuestionLog
from mysite_common.errors import ApiError

logger = logging.getLogger(__name__)

QUESTION_NOT_FOUND = ApiError(404, "question_not_found", "There is no such question in the log.")


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


def linked_faq_id(row: QuestionLog, faq_ids: set[int] | None) -> int | None:
    """The FAQ entry the owner wrote from this question, while the site still has it."""
    if row.faq_id is None or (faq_ids is not None and row.faq_id not in faq_ids):
        return None
    return row.faq_id


def question_to_faq(
    session: Session,
    knowledge: Knowledge,
    question_id: int,
    *,
    answer: str,
    question: str | None = None,
) -> dict[str, Any]:
    """Answers a logged question with a new entry in the site's FAQ (the site checks the
    text and the FAQ's size, as for the owner's own entries) and marks the question
    resolved. The entry's key names the question, so a retry after a failure here finds
    the entry the site already made instead of making a second one."""
    logged = get_question(session, question_id)
    existing = linked_faq_id(logged, knowledge.faq_ids())
    if existing is not None:
        raise ApiError(
            409,
            "already_in_faq",
            f"This question is already answered by FAQ entry {existing}.",
        )
    entry = knowledge.site.hand_over_faq(
        key=f"question:{logged.id}:{int(logged.asked_at.timestamp())}",
        question=question if question is not None else logged.question,
        answer=answer,
    )
    logged.faq_id = entry["id"]
    logged.resolved = True
    session.commit()
    logger.info("question turned into an faq entry", extra={"faq_id": entry["id"]})
    return entry


def delete_question(session: Session, question_id: int) -> None:
    session.delete(get_question(session, question_id))
    session.commit()
