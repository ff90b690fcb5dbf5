"""Visitors' messages to the owner: /api/kakao/messages."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status
from pydantic import BaseModel, ConfigDict, StrictStr

from mysite_common.db import DbSession
from mysite_common.identity import CurrentUser, OwnerUser
from mysite_common.params import MAX_ROW_ID, RowId
from mysite_kakao import messages
from mysite_kakao.deps import Delivery, Settings
from mysite_kakao.models import MessageStatus

router = APIRouter(prefix="/api/kakao/messages", tags=["kakao"])


class MessageRequest(BaseModel):
    # Bounded here so absurd input is refused before any work; the real limit
    # (KAKAO_MAX_TEXT_CHARS) is checked after normalisation.
    text: StrictStr


class Sender(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str


class MessagePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    # "visitor", or the notification it carries: "guestbook_entry", "declined_question".
    kind: str
    status: str
    text: str
    sender: Sender
    attempts: int
    last_error: str | None
    last_error_code: str | None
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None
    failed_at: datetime | None


class MessagePage(BaseModel):
    items: list[MessagePublic]
    next_before_id: int | None


@router.post("", status_code=status.HTTP_202_ACCEPTED)
def send_message(
    body: MessageRequest,
    sender: CurrentUser,
    response: Response,
    db: DbSession,
    settings: Settings,
    delivery: Delivery,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> MessagePublic:
    message, replayed = messages.accept_message(
        db, settings, sender, text=body.text, idempotency_key=idempotency_key
    )
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    else:
        delivery.wake()
    response.headers["Location"] = f"/api/kakao/messages/{message.id}"
    return MessagePublic.model_validate(message)


@router.get("")
def list_messages(
    viewer: CurrentUser,
    db: DbSession,
    status_filter: Annotated[MessageStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    mine: bool = False,
) -> MessagePage:
    rows, next_before = messages.list_messages(
        db, viewer, status=status_filter, limit=limit, before_id=before_id, mine=mine
    )
    return MessagePage(
        items=[MessagePublic.model_validate(row) for row in rows], next_before_id=next_before
    )


@router.get("/{message_id}")
def get_message(message_id: RowId, viewer: CurrentUser, db: DbSession) -> MessagePublic:
    return MessagePublic.model_validate(messages.visible_message(db, viewer, message_id))


@router.post("/{message_id}/retry", status_code=status.HTTP_202_ACCEPTED)
def retry_message(
    message_id: RowId, _owner: OwnerUser, db: DbSession, delivery: Delivery
) -> MessagePublic:
    message = messages.retry_failed(db, message_id)
    delivery.wake()
    return MessagePublic.model_validate(message)
