"""The public auth API under /api/auth (HTTP only; the logic is in service.py)."""

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from mysite_auth import second_factor, service
from mysite_auth.config import AuthSettings
from mysite_auth.deps import Hashing, Revocations, Settings
from mysite_auth.models import User
from mysite_auth.tokens import (
    AccessClaims,
    InvalidTokenError,
    decode_access_token,
    presented_token,
)
from mysite_common.client_address import ClientAddress
from mysite_common.db import DbSession, utcnow
from mysite_common.errors import ApiError, error_body
from mysite_common.identity import CurrentUser

router = APIRouter(prefix="/api/auth", tags=["auth"])

# Bounds well above any real value, so absurd input is refused before any work is done.
_MAX_FIELD = 1024


class SignupRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    username: StrictStr = Field(max_length=_MAX_FIELD)
    password: StrictStr = Field(max_length=_MAX_FIELD)
    display_name: StrictStr = Field(max_length=_MAX_FIELD)


class LoginRequest(BaseModel):
    username: StrictStr = Field(max_length=_MAX_FIELD)
    password: StrictStr = Field(max_length=_MAX_FIELD)
    # The second factor, for accounts that turned it on: a TOTP or a recovery code.
    otp: StrictStr | None = Field(default=None, max_length=64)


class RefreshRequest(BaseModel):
    refresh_token: StrictStr | None = Field(default=None, max_length=_MAX_FIELD)


class PasswordChangeRequest(BaseModel):
    current_password: StrictStr = Field(max_length=_MAX_FIELD)
    new_password: StrictStr = Field(max_length=_MAX_FIELD)


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: str
    created_at: datetime
    otp_enabled: bool


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type name
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    user: UserPublic


# Tells the site's script that a refresh cookie exists (it cannot see HttpOnly cookies).
SESSION_HINT_COOKIE = "mysite_session"


def _set_session_cookies(
    response: Response, settings: AuthSettings, issued: service.IssuedSession
) -> TokenResponse:
    now = utcnow()
    access_seconds = issued.access_claims.expires_at - int(now.timestamp())
    refresh_seconds = int((issued.refresh_expires_at - now).total_seconds())
    cookies: list[tuple[str, str, int, bool, Literal["lax", "strict"]]] = [
        # name, value, lifetime, HttpOnly, SameSite
        (settings.access_cookie_name, issued.access_token, access_seconds, True, "lax"),
        (settings.refresh_cookie_name, issued.refresh_token, refresh_seconds, True, "strict"),
        (SESSION_HINT_COOKIE, "1", refresh_seconds, False, "strict"),
    ]
    for name, value, max_age, httponly, samesite in cookies:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            secure=settings.cookie_secure,
            httponly=httponly,
            samesite=samesite,
        )
    response.headers["Cache-Control"] = "no-store"
    return TokenResponse(
        access_token=issued.access_token,
        expires_in=access_seconds,
        refresh_token=issued.refresh_token,
        refresh_expires_in=refresh_seconds,
        user=UserPublic.model_validate(issued.user),
    )


def _clear_session_cookies(response: Response, settings: AuthSettings) -> None:
    for name in (settings.access_cookie_name, settings.refresh_cookie_name, SESSION_HINT_COOKIE):
        response.delete_cookie(name, path="/", secure=settings.cookie_secure, samesite="lax")


def presented_access_claims(request: Request, settings: AuthSettings) -> AccessClaims | None:
    """The access token of this request (bearer header first, then cookie), if valid."""
    token = presented_token(
        request.headers.get("authorization", ""),
        request.headers.get("cookie", ""),
        settings.access_cookie_name,
    )
    if not token:
        return None
    try:
        return decode_access_token(settings, token)
    except InvalidTokenError:
        return None


@router.post("/signup", status_code=status.HTTP_201_CREATED)
def signup(body: SignupRequest, db: DbSession, hashing: Hashing) -> UserPublic:
    user = service.create_user(
        db, hashing, username=body.username, password=body.password, display_name=body.display_name
    )
    return UserPublic.model_validate(user)


@router.post("/login")
def login(
    body: LoginRequest,
    response: Response,
    db: DbSession,
    hashing: Hashing,
    settings: Settings,
    ip: ClientAddress,
) -> TokenResponse:
    issued = service.login(
        db,
        hashing,
        settings,
        username=body.username,
        password=body.password,
        ip=ip,
        otp=body.otp,
    )
    return _set_session_cookies(response, settings, issued)


@router.post("/refresh", response_model=TokenResponse)
def refresh(
    request: Request,
    response: Response,
    db: DbSession,
    settings: Settings,
    revocations: Revocations,
    body: RefreshRequest | None = None,
) -> TokenResponse | JSONResponse:  # JSONResponse: the ended-session answer
    token = (body.refresh_token if body else None) or request.cookies.get(
        settings.refresh_cookie_name
    )
    if not token:
        raise ApiError(401, "session_ended", "No session to refresh; log in.")
    try:
        issued = service.refresh(db, settings, revocations, refresh_token=token)
    except ApiError as exc:
        if exc.code != "session_ended":
            raise
        # The session is over: say so, and take its cookies off the browser too.
        ended = JSONResponse(error_body(exc.code, exc.message), exc.status_code)
        _clear_session_cookies(ended, settings)
        return ended
    return _set_session_cookies(response, settings, issued)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    request: Request,
    response: Response,
    db: DbSession,
    settings: Settings,
    revocations: Revocations,
    body: RefreshRequest | None = None,
) -> None:
    refresh_token = (body.refresh_token if body else None) or request.cookies.get(
        settings.refresh_cookie_name
    )
    service.logout(
        db,
        settings,
        revocations,
        refresh_token=refresh_token,
        access_claims=presented_access_claims(request, settings),
    )
    _clear_session_cookies(response, settings)


@router.get("/me")
def me(identity: CurrentUser, db: DbSession) -> UserPublic:
    user = db.get(User, identity.user_id)
    if user is None:
        raise service.SESSION_ENDED
    return UserPublic.model_validate(user)


class AccountDeletionRequest(BaseModel):
    password: StrictStr = Field(max_length=_MAX_FIELD)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT)
def delete_account(
    body: AccountDeletionRequest,
    identity: CurrentUser,
    response: Response,
    db: DbSession,
    hashing: Hashing,
    settings: Settings,
    revocations: Revocations,
    ip: ClientAddress,
) -> None:
    service.delete_account(
        db,
        hashing,
        settings,
        revocations,
        user_id=identity.user_id,
        password=body.password,
        ip=ip,
    )
    _clear_session_cookies(response, settings)


@router.post("/password")
def change_password(
    body: PasswordChangeRequest,
    identity: CurrentUser,
    response: Response,
    db: DbSession,
    hashing: Hashing,
    settings: Settings,
    revocations: Revocations,
    ip: ClientAddress,
) -> TokenResponse:
    issued = service.change_password(
        db,
        hashing,
        settings,
        revocations,
        user_id=identity.user_id,
        current_password=body.current_password,
        new_password=body.new_password,
        ip=ip,
    )
    return _set_session_cookies(response, settings, issued)


# --- second factor (TOTP) -------------------------------------------------------------------


class OtpSetupResponse(BaseModel):
    secret: str
    otpauth_uri: str
    # The otpauth URI as a QR code, SVG markup drawn by this service (no other server asked).
    qr_svg: str


class OtpCodeRequest(BaseModel):
    code: StrictStr = Field(max_length=64)


class OtpDisableRequest(BaseModel):
    password: StrictStr = Field(max_length=_MAX_FIELD)
    code: StrictStr = Field(max_length=64)


class RecoveryCodesResponse(BaseModel):
    recovery_codes: list[str]


def _is_blocked(db: DbSession, settings: AuthSettings, user: User, ip: str) -> bool:
    """Wrong codes count as failed logins; too many, and even right ones are refused."""
    return service.is_login_blocked(db, settings, username=user.username, ip=ip, now=utcnow())


def _account(db: DbSession, identity: CurrentUser) -> User:
    user = db.get(User, identity.user_id)
    if user is None:
        raise service.SESSION_ENDED
    return user


@router.post("/otp/setup")
def otp_setup(
    identity: CurrentUser, response: Response, db: DbSession, settings: Settings
) -> OtpSetupResponse:
    enrolment = second_factor.start_setup(db, settings, _account(db, identity))
    response.headers["Cache-Control"] = "no-store"
    return OtpSetupResponse(
        secret=enrolment.secret, otpauth_uri=enrolment.otp_authuri, qr_svg=enrolment.qr_svg
    )


@router.post("/otp/enable")
def otp_enable(
    body: OtpCodeRequest,
    identity: CurrentUser,
    response: Response,
    db: DbSession,
    settings: Settings,
    ip: ClientAddress,
) -> RecoveryCodesResponse:
    user = _account(db, identity)
    blocked = _is_blocked(db, settings, user, ip)
    codes = second_factor.enable(db, user, code=body.code, ip=ip, blocked=blocked)
    response.headers["Cache-Control"] = "no-store"
    return RecoveryCodesResponse(recovery_codes=codes)


@router.post("/otp/disable", status_code=status.HTTP_204_NO_CONTENT)
def otp_disable(
    body: OtpDisableRequest,
    identity: CurrentUser,
    db: DbSession,
    hashing: Hashing,
    settings: Settings,
    ip: ClientAddress,
) -> None:
    user = _account(db, identity)
    blocked = _is_blocked(db, settings, user, ip)
    second_factor.disable(
        db, hashing, user, password=body.password, code=body.code, ip=ip, blocked=blocked
    )
