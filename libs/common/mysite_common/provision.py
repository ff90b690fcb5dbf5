"""Creates each service's own MariaDB database and user, granted only that database.

Used by the local launcher and by the one-shot provisioning job in Compose and ECS.
Idempotent: running it again changes nothing but keeps each user's password in step.
"""

import re

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from mysite_common.settings import normalize_database_url

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


DEFAULT_PREFIX = "mysite"


def service_database_name(service: str, prefix: str = DEFAULT_PREFIX) -> str:
    """Database and user name of a service: mysite_auth, mysite_site, ..."""
    return f"{prefix}_{service}"


def service_database_url(
    admin_url: str, service: str, password: str, prefix: str = DEFAULT_PREFIX
) -> str:
    admin = make_url(normalize_database_url(admin_url))
    name = service_database_name(service, prefix)
    url = URL.create(
        drivername=admin.drivername,
        username=name,
        password=password,
        host=admin.host,
        port=admin.port,
        database=name,
        query={"charset": "utf8mb4"},
    )
    return url.render_as_string(hide_password=False)


def provision_mariadb(
    admin_url: str, passwords: dict[str, str], prefix: str = DEFAULT_PREFIX
) -> dict[str, str]:
    """Create database + user per service; returns each service's own connection URL."""
    engine = create_engine(normalize_database_url(admin_url), isolation_level="AUTOCOMMIT")
    urls: dict[str, str] = {}
    try:
        with engine.connect() as connection:
            for service, password in passwords.items():
                name = service_database_name(service, prefix)
                if not _IDENTIFIER.match(name):
                    raise ValueError(f"unsafe database name {name!r}")
                # Identifiers cannot be bound parameters; the name was checked above.
                connection.execute(
                    text(
                        f"CREATE DATABASE IF NOT EXISTS `{name}` "
                        "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                    )
                )
                connection.execute(
                    text(f"CREATE USER IF NOT EXISTS '{name}'@'%' IDENTIFIED BY :password"),
                    {"password": password},
                )
                connection.execute(
                    text(f"ALTER USER '{name}'@'%' IDENTIFIED BY :password"),
                    {"password": password},
                )
                connection.execute(text(f"GRANT ALL PRIVILEGES ON `{name}`.* TO '{name}'@'%'"))
                urls[service] = service_database_url(admin_url, service, password, prefix)
    finally:
        engine.dispose()
    return urls


def drop_mariadb(admin_url: str, services: list[str], prefix: str) -> None:
    """Removes what provision_mariadb made (used by tests that provision their own)."""
    engine = create_engine(normalize_database_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for service in services:
                name = service_database_name(service, prefix)
                if not _IDENTIFIER.match(name):
                    raise ValueError(f"unsafe database name {name!r}")
                connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
                connection.execute(text(f"DROP USER IF EXISTS '{name}'@'%'"))
    finally:
        engine.dispose()
