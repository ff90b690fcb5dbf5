"""The owner's browser connects Kakao: /api/kakao/oauth/start and /oauth/callback.

Both are top-level browser navigations (the gateway guards them in owner page mode), so they
answer with redirects, never JSON: start goes to Kakao's consent page, the callback ends on
the admin page with `?kakao=<result>&reason=<code>#kakao`; the admin page reads the details
from GET /api/kakao/status (`last_connect`).
"""

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from mysite_common.db import DbSession
from mysite_common.errors import ApiError
from mysite_common.identity import OwnerUser
from mysite_kakao import connection
from mysite_kakao.config import KakaoSettings
from mysite_kakao.deps import Delivery, KakaoDep

router = APIRouter(prefix="/api/kakao/oauth", tags=["kakao"])

_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _to_admin(settings: KakaoSettings, result: str, reason: str) -> RedirectResponse:
    query = urlencode({"kakao": result, "reason": reason})
    return RedirectResponse(f"{settings.admin_path}?{query}#kakao", 303, headers=_NO_STORE)


@router.get("/start")
def start(owner: OwnerUser, db: DbSession, kakao: KakaoDep) -> RedirectResponse:
    settings = kakao.settings
    try:
        authorize_url, browser_nonce = connection.start_connect(db, kakao, owner)
    except ApiError as exc:
        return _to_admin(settings, "failed", exc.code)
    response = RedirectResponse(authorize_url, 302, headers=_NO_STORE)
    # Binds the attempt to this browser: the callback must come with this cookie. Lax, so
    # the top-level redirect back from Kakao carries it.
    response.set_cookie(
        settings.state_cookie_name,
        browser_nonce,
        max_age=settings.oauth_state_seconds,
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
    return response


@router.get("/callback")
def callback(
    request: Request,
    owner: OwnerUser,
    kakao: KakaoDep,
    delivery: Delivery,
    state: str | None = None,
    code: str | None = None,
    error: str | None = None,
) -> RedirectResponse:
    outcome = connection.finish_connect(
        kakao,
        owner,
        state=(state or "")[:512] or None,
        code=(code or "")[:2048] or None,
        error=(error or "")[:100] or None,
        browser_nonce=request.cookies.get(kakao.settings.state_cookie_name),
    )
    if outcome.result == connection.ConnectResult.connected:
        delivery.wake()  # the messages that waited for a connection go now
    return _to_admin(kakao.settings, outcome.result, outcome.reason)
