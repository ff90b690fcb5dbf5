"""The public pages: the profile, the guestbook, the login/signup/logout forms, the language
switch, and the error pages the gateway shows."""

import hashlib
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from mysite_common.db import DbSession
from mysite_common.errors import ApiError
from mysite_common.params import RowId
from mysite_site import guestbook, i18n
from mysite_site.config import SiteSettings
from mysite_site.csrf import CSRF_PLACEHOLDER
from mysite_site.deps import CsrfChecked, Notifier, Page, Profiles, page_context
from mysite_site.error_pages import ERROR_PAGE_STATUSES, error_page
from mysite_site.freshness import LoadedProfile
from mysite_site.links import safe_next
from mysite_site.models import GuestbookEntry
from mysite_site.page import PageContext, page_response, redirect, require_page_member
from mysite_site.translations import summary_translated, untranslated_items
from mysite_site.views import ProfileView, profile_view

router = APIRouter(include_in_schema=False)
# The home page and the benchmark's yardstick are matched before every other route.
hot_router = APIRouter(include_in_schema=False)

HOME_SCRIPT_STRINGS = ("chat.", "message.")
_PLACEHOLDER = CSRF_PLACEHOLDER.encode()
ONE_YEAR = 365 * 24 * 3600


def _profile_view(profile: LoadedProfile, language: i18n.Language) -> ProfileView:
    """The profile in the visitor's language; the parts in another language (untranslated,
    or no translation at all) are marked with theirs."""
    if language == profile.language:
        return profile_view(profile.resume)
    translation = profile.translations.get(language, {})
    return profile_view(
        profile.resume_in(language),
        untranslated=untranslated_items(profile.resume, translation),
        summary_untranslated=not summary_translated(translation),
        basics_untranslated=not translation.get("basics"),
        fallback_language=profile.language,
    )


def render_home(page: PageContext, profile: LoadedProfile, *, preview: bool = False) -> str:
    return page.templates.render(
        "home.html",
        page,
        csrf_token=page.csrf_token if preview else CSRF_PLACEHOLDER,
        script_strings=HOME_SCRIPT_STRINGS,
        active="home",
        view=_profile_view(profile, page.language),
        preview=preview,
        theme=profile.theme,
        # The cached page must not depend on the query string it was first asked with.
        current_path="/",
        login_url="/login?next=/",
    )


@hot_router.get("/")
async def home(request: Request, cache: Profiles) -> Response:
    # The page context is built here rather than injected: this is the hottest route, and
    # it saves the dependency machinery's share of each request.
    page = await page_context(request)
    profile = page.profile
    if profile is None:
        raise ApiError(503, "unavailable", "The profile cannot be read right now.")
    key = ("home", page.language, page.viewer_key)
    cached = cache.cached_page(profile, key)
    if cached is None:
        cached = cache.store_page(profile, key, render_home(page, profile).encode())
    token_tag = hashlib.sha256(page.csrf_token.encode()).hexdigest()[:8]
    etag = f'W/"{cached.digest}-{token_tag}"'
    headers = {
        "ETag": etag,
        # Revalidate every time (cheap: a 304), so an edit shows up at once.
        "Cache-Control": "private, no-cache",
        "Vary": "Cookie, Accept-Language",
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    response = Response(
        cached.body.replace(_PLACEHOLDER, page.csrf_token.encode()),
        media_type="text/html; charset=utf-8",
        headers=headers,
    )
    page.set_csrf_cookie(response)
    return response


# ---------------------------------------------------------------- guestbook


def _guestbook_page(
    page: PageContext,
    db: DbSession,
    number: int,
    *,
    status_code: int = 200,
    error: str | None = None,
    draft: str = "",
) -> HTMLResponse:
    settings: SiteSettings = page.settings
    listing = guestbook.list_entries(db, page=number, page_size=settings.guestbook_page_size)
    viewer = page.viewer

    def can_edit(entry: GuestbookEntry) -> bool:
        return guestbook.can_edit(entry, viewer)

    def can_delete(entry: GuestbookEntry) -> bool:
        return guestbook.can_delete(entry, viewer)

    return page_response(
        page,
        "guestbook.html",
        status_code=status_code,
        active="guestbook",
        entries=listing.entries,
        page=listing.page,
        pages=listing.pages,
        can_edit=can_edit,
        can_delete=can_delete,
        error=error,
        draft=draft,
    )


def _error_text(page: PageContext, exc: ApiError) -> str:
    key = f"guestbook.error.{exc.code}"
    return page.t(key) if key in i18n.MESSAGES else exc.message


@router.get("/guestbook")
def guestbook_list(
    page: Page, db: DbSession, number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1
) -> HTMLResponse:
    return _guestbook_page(page, db, number)


@router.post("/guestbook", dependencies=[CsrfChecked])
def guestbook_write(
    page: Page, notifier: Notifier, db: DbSession, body: Annotated[str, Form(max_length=5000)] = ""
) -> Response:
    viewer = require_page_member(page)
    try:
        entry = guestbook.create_entry(
            db, viewer, body, max_per_hour=page.settings.guestbook_entries_per_hour
        )
    except ApiError as exc:
        if exc.status_code in (422, 429):
            return _guestbook_page(
                page, db, 1, status_code=exc.status_code, error=_error_text(page, exc), draft=body
            )
        raise
    guestbook.tell_owner(notifier, entry)
    return redirect(f"/guestbook#entry-{entry.id}")


@router.get("/guestbook/{entry_id}/edit")
def guestbook_edit_form(page: Page, db: DbSession, entry_id: RowId) -> HTMLResponse:
    viewer = require_page_member(page)
    entry = guestbook.get_entry(db, entry_id)
    if not guestbook.can_edit(entry, viewer):
        raise ApiError(403, "forbidden", "You can only edit your own entries.")
    return page_response(page, "guestbook_edit.html", active="guestbook", entry=entry,
                         error=None, draft=entry.body)  # fmt: skip


@router.post("/guestbook/{entry_id}/edit", dependencies=[CsrfChecked])
def guestbook_edit(
    page: Page, db: DbSession, entry_id: RowId, body: Annotated[str, Form(max_length=5000)] = ""
) -> Response:
    viewer = require_page_member(page)
    try:
        entry = guestbook.edit_entry(db, viewer, entry_id, body)
    except ApiError as exc:
        if exc.status_code == 422:
            entry = guestbook.get_entry(db, entry_id)
            return page_response(
                page,
                "guestbook_edit.html",
                status_code=422,
                active="guestbook",
                entry=entry,
                error=_error_text(page, exc),
                draft=body,
            )
        raise
    number = guestbook.page_of_entry(db, entry, page.settings.guestbook_page_size)
    return redirect(f"/guestbook?page={number}#entry-{entry.id}")


@router.post("/guestbook/{entry_id}/delete", dependencies=[CsrfChecked])
def guestbook_delete(
    page: Page,
    db: DbSession,
    entry_id: RowId,
    number: Annotated[int, Form(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    viewer = require_page_member(page)
    guestbook.delete_entry(db, viewer, entry_id)
    return redirect(f"/guestbook?page={number}" if number > 1 else "/guestbook")


# ---------------------------------------------------------------- login, signup, logout


@router.get("/login")
async def login_form(
    page: Page, next_path: Annotated[str | None, Query(alias="next", max_length=2048)] = None
) -> HTMLResponse:
    return page_response(
        page, "login.html", next=safe_next(next_path), script_strings=("login.", "form.")
    )


@router.get("/signup")
async def signup_form(
    page: Page, next_path: Annotated[str | None, Query(alias="next", max_length=2048)] = None
) -> HTMLResponse:
    return page_response(
        page,
        "signup.html",
        next=safe_next(next_path),
        script_strings=("login.", "signup.", "form."),
    )


@router.get("/logout")
async def logout_form(
    page: Page, next_path: Annotated[str | None, Query(alias="next", max_length=2048)] = None
) -> HTMLResponse:
    return page_response(
        page, "logout.html", next=safe_next(next_path), script_strings=("logout.",)
    )


@router.post("/login")
@router.post("/signup")
@router.post("/logout")
async def auth_form_without_script(request: Request) -> Response:
    """The forms talk to the auth API from the page's script; a browser without scripts
    lands here and is sent back to the form, which says that scripts are needed."""
    return redirect(request.url.path)


# ---------------------------------------------------------------- language


@router.post("/lang", dependencies=[CsrfChecked])
async def switch_language(
    page: Page,
    lang: Annotated[str, Form(max_length=8)],
    next_path: Annotated[str, Form(alias="next", max_length=2048)] = "/",
) -> Response:
    language = i18n.as_language(lang)
    if language is None:
        raise ApiError(400, "invalid_language", "Choose ko or en.")
    response = redirect(safe_next(next_path))
    response.set_cookie(
        i18n.LANGUAGE_COOKIE,
        language,
        max_age=ONE_YEAR,
        path="/",
        secure=page.settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
    return response


# ---------------------------------------------------------------- error pages for the gateway


@router.get("/errors/{status_code}")
async def gateway_error_page(
    request: Request,
    status_code: int,
    url: Annotated[str | None, Query(max_length=4096)] = None,
) -> HTMLResponse:
    """The page the gateway shows for an error on a page route (its `errors` middleware)."""
    if status_code not in ERROR_PAGE_STATUSES:
        status_code = 500 if status_code >= 500 else 404
    original = "/"
    if url:
        # The original address, so "Log in" on a 401 page returns the visitor there.
        parts = urlsplit(url)
        original = safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))
    return await error_page(request, status_code, login_next=original)
