"""The owner's FAQ under /api/site/faq (anyone reads it: its answers are public through the
chatbot anyway; only the owner changes it), the knowledge document the chatbot polls, and
the hand-over endpoints other services call under /internal/faq (never routed from the
public entry point)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, StrictStr
from starlette.concurrency import run_in_threadpool

from mysite_common.db import DbSession
from mysite_common.errors import ApiError
from mysite_common.params import MAX_ROW_ID, RowId
from mysite_site import faq
from mysite_site.config import SiteSettings
from mysite_site.deps import CheckedOwner, DatabaseDep, Knowledge, Settings

router = APIRouter(prefix="/api/site/faq", tags=["faq"])
knowledge_router = APIRouter(prefix="/api/site", tags=["faq"])
internal_router = APIRouter(prefix="/internal/faq", include_in_schema=False)

# Bounds far above the configured limits, so absurd input is refused before any work and the
# service's own check answers with its clearer message.
_MAX_FIELD = 50_000
# Legacy entries at once: the old FAQ held at most 5000.
_MAX_IMPORT = 5000


class FaqBase(BaseModel):
    model_config = ConfigDict(extra="ignore")

    question: StrictStr = Field(max_length=_MAX_FIELD)
    answer: StrictStr = Field(max_length=_MAX_FIELD)


class FaqCreate(FaqBase):
    pass


class FaqUpdate(FaqBase):
    pass


class FaqPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    question: str
    answer: str
    created_at: datetime
    updated_at: datetime


class FaqList(BaseModel):
    items: list[FaqPublic]


def _checked(settings: SiteSettings, body: FaqBase) -> faq.FaqInput:
    return faq.FaqInput.checked(settings, question=body.question, answer=body.answer)


# --- the owner's API ----------------------------------------------------------------------


@router.get("")
def list_faq(db: DbSession) -> FaqList:
    return FaqList(items=[FaqPublic.model_validate(entry) for entry in faq.list_faqs(db)])


@router.get("/{faq_id}")
def get_faq(faq_id: RowId, db: DbSession) -> FaqPublic:
    return FaqPublic.model_validate(faq.get_faq(db, faq_id))


@router.post("", status_code=status.HTTP_201_CREATED)
def create_faq(
    settings: Settings, body: FaqCreate, _owner: CheckedOwner, db: DbSession
) -> FaqPublic:
    entry = faq.create_faq(db, settings, _checked(settings, body))
    return FaqPublic.model_validate(entry)


@router.put("/{faq_id}")
def update_faq(
    settings: Settings, faq_id: RowId, body: FaqUpdate, _owner: CheckedOwner, db: DbSession
) -> FaqPublic:
    entry = faq.update_faq(db, faq_id, _checked(settings, body))
    return FaqPublic.model_validate(entry)


@router.delete("/{faq_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_faq(faq_id: RowId, _owner: CheckedOwner, db: DbSession) -> Response:
    faq.delete_faq(db, faq_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- the chatbot's document -----------------------------------------------------------------


@knowledge_router.get("/knowledge")
async def knowledge(request: Request, cache: Knowledge) -> Response:
    """Everything the chatbot answers from, as one document: `{version, language, profile,
    translations, faq_revision, faq: [{id, question, answer}]}` (`profile` is null until the
    owner publishes one). The ETag changes with every publish and every FAQ change; answer
    If-None-Match with 304, so a poll that finds nothing new costs next to nothing."""
    try:
        document = await cache.current()
    except Exception as exc:
        raise ApiError(503, "unavailable", "The site's content cannot be read right now.") from exc
    headers = {"ETag": document.etag, "Cache-Control": "no-cache"}
    if document.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(document.body, media_type="application/json", headers=headers)


# --- hand-over from other services (not routed by the gateway's public entry point) -------


class FaqHandOver(FaqBase):
    """An entry another service makes for the owner (a logged question the owner answered):
    `key` names it, so a retry finds the entry instead of making a second one."""

    key: StrictStr = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9:._-]+$")


class HandedOver(FaqPublic):
    created: bool


@internal_router.post("", status_code=status.HTTP_201_CREATED)
def hand_over_faq(
    settings: Settings, body: FaqHandOver, response: Response, db: DbSession
) -> HandedOver:
    """201 with the new entry, or 200 with the one this key made before. The FAQ's limits
    apply as to the owner's own entries."""
    imported = faq.import_faq(db, settings, key=body.key, data=_checked(settings, body))
    if not imported.created:
        response.status_code = status.HTTP_200_OK
    entry = FaqPublic.model_validate(imported.entry)
    return HandedOver(**entry.model_dump(), created=imported.created)


class LegacyFaq(FaqBase):
    """One entry of the chatbot's FAQ from before it moved to the site."""

    legacy_id: int = Field(ge=1, le=MAX_ROW_ID)
    created_at: datetime | None = None
    updated_at: datetime | None = None


class LegacyImport(BaseModel):
    model_config = ConfigDict(extra="ignore")

    entries: Annotated[list[LegacyFaq], Field(max_length=_MAX_IMPORT)]


class ImportedEntry(BaseModel):
    legacy_id: int
    id: int


class RefusedEntry(BaseModel):
    legacy_id: int
    error: str
    message: str


class ImportResult(BaseModel):
    imported: list[ImportedEntry]
    refused: list[RefusedEntry]


def legacy_key(legacy_id: int) -> str:
    return f"chatbot-faq:{legacy_id}"


@internal_router.post("/import")
async def import_legacy_faq(
    settings: Settings, database: DatabaseDep, body: LegacyImport
) -> ImportResult:
    """The chatbot's FAQ entries from before the move, each once however often this is
    called (by legacy id). The size limit does not apply: none of them may be lost. An entry
    that fails the checks is listed under `refused` and stays with the chatbot."""

    def run() -> ImportResult:
        result = ImportResult(imported=[], refused=[])
        for legacy in body.entries:
            try:
                data = faq.FaqInput.checked(
                    settings, question=legacy.question, answer=legacy.answer
                )
                with database.session() as session:
                    imported = faq.import_faq(
                        session,
                        settings,
                        key=legacy_key(legacy.legacy_id),
                        data=data,
                        created_at=legacy.created_at,
                        updated_at=legacy.updated_at,
                        check_room=False,
                    )
                    entry_id = imported.entry.id
            except ApiError as exc:
                result.refused.append(
                    RefusedEntry(legacy_id=legacy.legacy_id, error=exc.code, message=exc.message)
                )
                continue
            result.imported.append(ImportedEntry(legacy_id=legacy.legacy_id, id=entry_id))
        return result

    return await run_in_threadpool(run)
