"""The owner's notifications: events in from the other services (`/internal/notifications`,
which the gateway never routes), and the owner's settings (`/api/kakao/notifications/*`)."""

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from mysite_common.db import DbSession
from mysite_common.errors import ApiError
from mysite_common.identity import OwnerUser
from mysite_kakao import notifications
from mysite_kakao.deps import Delivery, KakaoDep
from mysite_kakao.kakao import Kakao
from mysite_kakao.models import MessageKind

internal_router = APIRouter(prefix="/internal/notifications", tags=["internal"])
router = APIRouter(prefix="/api/kakao/notifications", tags=["kakao"])


class EventRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: MessageKind
    # The reporter's own id for the event: a retry with the same id is not told twice.
    event_id: StrictStr = Field(max_length=128)
    # Bounded here so absurd input is refused before any work; the real limit is checked
    # after normalisation.
    text: StrictStr = Field(max_length=20_000)
    author: StrictStr | None = Field(default=None, max_length=1000)


class EventAnswer(BaseModel):
    status: str  # queued | ignored
    # Why it was ignored: "disabled" (the owner switched the kind off), "not_configured".
    reason: str | None


@internal_router.post("", status_code=status.HTTP_202_ACCEPTED)
def report_event(
    body: EventRequest,
    response: Response,
    db: DbSession,
    kakao: KakaoDep,
    delivery: Delivery,
) -> EventAnswer:
    accepted = notifications.accept_event(
        db, kakao, kind=body.kind, event_id=body.event_id, text=body.text, author=body.author
    )
    if accepted.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    elif accepted.status == notifications.EventOutcome.queued:
        delivery.wake()
    if accepted.status == notifications.EventOutcome.ignored:
        response.status_code = status.HTTP_200_OK
    return EventAnswer(status=accepted.status, reason=accepted.reason)


class NotificationSettingsPublic(BaseModel):
    guestbook_entry: bool
    declined_question: bool
    digest: bool
    digest_minutes: int
    daily_limit: int
    # "connected" (or "reconnect_soon"): notifications arrive. Otherwise the connection's
    # state says why none does: not_configured, not_connected, reconnect_required.
    delivery_state: str
    delivering: bool
    # Events waiting to be told, per kind.
    pending: dict[str, int]


class NotificationSettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    guestbook_entry: StrictBool | None = None
    declined_question: StrictBool | None = None
    digest: StrictBool | None = None


def _public(kakao: Kakao, db: DbSession) -> NotificationSettingsPublic:
    row = notifications.read_settings(db)
    state = notifications.delivery_state(kakao, db)
    return NotificationSettingsPublic(
        guestbook_entry=row.guestbook_entry,
        declined_question=row.declined_question,
        digest=row.digest,
        digest_minutes=kakao.settings.notification_digest_seconds // 60,
        daily_limit=kakao.settings.notification_daily_limit,
        delivery_state=state.value,
        delivering=state in notifications.DELIVERING_STATES,
        pending=notifications.pending_counts(db),
    )


@router.get("/settings")
def get_settings(_owner: OwnerUser, db: DbSession, kakao: KakaoDep) -> NotificationSettingsPublic:
    return _public(kakao, db)


@router.put("/settings")
def put_settings(
    body: NotificationSettingsUpdate,
    _owner: OwnerUser,
    db: DbSession,
    kakao: KakaoDep,
    delivery: Delivery,
) -> NotificationSettingsPublic:
    changes = body.model_dump(exclude_none=True)
    if not changes:
        raise ApiError(
            422,
            "invalid_request",
            "Send at least one of guestbook_entry, declined_question, digest (true or false).",
        )
    notifications.update_settings(db, kakao.database, changes)
    db.expire_all()
    delivery.wake()
    return _public(kakao, db)
