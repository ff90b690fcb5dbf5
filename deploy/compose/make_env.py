"""Print a filled-in .env for compose.yaml: fresh random secrets, your settings from flags.

    python deploy/compose/make_env.py --domain example.org > .env && chmod 600 .env

Standard library only, so it runs on the server without installing anything. It never
overwrites a file itself: an existing .env holds the database passwords MariaDB already has.
"""

import argparse
import base64
import os
import secrets
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domain", default="", help="public host name, for HTTPS")
    parser.add_argument("--admin-username", default="owner")
    arguments = parser.parse_args(argv)
    values = generated_values(arguments.admin_username, arguments.domain)
    sys.stdout.write(render(EXAMPLE.read_text(encoding="utf-8"), values))
    return 0


if __name__ == "__main__":
    sys.exit(main())
