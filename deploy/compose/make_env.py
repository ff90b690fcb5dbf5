"""Print a filled-in .env for compose.yaml (your settings from flags) and write the secret
files it names (fresh random values) into ./secrets.

    python deploy/compose/make_env.py --domain example.org > .env && chmod 600 .env

Standard library only, so it runs on the server without installing anything. It never
overwrites a secret file: an existing one holds a password MariaDB already has.
"""

import argparse
import base64
import os
import secrets
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / ".env.example"
# The variable of each generated value that is a secret -> its file (compose.yaml `secrets:`).
SECRET_FILES = {
    "MYSITE_ADMIN_PASSWORD": "admin_password",
    "MYSITE_DB_ROOT_PASSWORD": "db_root_password",
    "MYSITE_DB_PASSWORD_AUTH": "db_password_auth",
    "MYSITE_DB_PASSWORD_SITE": "db_password_site",
    "MYSITE_DB_PASSWORD_CHATBOT": "db_password_chatbot",
    "MYSITE_DB_PASSWORD_KAKAO": "db_password_kakao",
    "AUTH_JWT_SECRET": "auth_jwt_secret",
    "KAKAO_TOKEN_KEY": "kakao_token_key",
    "KAKAO_CLIENT_SECRET": "kakao_client_secret",
}


def generated_values(admin_username: str, domain: str) -> dict[str, str]:
    values = {
        "MYSITE_ADMIN_USERNAME": admin_username,
        # Four groups of six hex digits: 96 random bits, easy to type once and then change.
        "MYSITE_ADMIN_PASSWORD": "-".join(secrets.token_hex(3) for _ in range(4)),
        "MYSITE_DB_ROOT_PASSWORD": secrets.token_urlsafe(32),
        "AUTH_JWT_SECRET": secrets.token_urlsafe(48),
        # A Fernet key: 32 random bytes, url-safe base64.
        "KAKAO_TOKEN_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    }
    for service in ("AUTH", "SITE", "CHATBOT", "KAKAO"):
        values[f"MYSITE_DB_PASSWORD_{service}"] = secrets.token_urlsafe(32)
    if domain:
        values["MYSITE_DOMAIN"] = domain
        values["MYSITE_PUBLIC_URL"] = f"https://{domain}"
    return values


def render(example: str, values: dict[str, str]) -> str:
    """.env.example with each `NAME=` line that has a generated value filled in."""
    lines = []
    for line in example.splitlines():
        name, separator, _ = line.partition("=")
        if separator and not line.startswith("#") and name in values:
            line = f"{name}={values[name]}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def write_secret_files(directory: Path, values: dict[str, str]) -> list[Path]:
    """Each secret of `values` into its file, unless the file exists; returns those written.
    The folder is the owner's alone (0700); the files are readable (0644) because Compose
    bind-mounts them as they are and the services run as uid 10001."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    written = []
    for variable, name in SECRET_FILES.items():
        path = directory / name
        if path.exists():
            continue
        path.write_text(values.get(variable, ""), encoding="utf-8")
        path.chmod(0o644)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domain", default="", help="public host name, for HTTPS")
    parser.add_argument("--admin-username", default="owner")
    parser.add_argument(
        "--secrets-dir", default=str(REPO / "secrets"), help="where the secret files go"
    )
    arguments = parser.parse_args(argv)
    values = generated_values(arguments.admin_username, arguments.domain)
    written = write_secret_files(Path(arguments.secrets_dir), values)
    settings = {name: value for name, value in values.items() if name not in SECRET_FILES}
    settings["MYSITE_SECRETS_DIR"] = arguments.secrets_dir
    sys.stdout.write(render(EXAMPLE.read_text(encoding="utf-8"), settings))
    print(f"make_env: {len(written)} new secret files in {arguments.secrets_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
