"""The site's own tables: the profile (published and draft), its photo, the guestbook, and the
owner's settings for how the site looks."""

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, LargeBinary, String, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from mysite_common.db import UtcDateTime, new_metadata, utcnow

# MariaDB's TEXT and BLOB stop at 64 KB; a resume with Markdown, or a photo, can be larger.
LongText = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
LongBlob = LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb")

PROFILE_ROW_ID = 1


class Base(DeclarativeBase):
    metadata = new_metadata()


class Profile(Base):
    """The one profile of the site, as JSON Resume text: what visitors see and the owner's draft.

    `version` goes up on every change visitors can see; every replica compares it with the
    version of the page it cached, so none serves a stale page after an edit.
    """

    __tablename__ = "profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    published_json: Mapped[str] = mapped_column(LongText)
    draft_json: Mapped[str | None] = mapped_column(LongText, default=None)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    draft_updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)


class ProfileTranslation(Base):
    """The profile in another language: a JSON Resume merged over the primary one (see
    translations.py), published and draft like the profile. Publishing one raises the
    profile's `version`, so every replica's cached pages follow."""

    __tablename__ = "profile_translations"

    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    published_json: Mapped[str | None] = mapped_column(LongText, default=None)
    draft_json: Mapped[str | None] = mapped_column(LongText, default=None)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Photo(Base):
    """Profile photos, re-encoded and stored here so replicas keep no files of their own."""

    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # sha256 of the stored bytes: the photo's URL, so it can be cached forever.
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LongBlob)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class GuestbookEntry(Base):
    __tablename__ = "guestbook_entries"
    __table_args__ = (
        Index("ix_guestbook_entries_created_id", "created_at", "id"),
        Index("ix_guestbook_entries_author_created", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The auth service's user id; no foreign key, as accounts live in the auth database.
    author_id: Mapped[int] = mapped_column(Integer)
    author_username: Mapped[str] = mapped_column(String(32))
    author_display_name: Mapped[str] = mapped_column(String(64))
    by_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)


class OwnerSettings(Base):
    """The owner's choices for the whole site (one row): today, the theme."""

    __tablename__ = "owner_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    theme: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class FaqEntry(Base):
    """The owner's own questions and answers, which the chatbot answers from (issue 12: the
    owner's content has one home, the site)."""

    __tablename__ = "faq_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(String(500))
    answer: Mapped[str] = mapped_column(Text)
    # Set when the entry came from another service (the chatbot's FAQ before it moved here,
    # a question from its log): the same key again finds this entry instead of a copy.
    import_key: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


FAQ_REVISION_ROW_ID = 1


class FaqRevision(Base):
    """One row: a number raised in the same transaction as every FAQ change, so one small
    read tells whether the FAQ changed (a delete leaves no row to date, and MariaDB keeps
    whole seconds)."""

    __tablename__ = "faq_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(Integer, default=0)
