"""The owner's FAQ: plain functions over the `faq_entries` table.

Every change raises the one `faq_revision` number in the same transaction, so the chatbot's
poll of the knowledge document (knowledge.py) learns of it with one small read. Entries
other services hand over (the chatbot's FAQ from before it moved here, a question from its
log) carry an `import_key`: the same key again finds the entry it made, so a retried
import never makes a copy.
"""

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mysite_common.db import utcnow
from mysite_common.errors import ApiError
from mysite_common.text import clean_text
from mysite_site.config import SiteSettings
from mysite_site.models import FAQ_REVISION_ROW_ID, FaqEntry, FaqRevision

logger = logging.getLogger(__name__)

FAQ_NOT_FOUND = ApiError(404, "faq_not_found", "There is no such FAQ entry.")


def _checked_text(raw: str, *, field: str, max_chars: int, multiline: bool) -> str:
    """The shared cleaning (NFC, line ends, no bidi overrides, trimmed); then one line for a
    question, newlines kept in an answer, any other control character refused."""
    if any(0xD800 <= ord(character) <= 0xDFFF for character in raw):
        raise ApiError(
            422,
            "invalid_text",
            f"The {field} contains characters that are not valid text.",
            fields={field: "invalid characters"},
        )
    text = clean_text(raw)
    if not multiline:
        text = " ".join(text.split())
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
    """A question and its answer, checked against the site's limits."""

    question: str
    answer: str

    @classmethod
    def checked(cls, settings: SiteSettings, *, question: str, answer: str) -> "FaqInput":
        return cls(
            question=_checked_text(
                question,
                field="question",
                max_chars=settings.max_faq_question_chars,
                multiline=False,
            ),
            answer=_checked_text(
                answer, field="answer", max_chars=settings.max_faq_answer_chars, multiline=True
            ),
        )


# --- reading ---------------------------------------------------------------------------------


def list_faqs(session: Session) -> list[FaqEntry]:
    return list(session.scalars(select(FaqEntry).order_by(FaqEntry.id)))


def get_faq(session: Session, faq_id: int) -> FaqEntry:
    entry = session.get(FaqEntry, faq_id)
    if entry is None:
        raise FAQ_NOT_FOUND
    return entry


def load_revision(session: Session) -> int:
    revision = session.scalar(
        select(FaqRevision.revision).where(FaqRevision.id == FAQ_REVISION_ROW_ID)
    )
    return int(revision or 0)


# --- changing --------------------------------------------------------------------------------


def _raise_revision(session: Session) -> None:
    # In the same transaction as the change: a reader never sees one without the other. The
    # row lock this takes also puts concurrent FAQ changes one after another.
    result = session.execute(
        update(FaqRevision)
        .where(FaqRevision.id == FAQ_REVISION_ROW_ID)
        .values(revision=FaqRevision.revision + 1)
    )
    if not getattr(result, "rowcount", 0):
        session.add(FaqRevision(id=FAQ_REVISION_ROW_ID, revision=1))


def _check_room(session: Session, settings: SiteSettings) -> None:
    count = session.scalar(select(func.count(FaqEntry.id))) or 0
    if count >= settings.max_faq_entries:
        raise ApiError(
            409,
            "faq_full",
            f"The FAQ holds at most {settings.max_faq_entries} entries; delete one first.",
        )


def create_faq(session: Session, settings: SiteSettings, data: FaqInput) -> FaqEntry:
    _check_room(session, settings)
    now = utcnow()
    entry = FaqEntry(question=data.question, answer=data.answer, created_at=now, updated_at=now)
    session.add(entry)
    session.flush()
    _raise_revision(session)
    session.commit()
    session.refresh(entry)  # answer with what is stored (MariaDB keeps whole seconds)
    logger.info("faq entry created", extra={"faq_id": entry.id})
    return entry


def update_faq(session: Session, faq_id: int, data: FaqInput) -> FaqEntry:
    entry = get_faq(session, faq_id)
    entry.question = data.question
    entry.answer = data.answer
    entry.updated_at = utcnow()
    _raise_revision(session)
    session.commit()
    session.refresh(entry)
    logger.info("faq entry updated", extra={"faq_id": entry.id})
    return entry


def delete_faq(session: Session, faq_id: int) -> None:
    entry = get_faq(session, faq_id)
    session.delete(entry)
    _raise_revision(session)
    session.commit()
    logger.info("faq entry deleted", extra={"faq_id": faq_id})


@dataclass(frozen=True)
class ImportedFaq:
    entry: FaqEntry
    created: bool  # False: the key was known, this is the entry it made before


def import_faq(
    session: Session,
    settings: SiteSettings,
    *,
    key: str,
    data: FaqInput,
    created_at: datetime | None = None,
    updated_at: datetime | None = None,
    check_room: bool = True,
) -> ImportedFaq:
    """The entry another service hands over, once per `key`. `check_room=False` for entries
    that existed before the FAQ moved here: none of them may be lost to the size limit."""
    existing = session.scalar(select(FaqEntry).where(FaqEntry.import_key == key))
    if existing is not None:
        return ImportedFaq(existing, created=False)
    if check_room:
        _check_room(session, settings)
    now = utcnow()
    entry = FaqEntry(
        question=data.question,
        answer=data.answer,
        import_key=key,
        created_at=created_at or now,
        updated_at=updated_at or created_at or now,
    )
    session.add(entry)
    try:
        session.flush()
    except IntegrityError:
        # Another replica imported the same key at the same moment: theirs is the one.
        session.rollback()
        existing = session.scalar(select(FaqEntry).where(FaqEntry.import_key == key))
        if existing is None:
            raise
        return ImportedFaq(existing, created=False)
    _raise_revision(session)
    session.commit()
    session.refresh(entry)
    logger.info("faq entry imported", extra={"faq_id": entry.id})
    return ImportedFaq(entry, created=True)
