"""The profile API under /api/site: the published JSON Resume (public, cheap to poll), the
owner's import, draft, publish and photo endpoints, and a constant route for benchmarks."""

import json
from email.utils import format_datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile, status
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from mysite_common.db import Database, DbSession
from mysite_common.errors import ApiError
from mysite_common.identity import OwnerUser
from mysite_site import photos, profiles
from mysite_site.config import MAX_PHOTO_BYTES
from mysite_site.freshness import ProfileCache
from mysite_site.web import CheckedOwner

router = APIRouter(prefix="/api/site", tags=["site"])

_HELLO = b"hello\n"
_NO_STORE = {"Cache-Control": "no-store"}


# Matched first, with the home page (see app.py): the comparison is of the two pages' work.
hot_router = APIRouter(prefix="/api/site", tags=["site"])


@hot_router.get("/hello")
async def hello() -> Response:
    """A tiny constant answer: the yardstick `bench/bench_site.py` compares GET / with."""
    return Response(_HELLO, media_type="text/plain")


@router.get("/profile")
async def published_profile(request: Request) -> Response:
    """The published profile as a JSON Resume document. `ETag` changes with every publish
    (answer If-None-Match with 304); `X-Profile-Version` is the version number."""
    cache: ProfileCache = request.app.state.profile_cache
    try:
        profile = await cache.current()
    except Exception as exc:
        raise ApiError(503, "unavailable", "The profile cannot be read right now.") from exc
    if not profile.exists:
        raise ApiError(404, "no_profile", "The owner has not published a profile yet.")
    headers = {
        "ETag": profile.etag,
        "X-Profile-Version": str(profile.version),
        "Cache-Control": "no-cache",
    }
    if profile.published_at is not None:
        headers["Last-Modified"] = format_datetime(profile.published_at, usegmt=True)
    if profile.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(profile.json_bytes, media_type="application/json", headers=headers)


async def _json_body(request: Request) -> Any:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("application/json"):
        raise ApiError(415, "unsupported_media_type", "Send the resume as application/json.")
    raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(422, "invalid_json", "The request body is not valid JSON.") from exc


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def _version_response(version: int, status_code: int = 200) -> JSONResponse:
    return JSONResponse({"version": version}, status_code, headers=_NO_STORE)


@router.put("/profile")
async def import_profile(request: Request, _owner: CheckedOwner) -> JSONResponse:
    """Replaces the published profile with a JSON Resume document (and drops any draft)."""
    document = await _json_body(request)

    def replace() -> int:
        with _database(request).session() as session:
            return profiles.replace_profile(session, document)

    return _version_response(await run_in_threadpool(replace))


def _draft_body(draft: profiles.Draft) -> dict[str, Any]:
    return {
        "resume": draft.resume,
        "has_changes": draft.has_changes,
        "updated_at": draft.updated_at.isoformat() if draft.updated_at else None,
    }


@router.get("/admin/draft")
def get_draft(
    _owner: OwnerUser, db: DbSession, download: Annotated[bool, Query()] = False
) -> JSONResponse:
    draft = profiles.load_draft(db)
    if download:
        return JSONResponse(
            draft.resume,
            headers={**_NO_STORE, "Content-Disposition": 'attachment; filename="resume.json"'},
        )
    return JSONResponse(_draft_body(draft), headers=_NO_STORE)


@router.put("/admin/draft")
async def put_draft(request: Request, _owner: CheckedOwner) -> JSONResponse:
    document = await _json_body(request)

    def save() -> profiles.Draft:
        with _database(request).session() as session:
            return profiles.save_draft(session, document)

    return JSONResponse(_draft_body(await run_in_threadpool(save)), headers=_NO_STORE)


@router.delete("/admin/draft")
def discard_draft(_owner: CheckedOwner, db: DbSession) -> JSONResponse:
    return JSONResponse(_draft_body(profiles.discard_draft(db)), headers=_NO_STORE)


@router.post("/admin/publish")
def publish(_owner: CheckedOwner, db: DbSession) -> JSONResponse:
    return _version_response(profiles.publish_draft(db))


@router.post("/photo", status_code=status.HTTP_201_CREATED)
async def upload_photo(
    request: Request, _owner: CheckedOwner, photo: Annotated[UploadFile, File()]
) -> JSONResponse:
    """A JPEG, PNG or WebP of at most 2 MB, checked by its content; published at once."""
    data = await photo.read(MAX_PHOTO_BYTES + 1)
    prepared = await run_in_threadpool(photos.prepare_photo, data)

    def store() -> int:
        with _database(request).session() as session:
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
async def photo_file(request: Request, digest: str) -> Response:
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ApiError(404, "not_found", "No such photo.")
    cache: photos.PhotoCache = request.app.state.photo_cache
    photo = cache.get(digest)
    if photo is None:

        def load() -> photos.StoredPhoto | None:
            with _database(request).session() as session:
                return photos.load_photo(session, digest)

        photo = await run_in_threadpool(load)
        if photo is None:
            raise ApiError(404, "not_found", "No such photo.")
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
