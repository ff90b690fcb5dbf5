"""The owner's pages under /admin: the profile editor, its preview, the theme, the chatbot's
FAQ, and the KakaoTalk messages. The gateway already keeps others out; the pages check again."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from mysite_common.db import DbSession
from mysite_site import i18n, profiles, themes
from mysite_site.deps import Page
from mysite_site.freshness import LoadedProfile
from mysite_site.links import photo_src
from mysite_site.page import page_response, require_page_owner
from mysite_site.rendering import script_json
from mysite_site.resume import (
    BASICS_FIELDS,
    LOCATION_FIELDS,
    PROFILE_FIELDS,
    SECTIONS,
    Resume,
)
from mysite_site.routes.pages import render_home
from mysite_site.views import profile_view

router = APIRouter(prefix="/admin", include_in_schema=False)

ADMIN_STRINGS = ("admin.", "chatadmin.", "kakao.", "msgpage.", "theme.")


def _translation_language(page: Page, raw: str | None) -> i18n.Language | None:
    """The language being translated into, or None for the primary document."""
    language = i18n.as_language(raw)
    return None if language == page.settings.profile_language else language


@router.get("")
def profile_editor(
    page: Page, db: DbSession, translation: Annotated[str | None, Query(max_length=8)] = None
) -> HTMLResponse:
    """The profile editor; `?translation=ko` edits that translation beside the primary text
    (not `?lang=`, which would also switch the owner's interface language)."""
    require_page_owner(page)
    translating = _translation_language(page, translation)
    draft = profiles.load_draft(db)
    resume = draft.resume
    has_changes = draft.has_changes or any(
        profiles.load_translation_draft(db, language).has_changes
        for language in i18n.LANGUAGES
        if language != page.settings.profile_language
    )
    primary = resume
    if translating is not None:
        resume = profiles.load_translation_draft(db, translating).resume
    basics = resume.get("basics")
    basics = basics if isinstance(basics, dict) else {}
    location = basics.get("location")
    location = location if isinstance(location, dict) else {}
    return page_response(
        page,
        "admin/profile.html",
        script_strings=ADMIN_STRINGS,
        active="admin",
        tab="profile",
        draft=resume,
        draft_json=Markup(script_json(resume)),  # noqa: S704 - escaped for a script data block
        primary_json=Markup(script_json(primary)),  # noqa: S704 - escaped likewise
        translating=translating,
        primary_language=page.settings.profile_language,
        translation_languages=[
            language for language in i18n.LANGUAGES if language != page.settings.profile_language
        ],
        has_changes=has_changes,
        basics=basics,
        location=location,
        photo=photo_src(basics.get("image")),
        basics_fields=BASICS_FIELDS,
        location_fields=LOCATION_FIELDS,
        profile_fields=PROFILE_FIELDS,
        sections=SECTIONS,
    )


@router.get("/preview")
def preview(
    page: Page, db: DbSession, theme: Annotated[themes.Theme | None, Query()] = None
) -> HTMLResponse:
    """The draft as visitors would see it; `?theme=` shows it in a theme not chosen yet."""
    require_page_owner(page)
    draft = profiles.load_draft(db)
    version = page.profile.version if page.profile else 0
    # Every translation's draft too: `?lang=` previews the page in that language.
    translations: dict[str, Resume] = {
        language: translation.translation
        for language in i18n.LANGUAGES
        if language != page.settings.profile_language
        and (translation := profiles.load_translation_draft(db, language)).translation
    }
    loaded = LoadedProfile(
        version=version,
        resume=draft.resume,
        published_at=None,
        json_bytes=b"",
        etag="",
        theme=theme or (page.profile.theme if page.profile else themes.DEFAULT_THEME),
        language=page.settings.profile_language,
        translations=translations,
    )
    response = HTMLResponse(render_home(page, loaded, preview=True))
    response.headers["Cache-Control"] = "private, no-store"
    page.set_csrf_cookie(response)
    return response


@router.get("/theme")
def theme_picker(page: Page) -> HTMLResponse:
    require_page_owner(page)
    resume = page.profile.resume_in(page.language) if page.profile else {}
    return page_response(
        page,
        "admin/theme.html",
        script_strings=ADMIN_STRINGS,
        active="admin",
        tab="theme",
        view=profile_view(resume),
    )


@router.get("/chatbot")
async def chatbot(page: Page) -> HTMLResponse:
    require_page_owner(page)
    return page_response(
        page, "admin/chatbot.html", script_strings=ADMIN_STRINGS, active="admin", tab="chatbot"
    )


@router.get("/messages")
async def messages(page: Page) -> HTMLResponse:
    require_page_owner(page)
    return page_response(
        page, "admin/messages.html", script_strings=ADMIN_STRINGS, active="admin", tab="messages"
    )


@router.get("/messages/{message_id}")
async def message(page: Page, message_id: str) -> HTMLResponse:
    require_page_owner(page)
    # The id is only echoed into the page for its script to fetch; keep it to safe characters.
    safe_id = "".join(c for c in message_id if c.isalnum() or c in "-_")[:64]
    return page_response(
        page,
        "admin/message.html",
        script_strings=ADMIN_STRINGS,
        active="admin",
        tab="messages",
        message_id=safe_id,
    )
