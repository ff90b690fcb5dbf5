"""The profile's storage: the published JSON Resume, its translations, the owner's drafts of
each, and the version.

Every change visitors can see (publish, import, translation, photo) raises `version` in the
same transaction; that number is what every replica checks before it serves a cached page.
"""

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mysite_common.db import utcnow
from mysite_common.errors import ApiError
from mysite_site.models import PROFILE_ROW_ID, Profile, ProfileTranslation
from mysite_site.resume import Resume, dump_resume, empty_resume, parse_resume_json, validate_resume
from mysite_site.translations import merge_translation

logger = logging.getLogger(__name__)

NO_DRAFT_CHANGES = ApiError(409, "no_draft", "There is no draft to publish; save one first.")
NO_PROFILE_YET = ApiError(
    409, "no_profile", "Publish the profile in its primary language before translating it."
)


@dataclass(frozen=True)
class PublishedProfile:
    version: int
    resume: Resume
    published_at: datetime | None
    # Language -> the translation as the owner wrote it (not merged).
    translations: dict[str, Resume] = field(default_factory=dict)

    @property
    def exists(self) -> bool:
        return self.version > 0


@dataclass(frozen=True)
class Draft:
    resume: Resume
    has_changes: bool
    updated_at: datetime | None


@dataclass(frozen=True)
class TranslationDraft:
    """A translation's draft, with the primary draft it is merged over."""

    language: str
    translation: Resume
    primary: Resume
    has_changes: bool
    updated_at: datetime | None

    @property
    def resume(self) -> Resume:
        merged: Resume = merge_translation(self.primary, self.translation)
        return merged


def _translation_rows(session: Session) -> list[ProfileTranslation]:
    return list(session.scalars(select(ProfileTranslation).order_by(ProfileTranslation.language)))


def load_published(session: Session) -> PublishedProfile:
    row = session.get(Profile, PROFILE_ROW_ID)
    if row is None:
        return PublishedProfile(version=0, resume=empty_resume(), published_at=None)
    translations = {
        translation.language: json.loads(translation.published_json)
        for translation in _translation_rows(session)
        if translation.published_json is not None
    }
    return PublishedProfile(
        version=row.version,
        resume=json.loads(row.published_json),
        published_at=row.published_at,
        translations=translations,
    )


def load_draft(session: Session) -> Draft:
    row = session.get(Profile, PROFILE_ROW_ID)
    if row is None:
        return Draft(resume=empty_resume(), has_changes=False, updated_at=None)
    published = json.loads(row.published_json)
    if row.draft_json is None:
        return Draft(resume=published, has_changes=False, updated_at=row.draft_updated_at)
    draft = json.loads(row.draft_json)
    return Draft(resume=draft, has_changes=draft != published, updated_at=row.draft_updated_at)


def _locked_row(session: Session) -> Profile | None:
    # The row lock (MariaDB) makes two publishes queue instead of both writing version n+1.
    return session.get(Profile, PROFILE_ROW_ID, with_for_update=True, populate_existing=True)


def _create_row(session: Session, resume: Resume) -> Profile:
    row = Profile(
        id=PROFILE_ROW_ID,
        version=1,
        published_json=dump_resume(resume),
        draft_json=None,
        published_at=utcnow(),
    )
    session.add(row)
    return row


def _commit(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError as exc:  # two first writes raced to create the row
        session.rollback()
        raise ApiError(409, "conflict", "The profile changed at the same time; try again.") from exc


def save_draft(session: Session, resume: Any) -> Draft:
    resume = validate_resume(resume)
    row = _locked_row(session)
    if row is None:
        row = _create_row(session, empty_resume())
    row.draft_json = dump_resume(resume)
    row.draft_updated_at = utcnow()
    _commit(session)
    return load_draft(session)


def discard_draft(session: Session) -> Draft:
    """Drops the primary draft and every translation's draft: back to what visitors see."""
    row = _locked_row(session)
    if row is not None:
        row.draft_json = None
        row.draft_updated_at = utcnow()
        for translation in _translation_rows(session):
            translation.draft_json = None
        _commit(session)
    return load_draft(session)


def publish_draft(session: Session) -> int:
    """The primary draft and every translation's draft become what visitors see, together."""
    row = _locked_row(session)
    translation_drafts = [
        translation for translation in _translation_rows(session) if translation.draft_json
    ]
    if row is None or (row.draft_json is None and not translation_drafts):
        raise NO_DRAFT_CHANGES
    if row.draft_json is not None:
        # Checked again: the schema may be stricter than when the draft was saved.
        validate_resume(json.loads(row.draft_json))
        row.published_json = row.draft_json
        row.draft_json = None
    primary = json.loads(row.published_json)
    for translation in translation_drafts:
        document = json.loads(translation.draft_json or "{}")
        _validate_translation(primary, document)
        translation.published_json = dump_resume(document) if document else None
        translation.draft_json = None
        translation.updated_at = utcnow()
    return _bump(session, row)


# ---------------------------------------------------------------- translations


def _validate_translation(primary: Resume, document: Any) -> Resume:
    """A translation is a JSON Resume of its own, and so is the result of merging it."""
    translation = validate_resume(document)
    validate_resume(merge_translation(primary, translation))
    return translation


def _translation_row(session: Session, language: str) -> ProfileTranslation:
    translation = session.get(ProfileTranslation, language, populate_existing=True)
    if translation is None:
        translation = ProfileTranslation(language=language)
        session.add(translation)
    return translation


def replace_translation(session: Session, language: str, document: Any) -> int:
    """Import of a translation: published at once, its draft dropped. An empty document
    removes the translation (the page then shows the primary profile in that language)."""
    row = _locked_row(session)
    if row is None:
        raise NO_PROFILE_YET
    document = _validate_translation(json.loads(row.published_json), document)
    translation = _translation_row(session, language)
    translation.published_json = dump_resume(document) if document else None
    translation.draft_json = None
    translation.updated_at = utcnow()
    return _bump(session, row)


def load_translation_draft(session: Session, language: str) -> TranslationDraft:
    primary = load_draft(session).resume
    translation = session.get(ProfileTranslation, language, populate_existing=True)
    if translation is None:
        return TranslationDraft(language, {}, primary, has_changes=False, updated_at=None)
    published = json.loads(translation.published_json or "{}")
    if translation.draft_json is None:
        return TranslationDraft(
            language, published, primary, has_changes=False, updated_at=translation.updated_at
        )
    draft = json.loads(translation.draft_json)
    return TranslationDraft(
        language, draft, primary, has_changes=draft != published, updated_at=translation.updated_at
    )


def save_translation_draft(session: Session, language: str, document: Any) -> TranslationDraft:
    row = _locked_row(session)
    if row is None:
        raise NO_PROFILE_YET
    primary = json.loads(row.draft_json or row.published_json)
    document = _validate_translation(primary, document)
    translation = _translation_row(session, language)
    translation.draft_json = dump_resume(document)
    translation.updated_at = utcnow()
    _commit(session)
    return load_translation_draft(session, language)


def discard_translation_draft(session: Session, language: str) -> TranslationDraft:
    row = _locked_row(session)
    translation = session.get(ProfileTranslation, language)
    if row is not None and translation is not None:
        translation.draft_json = None
        translation.updated_at = utcnow()
        _commit(session)
    return load_translation_draft(session, language)


def replace_profile(session: Session, resume: Any) -> int:
    """Import: the document becomes the published profile, and any draft is dropped."""
    resume = validate_resume(resume)
    row = _locked_row(session)
    if row is None:
        row = _create_row(session, resume)
        _commit(session)
        logger.info("profile created", extra={"version": row.version})
        return row.version
    row.published_json = dump_resume(resume)
    row.draft_json = None
    return _bump(session, row)


def set_photo_url(session: Session, url: str | None) -> int:
    """Points basics.image of the published profile (and of the draft) at a photo, or at
    nothing; the photo is published at once."""
    row = _locked_row(session)
    if row is None:
        row = _create_row(session, empty_resume())
        session.flush()
    row.published_json = dump_resume(_with_image(json.loads(row.published_json), url))
    if row.draft_json is not None:
        row.draft_json = dump_resume(_with_image(json.loads(row.draft_json), url))
    return _bump(session, row)


def raise_version(session: Session) -> int:
    """For a change visitors see that is not in the document (the theme): a new version, so
    no replica serves a page it rendered before. Commits the session's other changes too."""
    row = _locked_row(session)
    if row is None:
        row = _create_row(session, empty_resume())
        session.flush()
    return _bump(session, row)


def photo_urls_in_use(session: Session) -> set[str]:
    row = session.get(Profile, PROFILE_ROW_ID)
    if row is None:
        return set()
    urls = set()
    for text in (row.published_json, row.draft_json):
        if text:
            basics = json.loads(text).get("basics")
            if isinstance(basics, dict) and isinstance(basics.get("image"), str):
                urls.add(basics["image"])
    return urls


def _with_image(resume: Resume, url: str | None) -> Resume:
    basics = resume.get("basics")
    if not isinstance(basics, dict):
        basics = {}
    basics = dict(basics)
    if url:
        basics["image"] = url
    else:
        basics.pop("image", None)
    return {**resume, "basics": basics}


def _bump(session: Session, row: Profile) -> int:
    # An SQL expression, so the increment is atomic even where the row lock is a no-op (SQLite).
    row.version = Profile.version + 1  # type: ignore[assignment]
    row.published_at = utcnow()
    row.draft_updated_at = utcnow()
    _commit(session)
    logger.info("profile published", extra={"version": row.version})
    return row.version


def example_resume() -> Resume:
    text = (
        resources.files("mysite_site")
        .joinpath("data/example-profile.json")
        .read_text(encoding="utf-8")
    )
    return parse_resume_json(text)


def seed_example(session: Session) -> bool:
    """Loads the bilingual example profile, only when the site has no profile yet."""
    if session.get(Profile, PROFILE_ROW_ID) is not None:
        return False
    try:
        replace_profile(session, example_resume())
    except ApiError as exc:
        if exc.code == "conflict":  # another replica seeded it a moment ago
            return False
        raise
    return True
