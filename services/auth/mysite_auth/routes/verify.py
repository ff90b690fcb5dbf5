"""ForwardAuth: the gateway asks this before every request it routes to a service.

Not routed to the public (the gateway has no route to /internal/). It must be cheap: one
HMAC check and two dictionary look-ups, never a database round trip.

    GET /internal/verify?require=none|member|owner[&page=1]

- valid token: 200 with the identity headers, which the gateway copies onto the request;
- no or bad token and require=none: 200 without identity (the request goes on anonymous);
- otherwise 401 JSON for APIs, or a redirect to /login?next=... for pages; 403 when a member
  asks for an owner's route.
"""

from enum import StrEnum
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from mysite_auth.config import AuthSettings
from mysite_auth.revocation import RevocationCache
from mysite_auth.routes.accounts import bearer_token
from mysite_auth.tokens import AccessClaims, InvalidTokenError, decode_access_token
from mysite_common.errors import error_body

router = APIRouter(prefix="/internal", include_in_schema=False)


class Requirement(StrEnum):
    none = "none"
    member = "member"
    owner = "owner"


def _authenticate(request: Request) -> tuple[AccessClaims | None, str]:
    settings: AuthSettings = request.app.state.settings
    token = bearer_token(request) or request.cookies.get(settings.access_cookie_name)
    if not token:
        return None, "missing"
    try:
        claims = decode_access_token(settings, token)
    except InvalidTokenError as exc:
        return None, exc.reason
    revocations: RevocationCache = request.app.state.revocations
    if revocations.is_revoked(claims):
        return None, "revoked"
    return claims, "ok"


def _login_redirect(request: Request) -> Response:
    original = request.headers.get("x-forwarded-uri", "/")
    if not original.startswith("/") or original.startswith("//"):
        original = "/"
    return RedirectResponse(f"/login?next={quote(original, safe='')}", status_code=302)


@router.get("/verify")
async def verify(request: Request, require: Requirement = Requirement.none, page: bool = False):  # type: ignore[no-untyped-def]
    claims, reason = _authenticate(request)
    if claims is None:
        if require is Requirement.none:
            return Response(status_code=200)
        if page:
            return _login_redirect(request)
        message = "Your session expired; log in again." if reason == "expired" else "Log in first."
        return JSONResponse(
            error_body("unauthorized", message),
            401,
            headers={"WWW-Authenticate": f'Bearer error="invalid_token", reason="{reason}"'},
        )
    identity = claims.identity
    if require is Requirement.owner and not identity.is_owner:
        return JSONResponse(error_body("forbidden", "Only the site's owner can do this."), 403)
    return Response(status_code=200, headers=identity.to_headers())
