"""The question log for the owner's admin pages: what visitors asked, what went unanswered,
and answering an unanswered question: with a new FAQ entry, or by teaching the chatbot which
of its entries answers it (routes/taught.py lists and forgets those)."""

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from mysite_chatbot import service
from mysite_chatbot.deps import KnowledgeDep
from mysite_chatbot.models import QuestionLog
from mysite_common.db import DbSession
from mysite_common.errors import ApiError
from mysite_common.identity import OwnerUser

router = APIRouter(prefix="/api/chat/questions", tags=["questions"])

_MAX_FIELD = 50_000
QuestionId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class LoggedQuestionPublic(BaseModel):
    id: int
    question: str
    answer: str
    answered: bool
    confidence: float
    # How often visitors asked it: in the unanswered and answered lists, one line stands for
    # every asking of its wording (the latest is shown); in the whole log 1.
    times_asked: int = 1
    language: str
    mode: str
    fallback_reason: str | None
    sources: list[dict[str, Any]]
    latency_ms: float
    resolved: bool
    faq_id: int | None
    asked_at: datetime
    # The entries offered with a declined question ({key, title}), and the one the visitor
    # picked from them, if any: a hint, not an answer the owner has confirmed.
    suggestions: list[dict[str, str]] = []
    picked: dict[str, str] | None = None

    @classmethod
    def of(
        cls, row: QuestionLog, faq_ids: set[int] | None, times_asked: int = 1
    ) -> "LoggedQuestionPublic":
        try:
            sources = json.loads(row.sources_json)
        except ValueError:
            sources = []
        return cls(
            id=row.id,
            question=row.question,
            answer=row.answer,
            answered=row.answered,
            confidence=row.confidence,
            times_asked=times_asked,
            language=row.language,
            mode=row.mode,
            fallback_reason=row.fallback_reason,
            sources=sources if isinstance(sources, list) else [],
            latency_ms=row.latency_ms,
            resolved=row.resolved,
            faq_id=service.linked_faq_id(row, faq_ids),
            asked_at=row.asked_at,
            suggestions=service.offered_entries(row),
            picked=service.picked_entry(row),
        )


class QuestionPage(BaseModel):
    items: list[LoggedQuestionPublic]
    total: int
    limit: int
    offset: int


class FaqPublic(BaseModel):
    """The entry the site made (its /api/site/faq shape)."""

    id: int
    question: str
    answer: str
    created_at: datetime
    updated_at: datetime


class ToFaqRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    answer: StrictStr = Field(max_length=_MAX_FIELD)
    # The FAQ's question; the visitor's wording when left out.
    question: StrictStr | None = Field(default=None, max_length=_MAX_FIELD)


@router.get("")
def list_questions(
    _owner: OwnerUser,
    db: DbSession,
    knowledge: KnowledgeDep,
    unanswered: bool = False,
    answered: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    order: Literal["newest", "most_asked"] = "newest",
) -> QuestionPage:
    """The log, newest first. With `unanswered=true` the questions waiting for the owner,
    with `answered=true` those the chatbot answered, one per wording; `order=most_asked`
    puts the most asked of them first (in the whole log each line is one asking, so it
    changes nothing there)."""
    if unanswered and answered:
        raise ApiError(
            422, "conflicting_filters", "Ask for unanswered or answered questions, not both."
        )
    rows, total = service.list_questions(
        db,
        unanswered=unanswered,
        answered=answered,
        limit=limit,
        offset=offset,
        most_asked=order == "most_asked",
    )
    faq_ids = knowledge.faq_ids()
    return QuestionPage(
        items=[LoggedQuestionPublic.of(row, faq_ids, times) for row, times in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


class QuestionSummary(BaseModel):
    days: int
    asked: int
    answered: int
    declined: int
    # Of the declined: offered entries to pick, and one of them picked by the visitor.
    declined_with_suggestions: int
    suggestion_picked: int


@router.get("/summary")
def summarize_questions(
    _owner: OwnerUser,
    db: DbSession,
    days: Annotated[int, Query(ge=1, le=365)] = 7,
) -> QuestionSummary:
    """How the chatbot did lately, for the top of the owner's chatbot page."""
    return QuestionSummary(**service.summarize_questions(db, days=days))


@router.post("/{question_id}/faq", status_code=status.HTTP_201_CREATED)
def question_to_faq(
    question_id: QuestionId,
    body: ToFaqRequest,
    _owner: OwnerUser,
    db: DbSession,
    knowledge: KnowledgeDep,
) -> FaqPublic:
    """Creates the entry in the site's FAQ; this replica answers from it at once, the others
    within CHATBOT_SYNC_SECONDS."""
    entry = service.question_to_faq(
        db, knowledge, question_id, answer=body.answer, question=body.question
    )
    knowledge.refresh()
    return FaqPublic.model_validate(entry)


class TeachRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    # An entry's key, as GET /api/chat/entries lists them ("work:0", "faq:3").
    entry_key: StrictStr = Field(min_length=1, max_length=100)


class TaughtPublic(BaseModel):
    id: int
    question: str
    entry_key: str
    title: str  # the entry's title; "" once the profile has no such entry
    created_at: datetime


@router.post("/{question_id}/entry", status_code=status.HTTP_201_CREATED)
def teach_entry(
    question_id: QuestionId,
    body: TeachRequest,
    _owner: OwnerUser,
    db: DbSession,
    knowledge: KnowledgeDep,
) -> TaughtPublic:
    """The entry that answers this question: the chatbot answers it, and questions like it,
    from that entry; this replica at once, the others within CHATBOT_SYNC_SECONDS."""
    taught = service.teach(db, knowledge, question_id, entry_key=body.entry_key)
    knowledge.refresh()
    return TaughtPublic.model_validate(taught)


@router.delete("/{question_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_question(question_id: QuestionId, _owner: OwnerUser, db: DbSession) -> None:
    """Deletes a logged question; one still waiting for the owner takes its repeats (the
    same wording, asked again) with it."""
    service.delete_question(db, question_id)
