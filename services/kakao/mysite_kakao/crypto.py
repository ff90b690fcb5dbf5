"""Encryption of the Kakao tokens at rest, and the few random values the connect flow needs."""

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from mysite_kakao.config import token_keys


class TokenDecryptionError(Exception):
    """The stored value was not encrypted with any of the configured keys."""


class TokenCipher:
    """Fernet (AES-128-CBC + HMAC-SHA256) with key rotation: the first key encrypts."""

    def __init__(self, raw_keys: str) -> None:
        self._fernet = MultiFernet([Fernet(key) for key in token_keys(raw_keys)])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode()
        except (InvalidToken, ValueError) as exc:
            raise TokenDecryptionError("stored token cannot be decrypted") from exc


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def random_token(num_bytes: int = 32) -> str:
    return secrets.token_urlsafe(num_bytes)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_code_verifier() -> str:
    # 64 bytes -> 86 characters of [A-Za-z0-9_-], inside RFC 7636's 43..128.
    return secrets.token_urlsafe(64)
