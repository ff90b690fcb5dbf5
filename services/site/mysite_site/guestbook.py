"""The guestbook: members write entries of at most 500 characters, edit or delete their own;
the owner may delete any. Entries are plain text (never HTML or Markdown)."""

import logging
import math
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mysite_common.db import utcnow
from mysite_common.errors import ApiError
from mysite_common.identity import Identity
from mysite_common.notifications import NotificationSender
from mysite_common.text import clean_text
from mysite_site.models import GuestbookEntry

logger = logging.getLogger(__name__)

MAX_ENTRY_LENGTH = 500
ENTRY_NOT_FOUND = ApiError(404, "entry_not_found", "That guestbook entry does not exist.")


@dataclass(frozen=True)
class EntryPage:
    entries: list[GuestbookEntry]
    page: int
    pages: int
    total: int


def clean_entry_text(raw: str) -> str:
    """Cleaned (mysite_common.text: NFC, line ends, no bidi overrides, trimmed); 1 to 500
    characters (code points)."""
    text = clean_text(raw)
    if not text:
        raise ApiError(422, "entry_empty", "Write something first.", fields={"body": "empty"})
    if len(text) > MAX_ENTRY_LENGTH:
        raise ApiError(
            422,
            "entry_too_long",
            f"An entry can have at most {MAX_ENTRY_LENGTH} characters; this one has {len(text)}.",
            fields={"body": "too long"},
        )
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        raise ApiError(
            422,
            "entry_invalid",
            "The entry contains control characters that cannot be shown.",
            fields={"body": "control characters"},
        )
    return text


def list_entries(session: Session, *, page: int, page_size: int) -> EntryPage:
    total = session.scalar(select(func.count()).select_from(GuestbookEntry)) or 0
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    entries = session.scalars(
        select(GuestbookEntry)
        .order_by(GuestbookEntry.created_at.desc(), GuestbookEntry.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return EntryPage(entries=list(entries), page=page, pages=pages, total=total)


def create_entry(
    session: Session, author: Identity, raw_body: str, *, max_per_hour: int
) -> GuestbookEntry:
    body = clean_entry_text(raw_body)
    since = utcnow() - timedelta(hours=1)
    recent = session.scalar(
        select(func.count())
        .select_from(GuestbookEntry)
        .where(GuestbookEntry.author_id == author.user_id, GuestbookEntry.created_at >= since)
    )
    if (recent or 0) >= max_per_hour and not author.is_owner:
        raise ApiError(
            429,
            "too_many_entries",
            "You have written many entries in the last hour; try again later.",
            headers={"Retry-After": "3600"},
        )
    entry = GuestbookEntry(
        author_id=author.user_id,
        author_username=author.username[:32],
        author_display_name=(author.display_name or author.username)[:64],
        by_owner=author.is_owner,
        body=body,
        created_at=utcnow(),
    )
    session.add(entry)
    session.commit()
    logger.info("guestbook entry written", extra={"entry_id": entry.id})
    return entry


def tell_owner(notifier: NotificationSender, entry: GuestbookEntry) -> None:
    """The owner hears about a new entry through KakaoTalk (not about their own)."""
    if entry.by_owner:
        return
    notifier.notify(
        kind="guestbook_entry",
        # The id with its time, so a database started afresh never repeats an event id.
        event_id=f"guestbook-entry-{entry.id}-{int(entry.created_at.timestamp())}",
        text=entry.body,
        author=entry.author_display_name,
    )


def get_entry(session: Session, entry_id: int) -> GuestbookEntry:
    entry = session.get(GuestbookEntry, entry_id)
    if entry is None:
        raise ENTRY_NOT_FOUND
    return entry


def can_edit(entry: GuestbookEntry, viewer: Identity | None) -> bool:
    return viewer is not None and entry.author_id == viewer.user_id


def can_delete(entry: GuestbookEntry, viewer: Identity | None) -> bool:
    return viewer is not None and (entry.author_id == viewer.user_id or viewer.is_owner)


def edit_entry(session: Session, viewer: Identity, entry_id: int, raw_body: str) -> GuestbookEntry:
    entry = get_entry(session, entry_id)
    if not can_edit(entry, viewer):
        raise ApiError(403, "forbidden", "You can only edit your own entries.")
    entry.body = clean_entry_text(raw_body)
    entry.updated_at = utcnow()
    # The name shown follows the author's current display name.
    entry.author_display_name = (viewer.display_name or viewer.username)[:64]
    session.commit()
    return entry


def delete_entry(session: Session, viewer: Identity, entry_id: int) -> None:
    entry = get_entry(session, entry_id)
    if not can_delete(entry, viewer):
        raise ApiError(403, "forbidden", "You can only delete your own entries.")
    session.execute(delete(GuestbookEntry).where(GuestbookEntry.id == entry_id))
    session.commit()
    logger.info(
        "guestbook entry deleted",
        extra={"entry_id": entry_id, "by_owner": entry.author_id != viewer.user_id},
    )


def page_of_entry(session: Session, entry: GuestbookEntry, page_size: int) -> int:
    """The list page an entry appears on (newest first), to return the visitor there."""
    newer = session.scalar(
        select(func.count())
        .select_from(GuestbookEntry)
        .where(
            (GuestbookEntry.created_at > entry.created_at)
            | ((GuestbookEntry.created_at == entry.created_at) & (GuestbookEntry.id > entry.id))
        )
    )
    return (newer or 0) // page_size + 1
