"""Password policy (NIST SP 800-63B-4) and Argon2id hashing with bounded concurrency."""

import unicodedata
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 15
MAX_PASSWORD_LENGTH = 128
# zxcvbn's score 3 means "safely unguessable: moderate protection from offline attacks".
# With 15+ characters nearly every real passphrase passes; repeats, keyboard walks and
# famous passwords do not.
MIN_STRENGTH_SCORE = 3


class PasswordPolicyError(ValueError):
    pass


def normalize_password(password: str) -> str:
    """NFKC, so the same passphrase typed on different keyboards gives the same hash."""
    return unicodedata.normalize("NFKC", password)


def check_password_policy(password: str, *, context: list[str]) -> None:
    """Raises PasswordPolicyError with a message a person can act on."""
    normalized = normalize_password(password)
    length = len(normalized)  # code points, not bytes
    if length < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"Use at least {MIN_PASSWORD_LENGTH} characters; a few words make a good password."
        )
    if length > MAX_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"Use at most {MAX_PASSWORD_LENGTH} characters.")
    result = zxcvbn(normalized, user_inputs=[word for word in context if word] + ["mysite"])
    if result["score"] < MIN_STRENGTH_SCORE:
        raise PasswordPolicyError(
            "This password is too common or too easy to guess "
            "(repeats, sequences, or your name); choose another."
        )


class PasswordHashing:
    """Argon2id at OWASP's minimum (m=19 MiB, t=2, p=1), at most `concurrency` at once.

    Hashes run on a pool of exactly `concurrency` threads rather than on whichever request
    thread asks: the C allocator keeps a memory arena per thread, so 19 MiB blocks freed on
    forty request threads would stay resident forty times over under a login flood.
    """

    def __init__(self, concurrency: int) -> None:
        self._hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="argon2")
        # Verified against when the username is unknown, so both cases take the same time.
        self._dummy_hash = self._hasher.hash("mysite-dummy-password-for-timing")

    def hash(self, password: str) -> str:
        return self._pool.submit(self._hasher.hash, normalize_password(password)).result()

    def verify(self, password_hash: str | None, password: str) -> bool:
        matches = self._pool.submit(
            self._verify, password_hash or self._dummy_hash, normalize_password(password)
        ).result()
        return matches and password_hash is not None

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
