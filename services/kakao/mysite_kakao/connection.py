"""The owner's Kakao connection: connect (OAuth + PKCE), keep tokens alive, disconnect.

Exactly one token change happens at a time across replicas: every change locks the single
`kakao_connection` row (SELECT ... FOR UPDATE on MariaDB; on SQLite a write to the row, which
takes the database's single write lock) and re-reads it, so a replica that waited uses the
token another just stored instead of refreshing again with a refresh token Kakao may already
have replaced. Sends read the token under a shared lock (LOCK IN SHARE MODE), so no send uses
a token a refresh has replaced.
"""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from mysite_common.db import Database, utcnow
from mysite_common.errors import ApiError
from mysite_common.identity import Identity
from mysite_kakao.crypto import (
    TokenDecryptionError,
    new_code_verifier,
    pkce_challenge,
    random_token,
    sha256_hex,
)
from mysite_kakao.kakao import Kakao
from mysite_kakao.kakao_client import KakaoError, Outcome, TokenSet
from mysite_kakao.locks import ensure_row, lock_row
from mysite_kakao.models import CONNECTION_ID, KakaoConnection, OAuthState

logger = logging.getLogger(__name__)

TALK_MESSAGE_SCOPE = "talk_message"


class ConnectionState(StrEnum):
    not_configured = "not_configured"
    not_connected = "not_connected"
    connected = "connected"
    reconnect_soon = "reconnect_soon"  # still works, but the owner must connect again soon
    reconnect_required = "reconnect_required"  # delivery waits until the owner connects


class NotConnectedError(Exception):
    """No usable Kakao connection: messages wait."""


@dataclass(frozen=True)
class AccessToken:
    value: str
    version: int
    expires_at: datetime | None


# --- the connection row and its lock ---------------------------------------------------------


def ensure_connection_row(database: Database) -> None:
    ensure_row(database, KakaoConnection, CONNECTION_ID)


def lock_connection(session: Session, database: Database) -> KakaoConnection:
    """The connection row, locked exclusively until the session's transaction ends."""
    row = lock_row(session, database, KakaoConnection, CONNECTION_ID)
    if row is None:
        raise NotConnectedError("the connection row is missing")
    return row


@contextmanager
def locked_connection(kakao: Kakao) -> Iterator[tuple[Session, KakaoConnection]]:
    """Exclusive hold on the tokens: this process's write lock, then the row lock."""
    ensure_connection_row(kakao.database)
    with kakao.token_guard.exclusive(), kakao.database.session() as session:
        yield session, lock_connection(session, kakao.database)


def read_connection(session: Session) -> KakaoConnection | None:
    return session.get(KakaoConnection, CONNECTION_ID)


def _record_error(row: KakaoConnection, code: str, message: str, now: datetime) -> None:
    row.last_error_code = code
    row.last_error = message[:500]
    row.last_error_at = now


def _clear_error(row: KakaoConnection) -> None:
    row.last_error_code = None
    row.last_error = None
    row.last_error_at = None


def _require_reconnect(row: KakaoConnection, code: str, message: str, now: datetime) -> None:
    """Only the owner can fix this; delivery waits. Dead tokens are forgotten."""
    row.needs_reconnect = True
    row.access_token_encrypted = None
    row.access_token_expires_at = None
    if code in ("KOE322", "refresh_token_expired", "decrypt_failed"):
        row.refresh_token_encrypted = None
    row.token_version += 1
    _record_error(row, code, message, now)
    logger.warning("kakao connection needs the owner to connect again", extra={"reason": code})


def _store_tokens(
    kakao: Kakao, row: KakaoConnection, tokens: TokenSet, now: datetime, *, connect: bool
) -> None:
    cipher = kakao.cipher
    row.access_token_encrypted = cipher.encrypt(tokens.access_token)
    row.access_token_expires_at = now + timedelta(seconds=tokens.expires_in)
    # A refresh answer carries a refresh token only when Kakao renews it; otherwise the one
    # we have stays. Overwriting it with nothing is the bug that ends in KOE322 weeks later.
    if tokens.refresh_token:
        row.refresh_token_encrypted = cipher.encrypt(tokens.refresh_token)
        if tokens.refresh_token_expires_in is not None:
            row.refresh_token_expires_at = now + timedelta(seconds=tokens.refresh_token_expires_in)
    if tokens.scopes is not None:
        row.scopes = " ".join(sorted(tokens.scopes))
    row.token_version += 1
    row.needs_reconnect = False
    _clear_error(row)
    if connect:
        row.connected_at = now
        row.last_refresh_at = None
    else:
        row.last_refresh_at = now


# --- state for the owner's admin page -------------------------------------------------------


def connection_state(
    kakao: Kakao, row: KakaoConnection | None, now: datetime
) -> tuple[ConnectionState, str | None]:
    """The state, and plain words for what is wrong (if anything)."""
    settings = kakao.settings
    if not settings.is_configured:
        missing = "KAKAO_REST_API_KEY" if not settings.rest_api_key else "KAKAO_REDIRECT_URI"
        return ConnectionState.not_configured, f"Kakao is not configured: set {missing}."
    if row is None:
        return ConnectionState.not_connected, None
    if row.needs_reconnect:
        return ConnectionState.reconnect_required, row.last_error or "Connect Kakao again."
    if not row.refresh_token_encrypted:
        return ConnectionState.not_connected, row.last_error
    expires_at = row.refresh_token_expires_at
    if expires_at is not None and expires_at <= now:
        return (
            ConnectionState.reconnect_required,
            f"The Kakao sign-in expired on {expires_at:%Y-%m-%d %H:%M} UTC: connect again.",
        )
    if expires_at is not None and expires_at - now < timedelta(
        days=settings.reconnect_warning_days
    ):
        return (
            ConnectionState.reconnect_soon,
            f"The Kakao sign-in ends on {expires_at:%Y-%m-%d %H:%M} UTC and Kakao has not "
            "renewed it: connect again before then.",
        )
    return ConnectionState.connected, row.last_error


def is_deliverable(kakao: Kakao, session: Session) -> bool:
    state, _ = connection_state(kakao, read_connection(session), kakao.clock())
    return state in (ConnectionState.connected, ConnectionState.reconnect_soon)


# --- tokens ------------------------------------------------------------------------------------


@contextmanager
def shared_access_token(kakao: Kakao) -> Iterator[AccessToken | None]:
    """The current access token, held under the shared lock for the block (one send).

    Yields None when the token must be refreshed first (missing, expired or about to be);
    raises NotConnectedError when there is nothing to refresh with. The transaction only
    reads: if the database drops it while the send runs, that must not turn a delivered
    message into an error, so ending it never raises.
    """
    with kakao.token_guard.shared():
        session = kakao.database.sessions()
        try:
            token = _read_access_token(kakao, session)
            yield token
        finally:
            with suppress(SQLAlchemyError):
                session.rollback()
            with suppress(SQLAlchemyError):
                session.close()


def _read_access_token(kakao: Kakao, session: Session) -> AccessToken | None:
    row = session.scalar(
        select(KakaoConnection)
        .where(KakaoConnection.id == CONNECTION_ID)
        .with_for_update(read=True)
    )
    state, problem = connection_state(kakao, row, kakao.clock())
    if row is None or state not in (ConnectionState.connected, ConnectionState.reconnect_soon):
        raise NotConnectedError(problem or state.value)
    expires_at = row.access_token_expires_at
    if (
        row.access_token_encrypted is None
        or expires_at is None
        or expires_at <= _usable_until(kakao, kakao.clock())
    ):
        return None
    try:
        value = kakao.cipher.decrypt(row.access_token_encrypted)
    except TokenDecryptionError:
        return None  # the refresh path records the problem
    return AccessToken(value, row.token_version, expires_at)


def _usable_until(kakao: Kakao, now: datetime) -> datetime:
    """An access token expiring before this is not worth a send (it could die mid-request)."""
    return now + timedelta(seconds=kakao.settings.read_timeout_seconds + 5)


def refresh_access_token(kakao: Kakao, *, seen_version: int | None) -> AccessToken:
    """A fresh access token, refreshing at most once however many replicas ask at once.

    `seen_version`: the token version the caller found dead (-401) or too close to expiry;
    if another replica has changed the token since, that token is used without asking Kakao
    again. None: a refresh ahead of expiry, skipped if the token is no longer close to it.
    """
    settings = kakao.settings
    failure: Exception | None = None
    with locked_connection(kakao) as (session, row):
        now = kakao.clock()
        state, problem = connection_state(kakao, row, now)
        if state is ConnectionState.reconnect_required and not row.needs_reconnect:
            _require_reconnect(row, "refresh_token_expired", problem or "", now)
            session.commit()
            raise NotConnectedError(problem)
        if state not in (ConnectionState.connected, ConnectionState.reconnect_soon):
            raise NotConnectedError(problem or state.value)
        wanted_until = _usable_until(kakao, now)
        if seen_version is None:
            wanted_until = max(
                wanted_until, now + timedelta(seconds=settings.refresh_ahead_seconds)
            )
        if (
            row.access_token_encrypted
            and row.access_token_expires_at is not None
            and row.access_token_expires_at > wanted_until
            and (seen_version is None or row.token_version != seen_version)
        ):
            try:
                value = kakao.cipher.decrypt(row.access_token_encrypted)
                return AccessToken(value, row.token_version, row.access_token_expires_at)
            except TokenDecryptionError:
                pass  # refreshed below
        try:
            refresh_token = kakao.cipher.decrypt(row.refresh_token_encrypted or "")
            tokens = kakao.client.refresh(refresh_token=refresh_token)
        except TokenDecryptionError:
            _require_reconnect(
                row,
                "decrypt_failed",
                "The saved Kakao tokens cannot be decrypted with the current KAKAO_TOKEN_KEY: "
                "connect again.",
                now,
            )
            failure = NotConnectedError("decrypt_failed")
        except KakaoError as exc:
            logger.warning("kakao token refresh failed", extra={"kakao_code": exc.code})
            if exc.outcome in (Outcome.reconnect, Outcome.fatal):
                # The refresh token is dead: only the owner can help; messages wait.
                _require_reconnect(row, exc.code, exc.message, now)
                failure = NotConnectedError(exc.message)
            else:
                _record_error(row, exc.code, exc.message, now)
                failure = exc
        if failure is not None:
            session.commit()  # keep what went wrong for the admin page
            raise failure
        _store_tokens(kakao, row, tokens, now, connect=False)
        logger.info(
            "kakao access token refreshed",
            extra={"refresh_token_renewed": tokens.refresh_token is not None},
        )
        return AccessToken(tokens.access_token, row.token_version, row.access_token_expires_at)


def keep_tokens_alive(kakao: Kakao) -> None:
    """Run periodically: refresh ahead of expiry; notice a refresh token that has run out.

    Refreshing every few hours also renews the refresh token: Kakao sends a new one with the
    first refresh in its last month.
    """
    with kakao.database.session() as session:
        row = read_connection(session)
        now = kakao.clock()
        state, _problem = connection_state(kakao, row, now)
        if row is None:
            return
        needs_marking = state is ConnectionState.reconnect_required and not row.needs_reconnect
        due = state in (ConnectionState.connected, ConnectionState.reconnect_soon) and (
            row.access_token_expires_at is None
            or row.access_token_expires_at - now
            <= timedelta(seconds=kakao.settings.refresh_ahead_seconds)
        )
    if needs_marking or due:
        # A failure is recorded on the connection for the admin page.
        with suppress(NotConnectedError, KakaoError):
            refresh_access_token(kakao, seen_version=None)


# --- connect -----------------------------------------------------------------------------------


def start_connect(session: Session, kakao: Kakao, owner: Identity) -> tuple[str, str]:
    """A new connect attempt: Kakao's consent URL, and the nonce for the browser cookie."""
    settings = kakao.settings
    if not settings.is_configured:
        _state, problem = connection_state(kakao, None, kakao.clock())
        raise ApiError(503, "kakao_not_configured", problem or "Kakao is not configured.")
    state = random_token()
    browser_nonce = random_token()
    verifier = new_code_verifier()
    now = utcnow()
    session.execute(delete(OAuthState).where(OAuthState.expires_at < now - timedelta(days=1)))
    session.add(
        OAuthState(
            state_hash=sha256_hex(state),
            browser_hash=sha256_hex(browser_nonce),
            owner_user_id=owner.user_id,
            code_verifier_encrypted=kakao.cipher.encrypt(verifier),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.oauth_state_seconds),
        )
    )
    session.commit()
    return kakao.client.authorize_url(state=state, code_challenge=pkce_challenge(verifier)), (
        browser_nonce
    )


class ConnectResult(StrEnum):
    connected = "connected"
    denied = "denied"
    failed = "failed"
    in_progress = "in_progress"


@dataclass(frozen=True)
class CallbackOutcome:
    result: str
    reason: str
    message: str


_REPLAY_WAIT_SECONDS = 15.0


def finish_connect(
    kakao: Kakao,
    owner: Identity,
    *,
    state: str | None,
    code: str | None,
    error: str | None,
    browser_nonce: str | None,
) -> CallbackOutcome:
    """Kakao's redirect back. Exchanges the code at most once: a reload or double submit
    gets the first exchange's result (waiting for it if it is still running)."""
    if not state:
        return CallbackOutcome(
            ConnectResult.failed, "missing_state", "Kakao's answer had no state: start again."
        )
    with kakao.database.session() as session:
        attempt = session.scalar(
            select(OAuthState).where(OAuthState.state_hash == sha256_hex(state))
        )
        if attempt is None:
            return CallbackOutcome(
                ConnectResult.failed,
                "unknown_state",
                "This connect attempt is unknown or too old: start again from the admin page.",
            )
        if attempt.owner_user_id != owner.user_id or (
            not browser_nonce or sha256_hex(browser_nonce) != attempt.browser_hash
        ):
            logger.warning("kakao callback with a state from another browser")
            return CallbackOutcome(
                ConnectResult.failed,
                "state_mismatch",
                "This connect attempt was started in another browser or session: start again "
                "from the admin page.",
            )
        attempt_id = attempt.id
        if attempt.used_at is None and attempt.expires_at < utcnow():
            return CallbackOutcome(
                ConnectResult.failed,
                "state_expired",
                "The connect attempt took too long: start again from the admin page.",
            )
        # Claim the attempt; exactly one request wins, however many arrive.
        claimed = session.execute(
            update(OAuthState)
            .where(OAuthState.id == attempt_id, OAuthState.used_at.is_(None))
            .values(used_at=utcnow())
        )
        session.commit()
    if getattr(claimed, "rowcount", 0) != 1:
        return _replayed_result(kakao, attempt_id)
    outcome = _exchange(kakao, attempt_id, code=code, error=error)
    with kakao.database.session() as session:
        session.execute(
            update(OAuthState)
            .where(OAuthState.id == attempt_id)
            .values(result=f"{outcome.result}:{outcome.reason}", result_message=outcome.message)
        )
    return outcome


def _replayed_result(kakao: Kakao, attempt_id: int) -> CallbackOutcome:
    deadline = time.monotonic() + _REPLAY_WAIT_SECONDS
    while True:
        with kakao.database.session() as session:
            attempt = session.get(OAuthState, attempt_id)
            if attempt is not None and attempt.result:
                result, _, reason = attempt.result.partition(":")
                return CallbackOutcome(result, reason, attempt.result_message or "")
        if time.monotonic() > deadline:
            return CallbackOutcome(
                ConnectResult.in_progress,
                "in_progress",
                "Connecting is still in progress; see the admin page.",
            )
        time.sleep(0.1)


def _exchange(
    kakao: Kakao, attempt_id: int, *, code: str | None, error: str | None
) -> CallbackOutcome:
    if error:
        if error == "access_denied":
            return CallbackOutcome(
                ConnectResult.denied,
                "access_denied",
                "You did not agree on Kakao, so nothing changed: connect again and choose Agree "
                "to let the site send you messages.",
            )
        return CallbackOutcome(
            ConnectResult.failed,
            error[:40],
            "Kakao did not complete the sign-in: connect again.",
        )
    if not code:
        return CallbackOutcome(
            ConnectResult.failed, "missing_code", "Kakao's answer had no code: connect again."
        )
    with kakao.database.session() as session:
        attempt = session.get(OAuthState, attempt_id)
        assert attempt is not None
        verifier = kakao.cipher.decrypt(attempt.code_verifier_encrypted)
    try:
        tokens = kakao.client.exchange_code(code=code, code_verifier=verifier)
    except KakaoError as exc:
        logger.warning("kakao code exchange failed", extra={"kakao_code": exc.code})
        return CallbackOutcome(ConnectResult.failed, exc.code, exc.message)
    if tokens.scopes is not None and TALK_MESSAGE_SCOPE not in tokens.scopes:
        return CallbackOutcome(
            ConnectResult.failed,
            "talk_message_not_granted",
            "Kakao did not grant permission to send messages: connect again and allow "
            "'Send KakaoTalk message'.",
        )
    if not tokens.refresh_token:
        return CallbackOutcome(
            ConnectResult.failed, "no_refresh_token", "Kakao sent no refresh token: connect again."
        )
    kakao_user_id = kakao.client.user_id(access_token=tokens.access_token)
    with locked_connection(kakao) as (_session, row):
        _store_tokens(kakao, row, tokens, kakao.clock(), connect=True)
        row.kakao_user_id = kakao_user_id
    logger.info("kakao connected", extra={"kakao_user_id": kakao_user_id})
    return CallbackOutcome(ConnectResult.connected, "connected", "Kakao is connected.")


def disconnect(kakao: Kakao) -> None:
    """Forget the tokens here and unlink the app on Kakao (best effort). Messages wait."""
    access_token: str | None = None
    with locked_connection(kakao) as (_session, row):
        if row.access_token_encrypted:
            try:
                access_token = kakao.cipher.decrypt(row.access_token_encrypted)
            except TokenDecryptionError:
                access_token = None
        row.access_token_encrypted = None
        row.access_token_expires_at = None
        row.refresh_token_encrypted = None
        row.refresh_token_expires_at = None
        row.scopes = ""
        row.kakao_user_id = None
        row.connected_at = None
        row.last_refresh_at = None
        row.needs_reconnect = False
        row.token_version += 1
        _clear_error(row)
    if access_token:
        kakao.client.unlink(access_token=access_token)
    logger.info("kakao disconnected")


def last_connect_attempt(session: Session) -> dict[str, Any] | None:
    attempt = session.scalar(
        select(OAuthState)
        .where(OAuthState.used_at.is_not(None))
        .order_by(OAuthState.used_at.desc(), OAuthState.id.desc())
        .limit(1)
    )
    if attempt is None:
        return None
    result, _, reason = (attempt.result or "in_progress:in_progress").partition(":")
    return {
        "result": result,
        "reason": reason,
        "message": attempt.result_message,
        "at": attempt.used_at,
    }
