"""The page a visitor gets: what every page knows (language, visitor, CSRF token, profile),
the HTML response around a template, and the checks of pages only members or the owner see."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from mysite_common.errors import ApiError
from mysite_common.identity import Identity
from mysite_site import i18n
from mysite_site.config import SiteSettings
from mysite_site.csrf import set_csrf_cookie
from mysite_site.freshness import LoadedProfile
from mysite_site.rendering import Templates


@dataclass
class PageContext:
    request: Request
    settings: SiteSettings
    templates: Templates
    language: i18n.Language
    viewer: Identity | None
    csrf_token: str
    csrf_is_new: bool
    profile: LoadedProfile | None

    @property
    def t(self) -> i18n.Translate:
        return i18n.translator(self.language)

    @property
    def viewer_key(self) -> tuple[int, str, str, str] | None:
        viewer = self.viewer
        if viewer is None:
            return None
        return (viewer.user_id, viewer.username, viewer.role.value, viewer.display_name)

    @property
    def current_path(self) -> str:
        """This page's address without `?lang=`: where the language switch returns to (the
        visitor's new choice must not be overridden by the old address)."""
        url = self.request.url
        query = [(name, value) for name, value in self.request.query_params.multi_items()]
        kept = [(name, value) for name, value in query if name != "lang"]
        if len(kept) == len(query):
            return url.path + (f"?{url.query}" if url.query else "")
        return url.path + (f"?{urlencode(kept)}" if kept else "")

    def login_url(self, next_path: str | None = None) -> str:
        return "/login?next=" + quote(next_path or self.current_path, safe="/")

    def set_csrf_cookie(self, response: Response) -> None:
        """Gives a visitor who had no valid token the one this page was rendered with."""
        if self.csrf_is_new:
            set_csrf_cookie(response, self.settings, self.csrf_token)


class LoginRequiredError(Exception):
    """Raised by a page that needs a logged-in visitor: answered with a redirect to /login."""


def require_page_member(page: PageContext) -> Identity:
    if page.viewer is None:
        raise LoginRequiredError
    return page.viewer


def require_page_owner(page: PageContext) -> Identity:
    viewer = require_page_member(page)
    if not viewer.is_owner:
        raise ApiError(403, "forbidden", "This page is only for the site's owner.")
    return viewer


def page_response(
    page: PageContext,
    template: str,
    /,
    *,
    status_code: int = 200,
    script_strings: tuple[str, ...] = (),
    headers: Mapping[str, str] | None = None,
    **values: Any,
) -> HTMLResponse:
    html = page.templates.render(template, page, script_strings=script_strings, **values)
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    # Pages carry the visitor's name and CSRF token: never kept by shared caches.
    response.headers.setdefault("Cache-Control", "private, no-store")
    response.headers["Vary"] = "Cookie, Accept-Language"
    page.set_csrf_cookie(response)
    return response


def redirect(url: str, status_code: int = 303) -> RedirectResponse:
    return RedirectResponse(url, status_code=status_code, headers={"Cache-Control": "no-store"})
