"""What the owner can teach the chatbot from its question log: the entries it answers from
(to choose the one that answers a question, POST /api/chat/questions/{id}/entry), and the
questions taught so far, each of which can be forgotten."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel

from mysite_chatbot import service
from mysite_chatbot.deps import KnowledgeDep
from mysite_chatbot.engine import Entry
from mysite_chatbot.routes.questions import QuestionId, TaughtPublic
from mysite_common.db import DbSession
from mysite_common.identity import OwnerUser

router = APIRouter(prefix="/api/chat", tags=["questions"])

TaughtId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class EntryPublic(BaseModel):
    key: str
    title: str
    type: str  # "profile" or "faq"
    section: str | None  # the profile's section ("work", "basics"...), None for the FAQ

    @classmethod
    def of(cls, entry: Entry) -> "EntryPublic":
        return cls(
            key=entry.key, title=entry.title, type=entry.source.type, section=entry.source.section
        )


class EntryList(BaseModel):
    items: list[EntryPublic]


class SuggestedEntry(EntryPublic):
    score: float  # the re-ranker's probability that this entry answers the question


class SuggestionList(BaseModel):
    items: list[SuggestedEntry]


class TaughtList(BaseModel):
    items: list[TaughtPublic]


@router.get("/entries")
def list_entries(_owner: OwnerUser, knowledge: KnowledgeDep) -> EntryList:
    return EntryList(
        items=[EntryPublic.of(entry) for entry in service.answerable_entries(knowledge)]
    )


@router.get("/questions/{question_id}/suggestions")
def suggest_entries(
    question_id: QuestionId,
    _owner: OwnerUser,
    db: DbSession,
    knowledge: KnowledgeDep,
    count: Annotated[int, Query(ge=1, le=10)] = 3,
) -> SuggestionList:
    """The entries most likely to answer a logged question, best first: the picker offers
    them before the whole profile."""
    return SuggestionList(
        items=[
            SuggestedEntry(**EntryPublic.of(entry).model_dump(), score=round(score, 4))
            for entry, score in service.suggested_entries(db, knowledge, question_id, count=count)
        ]
    )


@router.get("/taught")
def list_taught(_owner: OwnerUser, db: DbSession, knowledge: KnowledgeDep) -> TaughtList:
    return TaughtList(
        items=[TaughtPublic.model_validate(row) for row in service.list_taught(db, knowledge)]
    )


@router.delete("/taught/{taught_id}", status_code=status.HTTP_204_NO_CONTENT)
def forget_taught(
    taught_id: TaughtId, _owner: OwnerUser, db: DbSession, knowledge: KnowledgeDep
) -> None:
    service.forget_taught(db, taught_id)
    knowledge.refresh()
