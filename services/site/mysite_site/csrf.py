"""CSRF tokens of the site's pages and scripts: the double-submit check (a token in a cookie
must come back in a header or form field), on top of the shared Fetch Metadata check."""

import hmac
import re
import secrets

from fastapi import Request, Response

from mysite_common.errors import ApiError
from mysite_site.config import SiteSettings

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_CSRF_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Pages are cached with this in place of the visitor's CSRF token, filled in per response.
CSRF_PLACEHOLDER = "csrf-" + secrets.token_hex(16)


def csrf_cookie_name(settings: SiteSettings) -> str:
    return "__Host-mysite_csrf" if settings.cookie_secure else "mysite_csrf"


def visitor_token(request: Request, settings: SiteSettings) -> tuple[str, bool]:
    """The visitor's token, and whether it is new (no valid one in the cookie yet)."""
    token = request.cookies.get(csrf_cookie_name(settings), "")
    if _CSRF_TOKEN.match(token):
        return token, False
    return secrets.token_urlsafe(32), True


def set_csrf_cookie(response: Response, settings: SiteSettings, token: str) -> None:
    # Written directly (the token is URL-safe base64): this runs on the home page's hot path,
    # where the general cookie encoder is a measurable share of the time.
    secure = "; Secure" if settings.cookie_secure else ""
    response.headers.append(
        "set-cookie",
        f"{csrf_cookie_name(settings)}={token}; HttpOnly; Path=/; SameSite=strict{secure}",
    )


async def check_csrf_token(request: Request, settings: SiteSettings) -> None:
    """The double-submit check: the token of the visitor's cookie must come back in a header
    (scripts) or a form field (HTML forms). It holds even where SameSite cookies do not, and
    stacks on the Fetch Metadata check of the shared CsrfMiddleware."""
    if request.method in _SAFE_METHODS:
        return
    # A bearer token is never sent by a browser on its own: no cross-site forgery possible.
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer ") and "cookie" not in request.headers:
        return
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
