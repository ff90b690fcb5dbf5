"""Development secrets, generated on first run into the ignored data folder (mode 0600)."""

import base64
import os
import secrets
from collections.abc import Callable
from pathlib import Path


def _fernet_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


GENERATORS: dict[str, Callable[[], str]] = {
    "auth_jwt_secret": lambda: secrets.token_urlsafe(48),
    "kakao_token_key": _fernet_key,
    "admin_password": lambda: "-".join(secrets.token_hex(3) for _ in range(4)),
}


def secret_file(directory: Path, name: str) -> Path:
    """The file holding secret `name`, created with a fresh random value if missing."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    path = directory / name
    if not path.exists():
        generate = GENERATORS.get(name) or (lambda: secrets.token_urlsafe(24))
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(generate())
    return path


def read_secret(directory: Path, name: str) -> str:
    return secret_file(directory, name).read_text().strip()
