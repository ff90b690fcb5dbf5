"""What every page shares: templates, static assets, language, the visitor, CSRF tokens, the
security headers of HTML responses, and HTML error pages."""

import hashlib
import hmac
import json
import logging
import mimetypes
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Annotated, Any
from urllib.parse import quote, urlencode, urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mysite_common.errors import ApiError, describe_validation_error, error_body
from mysite_common.identity import (
    Identity,
    identity_from_headers,
    require_member,
    require_owner,
)
from mysite_site import i18n, seo, themes
from mysite_site.config import SiteSettings
from mysite_site.freshness import LoadedProfile, ProfileCache
from mysite_site.markup import render_markdown
from mysite_site.resume import is_own_photo, is_web_url

logger = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_CSRF_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Pages are cached with this in place of the visitor's CSRF token, filled in per response.
CSRF_PLACEHOLDER = "csrf-" + secrets.token_hex(16)
# A long year: fingerprinted assets never change under the same URL.
IMMUTABLE = "public, max-age=31536000, immutable"


# ---------------------------------------------------------------- static assets


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str
    digest: str


class StaticAssets:
    """The files under static/, held in memory, served with fingerprinted URLs."""

    def __init__(self) -> None:
        self.files: dict[str, Asset] = {}
        root = resources.files("mysite_site").joinpath("static")
        self._load(root, "")

    def _load(self, folder: Traversable, prefix: str) -> None:
        for entry in folder.iterdir():
            name = f"{prefix}{entry.name}"
            if entry.is_dir():
                self._load(entry, name + "/")
                continue
            body = entry.read_bytes()
            content_type = mimetypes.guess_type(entry.name)[0] or "application/octet-stream"
            if content_type.startswith("text/") or content_type.endswith(("javascript", "json")):
                content_type += "; charset=utf-8"
            self.files[name] = Asset(body, content_type, hashlib.sha256(body).hexdigest()[:12])

    def url(self, path: str) -> str:
        asset = self.files[path]  # a missing asset is a template bug: fail loudly
        return f"/static/{path}?v={asset.digest}"


# ---------------------------------------------------------------- links and formats


def safe_href(url: object) -> str | None:
    """A link the page may write into href: http(s), mailto, tel, or a path on this site."""
    if not isinstance(url, str) or not url.strip():
        return None
    url = url.strip()
    if is_web_url(url):
        return url
    scheme = urlsplit(url).scheme
    if scheme in ("mailto", "tel") and len(url) > len(scheme) + 1:
        return url
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return None


def safe_next(raw: str | None, default: str = "/") -> str:
    """Where to return after login/logout: only a path on this site, never another site."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in raw):
        return default
    if parts.path in ("/login", "/signup", "/logout") or parts.path.startswith("/errors/"):
        return default
    return raw


def photo_src(url: object) -> str | None:
    """Only photos stored here are shown: the CSP allows no other image source, and a
    visitor's browser should not be sent to third parties."""
    return url if isinstance(url, str) and is_own_photo(url) else None


def display_host(url: object) -> str:
    if not isinstance(url, str):
        return ""
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}" if path and len(path) < 40 else host


def tel_href(phone: object) -> str | None:
    if not isinstance(phone, str):
        return None
    digits = re.sub(r"[^0-9+]", "", phone)
    return f"tel:{digits}" if len(digits) >= 3 else None


# ---------------------------------------------------------------- the visitor


def csrf_cookie_name(settings: SiteSettings) -> str:
    return "__Host-mysite_csrf" if settings.cookie_secure else "mysite_csrf"


@dataclass
class PageContext:
    request: Request
    settings: SiteSettings
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


async def build_page_context(request: Request) -> PageContext:
    settings: SiteSettings = request.app.state.settings
    # `?lang=` first: each language version has an address of its own (hreflang, sitemap).
    language = i18n.as_language(request.query_params.get("lang")) or i18n.negotiate(
        request.cookies.get(i18n.LANGUAGE_COOKIE),
        request.headers.get("accept-language"),
        settings.default_language,
    )
    token = request.cookies.get(csrf_cookie_name(settings), "")
    is_new = not _CSRF_TOKEN.match(token)
    if is_new:
        token = secrets.token_urlsafe(32)
    profile_cache: ProfileCache = request.app.state.profile_cache
    try:
        profile: LoadedProfile | None = await profile_cache.current()
    except Exception:
        logger.warning("profile unavailable while building a page", exc_info=True)
        profile = None
    return PageContext(
        request=request,
        settings=settings,
        language=language,
        viewer=identity_from_headers(request.headers),
        csrf_token=token,
        csrf_is_new=is_new,
        profile=profile,
    )


Page = Annotated[PageContext, Depends(build_page_context)]


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


async def require_csrf_token(request: Request) -> None:
    """The double-submit check: the token of the visitor's cookie must come back in a header
    (scripts) or a form field (HTML forms). It holds even where SameSite cookies do not, and
    stacks on the Fetch Metadata check of the shared CsrfMiddleware."""
    if request.method in _SAFE_METHODS:
        return
    # A bearer token is never sent by a browser on its own: no cross-site forgery possible.
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer ") and "cookie" not in request.headers:
        return
    settings: SiteSettings = request.app.state.settings
    expected = request.cookies.get(csrf_cookie_name(settings), "")
    submitted: object = request.headers.get(CSRF_HEADER)
    if submitted is None and request.headers.get("content-type", "").startswith(_FORM_TYPES):
        submitted = (await request.form()).get(CSRF_FIELD)
    if (
        not _CSRF_TOKEN.match(expected)
        or not isinstance(submitted, str)
        or not hmac.compare_digest(expected.encode(), submitted.encode())
    ):
        raise ApiError(
            403,
            "csrf_token_invalid",
            "This form has expired; reload the page and try again.",
        )


CsrfChecked = Depends(require_csrf_token)


async def _member_with_csrf(request: Request) -> Identity:
    # Identity first, so a visitor who is not logged in hears 401, not a CSRF complaint.
    member = require_member(request)
    await require_csrf_token(request)
    return member


async def _owner_with_csrf(request: Request) -> Identity:
    owner = require_owner(request)
    await require_csrf_token(request)
    return owner


# For API routes that change state: who may, and proof that the request came from our page.
CheckedMember = Annotated[Identity, Depends(_member_with_csrf)]
CheckedOwner = Annotated[Identity, Depends(_owner_with_csrf)]


# ---------------------------------------------------------------- rendering


class Templates:
    def __init__(self, settings: SiteSettings, assets: StaticAssets) -> None:
        self.settings = settings
        self.assets = assets
        self.env = Environment(
            loader=PackageLoader("mysite_site", "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=StrictUndefined,
            auto_reload=False,
        )
        self.env.filters["markdown"] = render_markdown
        self.env.filters["safe_href"] = safe_href
        self.env.filters["photo_src"] = photo_src
        self.env.filters["display_host"] = display_host
        self.env.filters["tel_href"] = tel_href
        self.env.globals["static"] = assets.url
        self.env.globals["LANGUAGE_NAMES"] = i18n.LANGUAGE_NAMES
        self.env.globals["CSRF_FIELD"] = CSRF_FIELD
        self.env.globals["THEMES"] = themes.THEMES
        self.env.globals["theme_stylesheet"] = lambda theme: assets.url(themes.stylesheet(theme))

    def render(
        self,
        template: str,
        page: PageContext,
        /,
        *,
        csrf_token: str | None = None,
        script_strings: tuple[str, ...] = (),
        **values: Any,
    ) -> str:
        language = page.language
        # The profile as a visitor reading this language sees it (its translation, if any).
        resume = page.profile.resume_in(language) if page.profile else {}
        basics = resume.get("basics") if isinstance(resume.get("basics"), dict) else {}
        brand = (basics or {}).get("name") or "mysite"
        request = page.request
        head = seo.head_tags(
            self.settings,
            resume,
            language=language,
            path=request.url.path,
            query=request.query_params.multi_items(),
            is_error="status" in values,
            content_language=i18n.as_language(page.profile.content_language(language))
            if page.profile
            else None,
            published_at=page.profile.published_at if page.profile else None,
        )
        strings = i18n.strings_for(language, ("common.", "js.", "logout.", *script_strings))
        context: dict[str, Any] = {
            "lang": language,
            "other_lang": i18n.other_language(language),
            "t": i18n.translator(language),
            "format_date": lambda value: i18n.format_date(value, language),
            "format_period": lambda start, end: i18n.format_period(start, end, language),
            "field_label": lambda section, key: i18n.field_label(language, section, key),
            "viewer": page.viewer,
            "csrf_token": csrf_token if csrf_token is not None else page.csrf_token,
            "current_path": page.current_path,
            "login_url": page.login_url(),
            "brand": brand,
            "head": head,
            "json_ld": Markup(script_json(head.json_ld)) if head.json_ld else None,  # noqa: S704
            "content_lang": page.profile.content_language(language) if page.profile else language,
            "settings": self.settings,
            "theme": page.profile.theme if page.profile else themes.DEFAULT_THEME,
            "script_strings": Markup(script_json(strings)),  # noqa: S704 - escaped JSON
            "active": None,
            "tab": None,
            **values,
        }
        return self.env.get_template(template).render(context)


def script_json(value: Any) -> str:
    """JSON safe inside <script type="application/json">: no '<' can close the element."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def set_csrf_cookie(response: Response, page: PageContext) -> None:
    if page.csrf_is_new:
        # Written directly (the token is URL-safe base64): this runs on the home page's hot
        # path, where the general cookie encoder is a measurable share of the time.
        secure = "; Secure" if page.settings.cookie_secure else ""
        response.headers.append(
            "set-cookie",
            f"{csrf_cookie_name(page.settings)}={page.csrf_token}; HttpOnly; Path=/; "
            f"SameSite=strict{secure}",
        )


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
    templates: Templates = page.request.app.state.templates
    html = templates.render(template, page, script_strings=script_strings, **values)
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    # Pages carry the visitor's name and CSRF token: never kept by shared caches.
    response.headers.setdefault("Cache-Control", "private, no-store")
    response.headers["Vary"] = "Cookie, Accept-Language"
    set_csrf_cookie(response, page)
    return response


def redirect(url: str, status_code: int = 303) -> RedirectResponse:
    return RedirectResponse(url, status_code=status_code, headers={"Cache-Control": "no-store"})


# ---------------------------------------------------------------- error pages

ERROR_PAGE_STATUSES = frozenset({400, 401, 403, 404, 405, 413, 422, 429, 500, 502, 503, 504})


async def error_page(
    request: Request,
    status_code: int,
    *,
    message: str | None = None,
    login_next: str | None = None,
) -> HTMLResponse:
    page = await build_page_context(request)
    shown = status_code if status_code in ERROR_PAGE_STATUSES else 500
    headers = {"Cache-Control": "no-store"}
    if status_code == 429:
        headers["Retry-After"] = "60"
    return page_response(
        page,
        "error.html",
        status_code=status_code,
        headers=headers,
        status=shown,
        message=message,
        login_url=page.login_url(login_next),
    )


def _is_api(request: Request) -> bool:
    # /internal/: what other services call (the FAQ hand-over) answers JSON too.
    return request.url.path.startswith(("/api/", "/internal/"))


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    if _is_api(request):
        body = error_body(exc.code, exc.message, exc.fields)
        return JSONResponse(body, exc.status_code, headers=exc.headers)
    t = i18n.translator((await build_page_context(request)).language)
    message = t("error.csrf") if exc.code == "csrf_token_invalid" else None
    response = await error_page(request, exc.status_code, message=message)
    response.headers.update(exc.headers or {})
    return response


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if _is_api(request):
        message, fields = describe_validation_error(exc)
        return JSONResponse(error_body("invalid_request", message, fields), 422)
    return await error_page(request, 400)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if _is_api(request):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return JSONResponse(error_body(code, message), exc.status_code, headers=exc.headers)
    response = await error_page(request, exc.status_code)
    response.headers.update(exc.headers or {})
    return response


async def _login_required(request: Request, _exc: Exception) -> Response:
    page = await build_page_context(request)
    return redirect(page.login_url(), status_code=302)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    logger.error("unhandled error", exc_info=exc)
    if _is_api(request):
        return JSONResponse(error_body("internal_error", "Something went wrong on our side."), 500)
    try:
        return await error_page(request, 500)
    except Exception:  # the error page itself failed: answer plainly
        logger.exception("error page failed")
        return HTMLResponse("<h1>500</h1>", status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """JSON errors under /api/ (the shared shape), the site's own pages everywhere else."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(LoginRequiredError, _login_required)
    app.add_exception_handler(Exception, _unexpected_error)


# ---------------------------------------------------------------- headers


_NOSNIFF = (b"x-content-type-options", b"nosniff")
_HTML_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


class SecurityHeadersMiddleware:
    """The site's own strict policy on every HTML response (the gateway adds generic ones).
    Works on the raw header list: it runs on every response, the home page's included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                names = {name.lower() for name, _ in headers}
                if b"x-content-type-options" not in names:
                    headers.append(_NOSNIFF)
                html = any(
                    name.lower() == b"content-type" and value.startswith(b"text/html")
                    for name, value in headers
                )
                if html:
                    headers.extend(header for header in _HTML_HEADERS if header[0] not in names)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
