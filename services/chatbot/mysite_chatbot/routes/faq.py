"""The owner's FAQ under /api/chat/faq: anyone reads it (its answers are public anyway
through the chatbot), only the owner changes it."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from mysite_chatbot import service
from mysite_chatbot.deps import KnowledgeDep, Settings
from mysite_common.db import DbSession
from mysite_common.identity import OwnerUser

router = APIRouter(prefix="/api/chat/faq", tags=["faq"])

# Bounds far above the configured limits, so absurd input is refused before any work.
_MAX_FIELD = 50_000
FaqId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class FaqRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    question: StrictStr = Field(max_length=_MAX_FIELD)
    answer: StrictStr = Field(max_length=_MAX_FIELD)


class FaqPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    question: str
    answer: str
    created_at: datetime
    updated_at: datetime


class FaqList(BaseModel):
    items: list[FaqPublic]


@router.get("")
def list_faq(db: DbSession) -> FaqList:
    return FaqList(items=[FaqPublic.model_validate(entry) for entry in service.list_faqs(db)])


@router.get("/{faq_id}")
def get_faq(faq_id: FaqId, db: DbSession) -> FaqPublic:
    return FaqPublic.model_validate(service.get_faq(db, faq_id))


@router.post("", status_code=status.HTTP_201_CREATED)
def create_faq(
    body: FaqRequest, _owner: OwnerUser, db: DbSession, settings: Settings, knowledge: KnowledgeDep
) -> FaqPublic:
    data = service.FaqInput.checked(settings, question=body.question, answer=body.answer)
    entry = service.create_faq(db, settings, data)
    knowledge.faqs_changed()
    return FaqPublic.model_validate(entry)


@router.put("/{faq_id}")
def update_faq(
    faq_id: FaqId,
    body: FaqRequest,
    _owner: OwnerUser,
    db: DbSession,
    settings: Settings,
    knowledge: KnowledgeDep,
) -> FaqPublic:
    data = service.FaqInput.checked(settings, question=body.question, answer=body.answer)
    entry = service.update_faq(db, faq_id, data)
    knowledge.faqs_changed()
    return FaqPublic.model_validate(entry)


@router.delete("/{faq_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_faq(faq_id: FaqId, _owner: OwnerUser, db: DbSession, knowledge: KnowledgeDep) -> None:
    service.delete_faq(db, faq_id)
    knowledge.faqs_changed()
