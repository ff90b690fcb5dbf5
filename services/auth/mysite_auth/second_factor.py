"""A second factor: TOTP codes (RFC 6238) from an authenticator app, and recovery codes.

Enrolment is two steps, so a typo in the app never locks anyone out: `setup` makes a secret
(kept as pending), `enable` turns it on once a first code from the app proves it was copied
right, and answers the recovery codes once. A code is accepted within one step either side
(clocks drift) and only once: the last accepted step is stored, so a code seen over a
shoulder cannot be replayed. Wrong codes count as failed logins of the account.
"""

import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mysite_auth.config import AuthSettings
from mysite_auth.models import LoginAttempt, RecoveryCode, User
from mysite_auth.passwords import PasswordHashing
from mysite_common.db import utcnow
from mysite_common.errors import ApiError

ISSUER = "mysite"
RECOVERY_CODE_COUNT = 10
# Clock drift allowed either side, in 30-second steps.
VALID_WINDOW = 1

OTP_REQUIRED = ApiError(
    401, "otp_required", "Enter the 6-digit code from your authenticator app (or a recovery code)."
)
OTP_INVALID = ApiError(
    401, "otp_invalid", "That code is wrong or was already used; wait for the next one."
)


@dataclass(frozen=True)
class Enrolment:
    secret: str
    otp_authuri: str
    qr_svg: str


def start_setup(session: Session, settings: AuthSettings, user: User) -> Enrolment:
    if user.otp_secret:
        raise ApiError(409, "otp_enabled", "Two-step login is already on; turn it off first.")
    secret = pyotp.random_base32()
    user.otp_pending_secret = secret
    session.commit()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    # Drawn here, as SVG markup: the admin page shows it without asking any other server.
    svg = _qr_svg(uri)
    return Enrolment(secret=secret, otp_authuri=uri, qr_svg=svg)


def _qr_svg(text: str) -> str:
    """`text` as a QR code: an SVG document (with its namespace, so a page can parse it)."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(
        buffer, kind="svg", xmldecl=False, svgns=True, nl=False, scale=4, dark="#111", light="#fff"
    )
    return buffer.getvalue().decode()


def enable(session: Session, user: User, *, code: str, ip: str, blocked: bool) -> list[str]:
    """Turns the pending secret on when `code` proves the app has it; the recovery codes."""
    if user.otp_secret:
        raise ApiError(409, "otp_enabled", "Two-step login is already on.")
    if not user.otp_pending_secret:
        raise ApiError(409, "otp_not_set_up", "Start the setup first.")
    step = _matching_step(user.otp_pending_secret, code, after=None)
    if step is None or blocked:
        _count_failure(session, user, ip)
        raise OTP_INVALID
    user.otp_secret = user.otp_pending_secret
    user.otp_pending_secret = None
    user.otp_last_step = step
    codes = _new_recovery_codes(session, user)
    session.commit()
    return codes


def disable(
    session: Session,
    hashing: PasswordHashing,
    user: User,
    *,
    password: str,
    code: str,
    ip: str,
    blocked: bool,
) -> None:
    if not user.otp_secret:
        raise ApiError(409, "otp_not_enabled", "Two-step login is not on.")
    password_ok = hashing.verify(user.password_hash, password)
    if not password_ok or blocked or not check_code(session, user, code):
        _count_failure(session, user, ip)
        raise ApiError(
            403, "wrong_password_or_code", "The password or the code is wrong.", fields={}
        )
    user.otp_secret = None
    user.otp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.commit()


def check_code(session: Session, user: User, code: str) -> bool:
    """A current TOTP code not used before, or an unused recovery code (then used up).
    Changes are left for the caller to commit."""
    assert user.otp_secret
    step = _matching_step(user.otp_secret, code, after=user.otp_last_step)
    if step is not None:
        user.otp_last_step = step
        return True
    recovery = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery_code(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is None:
        return False
    recovery.used_at = utcnow()
    return True


def _matching_step(secret: str, code: str, *, after: int | None) -> int | None:
    """The time step whose code `code` is (within the allowed drift), if later than `after`."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = utcnow()
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if after is not None and step <= after:
            continue
        expected = totp.generate_otp(step)
        if hmac.compare_digest(expected, code):
            return step
    return None


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_format_recovery_code(secrets.token_hex(5)) for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(code)))
    return codes


def _format_recovery_code(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}"


def _hash_recovery_code(code: str) -> str:
    # 40 random bits each, tried under the login regulation: a fast hash is enough.
    normalized = code.strip().lower().replace("-", "").replace(" ", "")
    return hashlib.sha256(normalized.encode()).hexdigest()


def _count_failure(session: Session, user: User, ip: str, now: datetime | None = None) -> None:
    session.add(
        LoginAttempt(username=user.username, ip=ip, succeeded=False, created_at=now or utcnow())
    )
    session.commit()
