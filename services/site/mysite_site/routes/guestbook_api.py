"""The guestbook API under /api/site/guestbook (the pages use the same service functions)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from mysite_common.db import DbSession
from mysite_common.identity import Identity, OptionalUser
from mysite_common.params import RowId
from mysite_site import guestbook
from mysite_site.deps import CheckedMember, Notifier, Settings
from mysite_site.models import GuestbookEntry

router = APIRouter(prefix="/api/site/guestbook", tags=["guestbook"])


class EntryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Generous here, so the service's own check answers with its clearer message.
    body: StrictStr = Field(max_length=5000)


class Author(BaseModel):
    username: str
    display_name: str
    is_owner: bool


class EntryPublic(BaseModel):
    id: int
    author: Author
    body: str
    created_at: datetime
    updated_at: datetime | None
    can_edit: bool
    can_delete: bool

    @classmethod
    def of(cls, entry: GuestbookEntry, viewer: Identity | None) -> "EntryPublic":
        return cls(
            id=entry.id,
            author=Author(
                username=entry.author_username,
                display_name=entry.author_display_name,
                is_owner=entry.by_owner,
            ),
            body=entry.body,
            created_at=entry.created_at,
            updated_at=entry.updated_at,
            can_edit=guestbook.can_edit(entry, viewer),
            can_delete=guestbook.can_delete(entry, viewer),
        )


class EntryList(BaseModel):
    entries: list[EntryPublic]
    page: int
    pages: int
    total: int
    page_size: int


@router.get("")
def list_entries(
    settings: Settings,
    viewer: OptionalUser,
    db: DbSession,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> EntryList:
    page_size = settings.guestbook_page_size
    listing = guestbook.list_entries(db, page=page, page_size=page_size)
    return EntryList(
        entries=[EntryPublic.of(entry, viewer) for entry in listing.entries],
        page=listing.page,
        pages=listing.pages,
        total=listing.total,
        page_size=page_size,
    )


@router.post("", status_code=status.HTTP_201_CREATED)
def create_entry(
    settings: Settings, notifier: Notifier, body: EntryRequest, member: CheckedMember, db: DbSession
) -> EntryPublic:
    limit = settings.guestbook_entries_per_hour
    entry = guestbook.create_entry(db, member, body.body, max_per_hour=limit)
    guestbook.tell_owner(notifier, entry)
    return EntryPublic.of(entry, member)


@router.put("/{entry_id}")
def edit_entry(
    entry_id: RowId, body: EntryRequest, member: CheckedMember, db: DbSession
) -> EntryPublic:
    entry = guestbook.edit_entry(db, member, entry_id, body.body)
    return EntryPublic.of(entry, member)


@router.delete("/{entry_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_entry(entry_id: RowId, member: CheckedMember, db: DbSession) -> Response:
    guestbook.delete_entry(db, member, entry_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
