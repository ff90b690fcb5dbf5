"""The profile API under /api/site: the published JSON Resume (public, cheap to poll) in each
language, the owner's import, draft, publish and photo endpoints, and a constant route for
benchmarks."""

import json
from email.utils import format_datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile, status
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from mysite_common.db import DbSession
from mysite_common.errors import ApiError
from mysite_common.identity import OwnerUser
from mysite_site import i18n, photos, profiles
from mysite_site.config import MAX_PHOTO_BYTES, SiteSettings
from mysite_site.deps import CheckedOwner, DatabaseDep, Photos, Profiles, Settings
from mysite_site.freshness import JsonDocument

router = APIRouter(prefix="/api/site", tags=["site"])

_HELLO = b"hello\n"
_NO_STORE = {"Cache-Control": "no-store"}


# Matched first, with the home page (see app.py): the comparison is of the two pages' work.
hot_router = APIRouter(prefix="/api/site", tags=["site"])


@hot_router.get("/hello")
async def hello() -> Response:
    """A tiny constant answer: the yardstick `bench/bench_site.py` compares GET / with."""
    return Response(_HELLO, media_type="text/plain")


LanguageQuery = Annotated[str | None, Query(max_length=8)]


def _any_language(raw: str | None) -> i18n.Language | None:
    if raw is None:
        return None
    language = i18n.as_language(raw)
    if language is None:
        raise ApiError(
            422,
            "invalid_language",
            f"The language must be one of {', '.join(i18n.LANGUAGES)}.",
            fields={"lang": "unknown language"},
        )
    return language


def _translation_language(settings: SiteSettings, raw: str | None) -> str | None:
    """None for the primary document; otherwise a language it may be translated into."""
    language = _any_language(raw)
    if language is not None and language == settings.profile_language:
        raise ApiError(
            422,
            "invalid_language",
            f"{language} is the primary profile's language: send it without ?lang=.",
            fields={"lang": "the primary profile's language"},
        )
    return language


@router.get("/profile")
async def published_profile(
    request: Request,
    profiles: Profiles,
    lang: LanguageQuery = None,
    translations: Annotated[bool, Query()] = False,
) -> Response:
    """The published profile as a JSON Resume document: the primary one, or with `lang` the
    one a visitor reading that language sees (its translation merged over the primary), or
    with `translations=true` every version at once (`{version, language, profile,
    translations}`, for the chatbot). `ETag` changes with every publish (answer If-None-Match
    with 304); `X-Profile-Version` is the version number."""
    language = _any_language(lang)
    try:
        profile = await profiles.current()
    except Exception as exc:
        raise ApiError(503, "unavailable", "The profile cannot be read right now.") from exc
    if not profile.exists:
        raise ApiError(404, "no_profile", "The owner has not published a profile yet.")
    if translations:
        document = profile.bundle()
    elif language is not None:
        document = profile.document(language)
    else:
        document = JsonDocument(profile.json_bytes, profile.etag)
    headers = {
        "ETag": document.etag,
        "X-Profile-Version": str(profile.version),
        "Cache-Control": "no-cache",
    }
    if language is not None:
        headers["Content-Language"] = profile.content_language(language)
    if profile.published_at is not None:
        headers["Last-Modified"] = format_datetime(profile.published_at, usegmt=True)
    if document.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(document.body, media_type="application/json", headers=headers)


async def _json_body(request: Request) -> Any:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("application/json"):
        raise ApiError(415, "unsupported_media_type", "Send the resume as application/json.")
    raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(422, "invalid_json", "The request body is not valid JSON.") from exc


def _version_response(version: int, status_code: int = 200) -> JSONResponse:
    return JSONResponse({"version": version}, status_code, headers=_NO_STORE)


@router.put("/profile")
async def import_profile(
    request: Request,
    settings: Settings,
    database: DatabaseDep,
    _owner: CheckedOwner,
    lang: LanguageQuery = None,
) -> JSONResponse:
    """Replaces the published profile with a JSON Resume document (and drops any draft); with
    `lang`, the translation into that language (merged over the primary document field by
    field; leave out what does not change; `{}` removes the translation)."""
    language = _translation_language(settings, lang)
    document = await _json_body(request)

    def replace() -> int:
        with database.session() as session:
            if language is None:
                return profiles.replace_profile(session, document)
            return profiles.replace_translation(session, language, document)

    return _version_response(await run_in_threadpool(replace))


def _draft_body(draft: profiles.Draft | profiles.TranslationDraft) -> dict[str, Any]:
    body = {
        "resume": draft.resume,
        "has_changes": draft.has_changes,
        "updated_at": draft.updated_at.isoformat() if draft.updated_at else None,
    }
    if isinstance(draft, profiles.TranslationDraft):
        # resume is the merged document; these are its two halves.
        body.update(language=draft.language, translation=draft.translation, primary=draft.primary)
    return body


def _load_draft(db: DbSession, language: str | None) -> profiles.Draft | profiles.TranslationDraft:
    if language is None:
        return profiles.load_draft(db)
    return profiles.load_translation_draft(db, language)


@router.get("/admin/draft")
def get_draft(
    settings: Settings,
    _owner: OwnerUser,
    db: DbSession,
    download: Annotated[bool, Query()] = False,
    lang: LanguageQuery = None,
) -> JSONResponse:
    """The owner's draft; with `lang`, that translation's draft merged over the primary draft
    (`translation` is the translation alone). `download=1`: the resume as a file."""
    language = _translation_language(settings, lang)
    draft = _load_draft(db, language)
    if download:
        name = f"resume-draft.{language}.json" if language else "resume-draft.json"
        return JSONResponse(
            draft.resume,
            headers={**_NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'},
        )
    return JSONResponse(_draft_body(draft), headers=_NO_STORE)


@router.put("/admin/draft")
async def put_draft(
    request: Request,
    settings: Settings,
    database: DatabaseDep,
    _owner: CheckedOwner,
    lang: LanguageQuery = None,
) -> JSONResponse:
    """Saves the draft; with `lang`, the translation's draft (what differs from the primary)."""
    language = _translation_language(settings, lang)
    document = await _json_body(request)

    def save() -> profiles.Draft | profiles.TranslationDraft:
        with database.session() as session:
            if language is None:
                return profiles.save_draft(session, document)
            return profiles.save_translation_draft(session, language, document)

    return JSONResponse(_draft_body(await run_in_threadpool(save)), headers=_NO_STORE)


@router.delete("/admin/draft")
def discard_draft(
    settings: Settings, _owner: CheckedOwner, db: DbSession, lang: LanguageQuery = None
) -> JSONResponse:
    """Discards every draft (the primary's and the translations'); with `lang`, only that
    translation's."""
    language = _translation_language(settings, lang)
    if language is None:
        return JSONResponse(_draft_body(profiles.discard_draft(db)), headers=_NO_STORE)
    draft = profiles.discard_translation_draft(db, language)
    return JSONResponse(_draft_body(draft), headers=_NO_STORE)


@router.post("/admin/publish")
def publish(_owner: CheckedOwner, db: DbSession) -> JSONResponse:
    return _version_response(profiles.publish_draft(db))


@router.post("/photo", status_code=status.HTTP_201_CREATED)
async def upload_photo(
    database: DatabaseDep, _owner: CheckedOwner, photo: Annotated[UploadFile, File()]
) -> JSONResponse:
    """A JPEG, PNG or WebP of at most 2 MB, checked by its content; published at once."""
    data = await photo.read(MAX_PHOTO_BYTES + 1)
    prepared = await run_in_threadpool(photos.prepare_photo, data)

    def store() -> int:
        with database.session() as session:
            return photos.store_photo(session, prepared)

    version = await run_in_threadpool(store)
    return JSONResponse(
        {
            "url": prepared.url,
            "content_type": prepared.content_type,
            "width": prepared.width,
            "height": prepared.height,
            "version": version,
        },
        status.HTTP_201_CREATED,
        headers=_NO_STORE,
    )


@router.delete("/photo")
def delete_photo(_owner: CheckedOwner, db: DbSession) -> JSONResponse:
    return _version_response(photos.remove_photo(db))


@router.get("/photo/{digest}")
async def photo_file(
    request: Request, cache: Photos, database: DatabaseDep, digest: str
) -> Response:
    photo = cache.get(digest)
    if photo is None:
        photo = await photos.read_photo(database, digest)
        cache.put(photo)
    headers = {
        # The address is the content's hash: it can never change.
        "Cache-Control": "public, max-age=31536000, immutable",
        "ETag": f'"{digest[:32]}"',
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    return Response(photo.data, media_type=photo.content_type, headers=headers)
