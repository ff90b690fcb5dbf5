"""The question log: what visitors asked, and the owner's two ways to answer a question the
chatbot missed: a new entry of the owner's FAQ, which lives in the site (the chatbot hands
it over and answers from the site's knowledge document), or teaching the chatbot which
entry it already has answers it."""

import json
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    delete,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mysite_chatbot.engine import Entry
from mysite_chatbot.knowledge import Knowledge
from mysite_chatbot.models import QuestionLog, TaughtQuestion, wording_key
from mysite_common.db import utcnow
from mysite_common.errors import ApiError

logger = logging.getLogger(__name__)

QUESTION_NOT_FOUND = ApiError(404, "question_not_found", "There is no such question in the log.")
TAUGHT_NOT_FOUND = ApiError(404, "taught_question_not_found", "There is no such taught question.")
REPLY_NOT_FOUND = ApiError(
    404, "reply_not_found", "There is no such reply, or the question log no longer keeps it."
)
NOT_OFFERED = ApiError(422, "not_offered", "That entry was not offered with this reply.")
UNKNOWN_ENTRY = ApiError(
    422, "unknown_entry", "The chatbot has no such entry; choose one of GET /api/chat/entries."
)


# --- the question log -----------------------------------------------------------------------


# The questions the chatbot declined that the owner has not dealt with yet.
_WAITING = (QuestionLog.answered.is_(False), QuestionLog.resolved.is_(False))
_NEWEST_FIRST = (QuestionLog.asked_at.desc(), QuestionLog.id.desc())


def list_questions(
    session: Session,
    *,
    unanswered: bool,
    limit: int,
    offset: int,
    most_asked: bool = False,
    answered: bool = False,
) -> tuple[list[tuple[QuestionLog, int]], int]:
    """Newest first, each with how often it was asked. Every question; or with `unanswered`
    the ones waiting for the owner, or with `answered` the ones the chatbot answered, one
    per wording (its latest asking): a question many visitors ask is one line of the
    owner's list, not many; with `most_asked`, the most asked of them first (what
    answering helps the most visitors, what the chatbot says most often)."""
    if not unanswered and not answered:
        total = session.scalar(select(func.count(QuestionLog.id))) or 0
        rows = session.scalars(
            select(QuestionLog).order_by(*_NEWEST_FIRST).limit(limit).offset(offset)
        )
        return [(row, 1) for row in rows], total
    # A row an older replica logged during an upgrade has no key: it stands alone.
    wording = case(
        (QuestionLog.question_key == "", literal("row:") + cast(QuestionLog.id, String)),
        else_=QuestionLog.question_key,
    )
    chosen = _WAITING if unanswered else (QuestionLog.answered.is_(True),)
    latest = (
        select(func.max(QuestionLog.id).label("id"), func.count(QuestionLog.id).label("times"))
        .where(*chosen)
        .group_by(wording)
        .subquery()
    )
    total = session.scalar(select(func.count()).select_from(latest)) or 0
    found = session.execute(
        select(QuestionLog, latest.c.times)
        .join(latest, QuestionLog.id == latest.c.id)
        .order_by(*((latest.c.times.desc(), *_NEWEST_FIRST) if most_asked else _NEWEST_FIRST))
        .limit(limit)
        .offset(offset)
    )
    return [(row, int(times)) for row, times in found], total


def _waiting_repeats(logged: QuestionLog) -> ColumnElement[bool]:
    """The other askings of ``logged``'s wording still waiting for the owner: dealing with a
    question deals with them too."""
    return and_(
        QuestionLog.question_key == logged.question_key,
        QuestionLog.question_key != "",
        QuestionLog.id != logged.id,
        *_WAITING,
    )


def _resolve_repeats(session: Session, logged: QuestionLog) -> None:
    session.execute(
        update(QuestionLog)
        .where(_waiting_repeats(logged))
        .values(resolved=True)
        .execution_options(synchronize_session=False)
    )


def summarize_questions(session: Session, *, days: int) -> dict[str, int]:
    """How the chatbot did over the last ``days``: questions asked, answered, declined, and
    of the declined ones how many came with entries offered and how many with one picked."""
    # Only a declined reply offers suggestions, so only it has a reply id.
    offered = QuestionLog.reply_id.is_not(None)
    row = session.execute(
        select(
            func.count(QuestionLog.id),
            func.count(case((QuestionLog.answered.is_(True), 1))),
            func.count(case((offered, 1))),
            func.count(case((and_(offered, QuestionLog.picked_key.is_not(None)), 1))),
        ).where(QuestionLog.asked_at >= utcnow() - timedelta(days=days))
    ).one()
    asked, answered, offered_count, picked = (int(value) for value in row)
    return {
        "days": days,
        "asked": asked,
        "answered": answered,
        "declined": asked - answered,
        "declined_with_suggestions": offered_count,
        "suggestion_picked": picked,
    }


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
    _resolve_repeats(session, logged)
    session.commit()
    logger.info("question turned into an faq entry", extra={"faq_id": entry["id"]})
    return entry


def offered_entries(row: QuestionLog) -> list[dict[str, str]]:
    """The entries offered with a logged reply, as [{"key", "title"}], best first."""
    try:
        offered = json.loads(row.suggestions_json or "[]")
    except ValueError:
        return []
    if not isinstance(offered, list):
        return []
    return [
        {"key": str(item["key"]), "title": str(item.get("title", ""))}
        for item in offered
        if isinstance(item, dict) and "key" in item
    ]


def picked_entry(row: QuestionLog) -> dict[str, str] | None:
    """The offered entry the visitor picked, if any."""
    return next((item for item in offered_entries(row) if item["key"] == row.picked_key), None)


def pick_suggestion(session: Session, reply_id: str, *, entry_key: str) -> None:
    """Records which of a reply's suggestions the visitor picked (the last pick counts).
    The reply's row is written within a second of the answer (question_log.py); a pick
    before that is a 404, which the widget tries again."""
    row = session.scalar(select(QuestionLog).where(QuestionLog.reply_id == reply_id))
    if row is None:
        raise REPLY_NOT_FOUND
    if entry_key not in {item["key"] for item in offered_entries(row)}:
        raise NOT_OFFERED
    row.picked_key = entry_key
    session.commit()


def delete_question(session: Session, question_id: int) -> None:
    """Deletes a logged question; dismissing one waiting for the owner dismisses its
    repeats too (list_questions shows them as one)."""
    logged = get_question(session, question_id)
    if not logged.answered and not logged.resolved:
        session.execute(
            delete(QuestionLog)
            .where(_waiting_repeats(logged))
            .execution_options(synchronize_session=False)
        )
    session.delete(logged)
    session.commit()


# --- teaching: which entry answers a logged question ---------------------------------------


def answerable_entries(knowledge: Knowledge) -> list[Entry]:
    """The entries the chatbot answers from now (profile items and FAQ), in profile order."""
    return [entry for entry in knowledge.engine.entries if entry.source.type != "smalltalk"]


def suggested_entries(
    session: Session, knowledge: Knowledge, question_id: int, *, count: int
) -> list[tuple[Entry, float]]:
    """The entries the engine ranks best for a logged question, with the re-ranker's
    probability: the owner's likely choice when teaching it."""
    logged = get_question(session, question_id)
    return knowledge.engine.top_entries(logged.question, count)


def taught_public(row: TaughtQuestion, titles: dict[str, str]) -> dict[str, Any]:
    """A taught question with its entry's title, "" once the profile has no such entry."""
    return {
        "id": row.id,
        "question": row.question,
        "entry_key": row.entry_key,
        "title": titles.get(row.entry_key, ""),
        "created_at": row.created_at,
    }


def _entry_titles(knowledge: Knowledge) -> dict[str, str]:
    return {entry.key: entry.title for entry in answerable_entries(knowledge)}


def teach(
    session: Session, knowledge: Knowledge, question_id: int, *, entry_key: str
) -> dict[str, Any]:
    """Says that the entry ``entry_key`` answers a logged question, and marks it resolved.
    The same wording taught again moves to the new entry (one row per wording)."""
    logged = get_question(session, question_id)
    titles = _entry_titles(knowledge)
    if entry_key not in titles:
        raise UNKNOWN_ENTRY
    question_key = wording_key(logged.question)
    row = session.scalar(select(TaughtQuestion).where(TaughtQuestion.question_key == question_key))
    if row is None:
        row = TaughtQuestion(question=logged.question, question_key=question_key)
        session.add(row)
    row.entry_key = entry_key
    row.created_at = utcnow()
    logged.resolved = True
    _resolve_repeats(session, logged)
    try:
        session.commit()
    except IntegrityError:
        # Another replica taught the same wording at the same moment.
        session.rollback()
        raise ApiError(
            409, "taught_concurrently", "The question was just taught; reload and try again."
        ) from None
    logger.info("question taught", extra={"entry_key": entry_key, "taught_id": row.id})
    return taught_public(row, titles)


def list_taught(session: Session, knowledge: Knowledge) -> list[dict[str, Any]]:
    """Newest first."""
    titles = _entry_titles(knowledge)
    rows = session.scalars(
        select(TaughtQuestion).order_by(TaughtQuestion.created_at.desc(), TaughtQuestion.id.desc())
    )
    return [taught_public(row, titles) for row in rows]


def forget_taught(session: Session, taught_id: int) -> None:
    row = session.get(TaughtQuestion, taught_id)
    if row is None:
        raise TAUGHT_NOT_FOUND
    session.delete(row)
    session.commit()
