"""Access tokens (short-lived JWTs) and refresh tokens (opaque, stored hashed).

RFC 8725 and RFC 9068: the algorithm is pinned, every claim we rely on is required, an
access token says what it is twice (header `typ: at+jwt`, claim `typ: access`) so nothing
else signed with the key can pass for one, and its lifetime (`exp - iat`) is never longer
than the configured one. The header's `kid` names which of our own keys signed it, so the
signing key can rotate while tokens signed with the previous one stay valid; a `kid` only
ever selects among the keys in the settings, never brings one.
"""

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from starlette.requests import cookie_parser

from mysite_auth.config import AuthSettings
from mysite_common.identity import Identity, Role

ALGORITHM = "HS256"
HEADER_TYPE = "at+jwt"  # RFC 9068
ACCESS_TOKEN_TYPE = "access"  # noqa: S105 - a claim value, not a secret
REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat", "jti", "typ", "sid", "role", "name"]
LEEWAY_SECONDS = 30


class InvalidTokenError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AccessClaims:
    identity: Identity
    session_id: str
    token_id: str
    issued_at: int
    expires_at: int


def issue_access_token(
    settings: AuthSettings, *, identity: Identity, session_id: str, now: datetime
) -> tuple[str, AccessClaims]:
    issued_at = int(now.timestamp())
    expires_at = issued_at + settings.access_token_minutes * 60
    claims = AccessClaims(
        identity=identity,
        session_id=session_id,
        token_id=secrets.token_hex(16),
        issued_at=issued_at,
        expires_at=expires_at,
    )
    payload = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(identity.user_id),
        "name": identity.username,
        "dn": identity.display_name,
        "role": identity.role.value,
        "sid": session_id,
        "jti": claims.token_id,
        "typ": ACCESS_TOKEN_TYPE,
        "iat": issued_at,
        "exp": expires_at,
    }
    secret = settings.jwt_secret.get_secret_value()
    token = jwt.encode(
        payload,
        secret,
        algorithm=ALGORITHM,
        headers={"typ": HEADER_TYPE, "kid": key_id(secret)},
    )
    return token, claims


def key_id(secret: str) -> str:
    """A name for a key that tells nothing about it (a hash of it, shortened)."""
    return hashlib.sha256(b"mysite-jwt-kid:" + secret.encode()).hexdigest()[:16]


def verification_keys(settings: AuthSettings) -> dict[str, str]:
    """Every key a token may be signed with, by key id: the current one and the previous."""
    return _keys_by_id((settings.jwt_secret.get_secret_value(), *settings.previous_jwt_secrets))


@functools.cache
def _keys_by_id(keys: tuple[str, ...]) -> dict[str, str]:
    return {key_id(key): key for key in keys}


def decode_access_token(settings: AuthSettings, token: str) -> AccessClaims:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidTokenError("invalid") from exc
    token_type = str(header.get("typ", "")).lower()
    if token_type not in (HEADER_TYPE, f"application/{HEADER_TYPE}"):
        raise InvalidTokenError("invalid")
    key = verification_keys(settings).get(str(header.get("kid", "")))
    if key is None:
        raise InvalidTokenError("invalid")
    try:
        payload = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidTokenError("expired") from exc
    except jwt.PyJWTError as exc:
        raise InvalidTokenError("invalid") from exc
    if payload["typ"] != ACCESS_TOKEN_TYPE:
        raise InvalidTokenError("invalid")
    lifetime = payload["exp"] - payload["iat"]
    if not isinstance(lifetime, int) or not 0 < lifetime <= settings.access_token_minutes * 60:
        raise InvalidTokenError("invalid")
    try:
        identity = Identity(
            user_id=int(payload["sub"]),
            username=str(payload["name"]),
            role=Role(payload["role"]),
            display_name=str(payload.get("dn") or payload["name"]),
        )
        return AccessClaims(
            identity=identity,
            session_id=str(payload["sid"]),
            token_id=str(payload["jti"]),
            issued_at=int(payload["iat"]),
            expires_at=int(payload["exp"]),
        )
    except (TypeError, ValueError) as exc:
        raise InvalidTokenError("invalid") from exc


def presented_token(authorization: str, cookie_header: str, cookie_name: str) -> str:
    """The access token a request carries: the bearer header first, then the cookie."""
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    if cookie_header:
        return cookie_parser(cookie_header).get(cookie_name, "")
    return ""


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def hash_refresh_token(token: str) -> str:
    # A fast hash is right here: the token is 256 random bits, not a guessable password.
    return hashlib.sha256(token.encode()).hexdigest()


def new_session_id() -> str:
    return secrets.token_hex(16)


def access_token_lifetime(settings: AuthSettings) -> timedelta:
    return timedelta(minutes=settings.access_token_minutes)
