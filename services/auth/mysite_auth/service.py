"""Accounts and sessions: the auth service's logic as plain functions."""

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from mysite_auth import second_factor
from mysite_auth.config import AuthSettings
from mysite_auth.models import LoginAttempt, RefreshToken, Revocation, User
from mysite_auth.passwords import PasswordHashing, PasswordPolicyError, check_password_policy
from mysite_auth.revocation import RevocationCache
from mysite_auth.tokens import (
    LEEWAY_SECONDS,
    AccessClaims,
    access_token_lifetime,
    hash_refresh_token,
    issue_access_token,
    new_refresh_token,
    new_session_id,
)
from mysite_common.db import Database, utcnow
from mysite_common.errors import ApiError
from mysite_common.identity import Identity, Role
from mysite_common.text import clean_text

logger = logging.getLogger(__name__)

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,31}$")
MAX_DISPLAY_NAME_LENGTH = 50
INVALID_CREDENTIALS = ApiError(401, "invalid_credentials", "Wrong username or password.")


@dataclass(frozen=True)
class IssuedSession:
    user: User
    access_token: str
    access_claims: AccessClaims
    refresh_token: str
    refresh_expires_at: datetime


def identity_of(user: User) -> Identity:
    return Identity(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        display_name=user.display_name,
    )


def normalize_username(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip().lower()


def validate_username(raw: str) -> str:
    username = normalize_username(raw)
    if not USERNAME_PATTERN.match(username):
        raise ApiError(
            422,
            "invalid_username",
            "Usernames are 3 to 32 characters: letters a-z, digits, '.', '_' or '-', "
            "starting with a letter or digit.",
            fields={"username": "invalid"},
        )
    return username


def validate_display_name(raw: str) -> str:
    display_name = clean_text(raw)
    if not display_name or len(display_name) > MAX_DISPLAY_NAME_LENGTH:
        raise ApiError(
            422,
            "invalid_display_name",
            f"The display name needs 1 to {MAX_DISPLAY_NAME_LENGTH} characters.",
            fields={"display_name": "invalid"},
        )
    if any(unicodedata.category(character) == "Cc" for character in display_name):
        raise ApiError(
            422,
            "invalid_display_name",
            "The display name cannot contain control characters.",
            fields={"display_name": "invalid"},
        )
    return display_name


def validate_new_password(password: str, *, username: str, display_name: str) -> None:
    try:
        check_password_policy(password, context=[username, display_name])
    except PasswordPolicyError as exc:
        raise ApiError(422, "weak_password", str(exc), fields={"password": str(exc)}) from exc


def create_user(
    session: Session,
    hashing: PasswordHashing,
    *,
    username: str,
    password: str,
    display_name: str,
    role: Role = Role.member,
) -> User:
    username = validate_username(username)
    display_name = validate_display_name(display_name)
    validate_new_password(password, username=username, display_name=display_name)
    taken = ApiError(409, "username_taken", "That username is taken; choose another.")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise taken
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hashing.hash(password),
        role=role.value,
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError as exc:  # two signups raced for the same name
        session.rollback()
        raise taken from exc
    logger.info("account created", extra={"user_id": user.id, "role": user.role})
    return user


def ensure_owner(session: Session, hashing: PasswordHashing, settings: AuthSettings) -> str:
    """Creates the owner's account from MYSITE_ADMIN_* once; never resets it afterwards."""
    if not settings.admin_username:
        return "MYSITE_ADMIN_USERNAME is not set; no owner account created"
    username = validate_username(settings.admin_username)
    existing = session.scalar(select(User).where(User.username == username))
    if existing is not None:
        if existing.role != Role.owner.value:
            return f"account {username!r} exists but is not the owner; left unchanged"
        return f"owner account {username!r} exists; its password is left unchanged"
    create_user(
        session,
        hashing,
        username=username,
        password=settings.admin_password.get_secret_value(),
        display_name=settings.admin_display_name or username,
        role=Role.owner,
    )
    return f"owner account {username!r} created"


# --- login and brute-force regulation -------------------------------------------------------


def _failures_since(session: Session, since: datetime, *conditions: ColumnElement[bool]) -> int:
    return (
        session.scalar(
            select(func.count(LoginAttempt.id)).where(
                LoginAttempt.succeeded.is_(False), LoginAttempt.created_at >= since, *conditions
            )
        )
        or 0
    )


def is_login_blocked(
    session: Session, settings: AuthSettings, *, username: str, ip: str, now: datetime
) -> bool:
    """Blocked for a window after too many failures, counted three ways.

    Per account and address stops one attacker guessing one account; per address stops one
    attacker trying many accounts; per account (all addresses) stops a distributed attack.
    The last two never block an address this account logged in from before: nobody can
    lock the real owner out by failing on purpose, from elsewhere or from an address they
    share (an office, a carrier's NAT).
    """
    since = now - timedelta(minutes=settings.login_window_minutes)
    pair = _failures_since(session, since, LoginAttempt.username == username, LoginAttempt.ip == ip)
    if pair >= settings.max_failures_per_account_and_ip:
        return True
    too_many = (
        _failures_since(session, since, LoginAttempt.ip == ip) >= settings.max_failures_per_ip
        or _failures_since(session, since, LoginAttempt.username == username)
        >= settings.max_failures_per_account
    )
    if not too_many:
        return False
    return not _is_known_address(session, username=username, ip=ip, now=now)


def _is_known_address(session: Session, *, username: str, ip: str, now: datetime) -> bool:
    """This account logged in from this address within the last 30 days."""
    known = session.scalar(
        select(LoginAttempt.id)
        .where(
            LoginAttempt.username == username,
            LoginAttempt.ip == ip,
            LoginAttempt.succeeded.is_(True),
            LoginAttempt.created_at >= now - timedelta(days=30),
        )
        .limit(1)
    )
    return known is not None


def login(
    session: Session,
    hashing: PasswordHashing,
    settings: AuthSettings,
    *,
    username: str,
    password: str,
    ip: str,
    otp: str | None = None,
) -> IssuedSession:
    now = utcnow()
    username_key = normalize_username(username)[:64]
    user = session.scalar(select(User).where(User.username == username_key))
    blocked = is_login_blocked(session, settings, username=username_key, ip=ip, now=now)
    # Always hash, whether the account exists or is blocked: same answer, same time.
    password_ok = hashing.verify(user.password_hash if user else None, password)
    if user is None or not password_ok or blocked:
        session.add(LoginAttempt(username=username_key, ip=ip, succeeded=False, created_at=now))
        session.commit()
        logger.info("login refused", extra={"blocked": blocked})
        raise INVALID_CREDENTIALS
    if user.otp_secret:
        # Only after a right password (a wrong one got the answer above): the second factor.
        if not otp:
            raise second_factor.OTP_REQUIRED
        if not second_factor.check_code(session, user, otp):
            session.add(LoginAttempt(username=username_key, ip=ip, succeeded=False, created_at=now))
            session.commit()
            logger.info("login refused: wrong second factor", extra={"user_id": user.id})
            raise second_factor.OTP_INVALID
    session.add(LoginAttempt(username=username_key, ip=ip, succeeded=True, created_at=now))
    if hashing.needs_rehash(user.password_hash):
        user.password_hash = hashing.hash(password)
    issued = _start_session(session, settings, user, now)
    session.commit()
    logger.info("login", extra={"user_id": user.id})
    return issued


def _start_session(
    session: Session, settings: AuthSettings, user: User, now: datetime
) -> IssuedSession:
    family_id = new_session_id()
    family_expires_at = now + timedelta(days=settings.session_max_days)
    return _issue(session, settings, user, family_id, family_expires_at, now)


def _issue(
    session: Session,
    settings: AuthSettings,
    user: User,
    family_id: str,
    family_expires_at: datetime,
    now: datetime,
) -> IssuedSession:
    refresh_token = new_refresh_token()
    refresh_expires_at = min(now + timedelta(days=settings.refresh_idle_days), family_expires_at)
    session.add(
        RefreshToken(
            token_hash=hash_refresh_token(refresh_token),
            family_id=family_id,
            user_id=user.id,
            issued_at=now,
            expires_at=refresh_expires_at,
            family_expires_at=family_expires_at,
        )
    )
    access_token, claims = issue_access_token(
        settings, identity=identity_of(user), session_id=family_id, now=now
    )
    return IssuedSession(user, access_token, claims, refresh_token, refresh_expires_at)


# --- refresh, logout, password change -------------------------------------------------------

SESSION_ENDED = ApiError(401, "session_ended", "Your session has ended; log in again.")


def refresh(
    session: Session, settings: AuthSettings, cache: RevocationCache, *, refresh_token: str
) -> IssuedSession:
    now = utcnow()
    presented = session.scalar(
        select(RefreshToken)
        .where(RefreshToken.token_hash == hash_refresh_token(refresh_token))
        .with_for_update()
    )
    if presented is None or presented.revoked_at is not None:
        raise SESSION_ENDED
    if presented.used_at is not None:
        if now - presented.used_at <= timedelta(seconds=settings.refresh_reuse_grace_seconds):
            raise ApiError(409, "refresh_raced", "This session was just refreshed; retry.")
        # A used token came back: someone holds a copy. End the whole session (RFC 9700).
        logger.warning(
            "refresh token reuse; ending its session", extra={"user_id": presented.user_id}
        )
        _revoke_family(session, settings, cache, presented.family_id, now)
        session.commit()
        raise SESSION_ENDED
    if presented.expires_at <= now or presented.family_expires_at <= now:
        raise SESSION_ENDED
    user = session.get(User, presented.user_id)
    if user is None:
        raise SESSION_ENDED
    presented.used_at = now
    issued = _issue(session, settings, user, presented.family_id, presented.family_expires_at, now)
    session.commit()
    return issued


def _revoke_family(
    session: Session, settings: AuthSettings, cache: RevocationCache, family_id: str, now: datetime
) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    revocation = Revocation(
        session_id=family_id,
        expires_at=now + access_token_lifetime(settings) + timedelta(seconds=LEEWAY_SECONDS),
        created_at=now,
    )
    session.add(revocation)
    session.flush()
    cache.apply(revocation)


def logout(
    session: Session,
    settings: AuthSettings,
    cache: RevocationCache,
    *,
    refresh_token: str | None,
    access_claims: AccessClaims | None,
) -> None:
    now = utcnow()
    families: set[str] = set()
    if access_claims is not None:
        families.add(access_claims.session_id)
    if refresh_token:
        family = session.scalar(
            select(RefreshToken.family_id).where(
                RefreshToken.token_hash == hash_refresh_token(refresh_token)
            )
        )
        if family:
            families.add(family)
    for family_id in families:
        _revoke_family(session, settings, cache, family_id, now)
    session.commit()


def change_password(
    session: Session,
    hashing: PasswordHashing,
    settings: AuthSettings,
    cache: RevocationCache,
    *,
    user_id: int,
    current_password: str,
    new_password: str,
    ip: str,
) -> IssuedSession:
    user = session.get(User, user_id)
    if user is None:
        raise SESSION_ENDED
    now = utcnow()
    # A stolen session must not become an unthrottled password oracle: wrong current
    # passwords count as failed logins of the account, and a blocked account gets the same
    # answer as a wrong password.
    blocked = is_login_blocked(session, settings, username=user.username, ip=ip, now=now)
    if not hashing.verify(user.password_hash, current_password) or blocked:
        session.add(LoginAttempt(username=user.username, ip=ip, succeeded=False, created_at=now))
        session.commit()
        raise ApiError(
            403,
            "wrong_password",
            "The current password is wrong.",
            fields={"current_password": "wrong"},
        )
    validate_new_password(new_password, username=user.username, display_name=user.display_name)
    user.password_hash = hashing.hash(new_password)
    # Tokens are stamped in whole seconds; the new session starts in the next one so it
    # survives the cut-off while every older token dies.
    cut_off = now.replace(microsecond=0) + timedelta(seconds=1)
    user.tokens_not_before = cut_off
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    revocation = Revocation(
        user_id=user.id,
        not_before=cut_off,
        expires_at=now + access_token_lifetime(settings) + timedelta(seconds=LEEWAY_SECONDS + 1),
        created_at=now,
    )
    session.add(revocation)
    session.flush()
    cache.apply(revocation)
    issued = _start_session(session, settings, user, cut_off)
    session.commit()
    logger.info("password changed; other sessions ended", extra={"user_id": user.id})
    return issued


def delete_account(
    session: Session,
    hashing: PasswordHashing,
    settings: AuthSettings,
    cache: RevocationCache,
    *,
    user_id: int,
    password: str,
    ip: str,
) -> None:
    """A member deletes their own account: every session ends at once, access tokens too.

    The id is never given to anyone else (AUTOINCREMENT), so the revocation by user id can
    only ever hit this account's tokens.
    """
    user = session.get(User, user_id)
    if user is None:
        raise SESSION_ENDED
    if user.role == Role.owner.value:
        raise ApiError(409, "owner_account", "The owner's account cannot be deleted.")
    now = utcnow()
    blocked = is_login_blocked(session, settings, username=user.username, ip=ip, now=now)
    if not hashing.verify(user.password_hash, password) or blocked:
        session.add(LoginAttempt(username=user.username, ip=ip, succeeded=False, created_at=now))
        session.commit()
        raise ApiError(
            403, "wrong_password", "The password is wrong.", fields={"password": "wrong"}
        )
    session.execute(delete(RefreshToken).where(RefreshToken.user_id == user_id))
    session.delete(user)
    revocation = Revocation(
        user_id=user_id,
        # Every token of this user was issued before the next second.
        not_before=now.replace(microsecond=0) + timedelta(seconds=1),
        expires_at=now + access_token_lifetime(settings) + timedelta(seconds=LEEWAY_SECONDS + 1),
        created_at=now,
    )
    session.add(revocation)
    session.flush()
    cache.apply(revocation)
    session.commit()
    logger.info("account deleted; its sessions ended", extra={"user_id": user_id})


def housekeeping(database: Database) -> None:
    """Forget what can no longer matter: old attempts, dead refresh tokens, old revocations."""
    now = utcnow()
    with database.session() as session:
        session.execute(
            delete(LoginAttempt).where(LoginAttempt.created_at < now - timedelta(days=31))
        )
        session.execute(delete(RefreshToken).where(RefreshToken.family_expires_at < now))
        session.execute(delete(Revocation).where(Revocation.expires_at < now))
