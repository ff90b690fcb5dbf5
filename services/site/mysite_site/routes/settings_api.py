"""The owner's settings for the whole site, under /api/site/admin/settings: today, the theme."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from mysite_common.db import DbSession
from mysite_common.identity import OwnerUser
from mysite_site import themes
from mysite_site.deps import CheckedOwner

router = APIRouter(prefix="/api/site/admin", tags=["site"])

_NO_STORE = {"Cache-Control": "no-store"}


class OwnerSettingsUpdate(BaseModel):
    # Unknown fields are refused rather than ignored: a typo must not look like a success.
    model_config = ConfigDict(extra="forbid")

    theme: themes.Theme


def _settings_body(theme: themes.Theme, **extra: Any) -> dict[str, Any]:
    return {"theme": theme, "themes": list(themes.THEMES), **extra}


@router.get("/settings")
def get_settings(_owner: OwnerUser, db: DbSession) -> JSONResponse:
    return JSONResponse(_settings_body(themes.load_theme(db)), headers=_NO_STORE)


@router.put("/settings")
def put_settings(update: OwnerSettingsUpdate, _owner: CheckedOwner, db: DbSession) -> JSONResponse:
    """Applies to every page at once: the profile's version goes up with the change."""
    version = themes.set_theme(db, update.theme)
    return JSONResponse(_settings_body(update.theme, version=version), headers=_NO_STORE)
