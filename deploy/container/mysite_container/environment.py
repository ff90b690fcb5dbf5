"""A service's environment in a container: secrets from files or variables, and the URL of
its own database built from the same password the provisioning job gave its user."""

import os
from collections.abc import Mapping

from mysite_common.provision import DEFAULT_PREFIX, service_database_url
from mysite_common.services import SERVICES
from mysite_common.settings import SecretFileError, read_secret_file

DEFAULT_DB_PORT = "3306"


class ContainerError(RuntimeError):
    """A container is configured wrongly; the message names the variable to fix."""


def read_value(env: Mapping[str, str], name: str) -> str | None:
    """The value of `name`, or of the file named by `name`_FILE (Compose secrets); None if
    neither is set. A value set both ways is refused: one of them would be silently ignored."""
    direct = env.get(name)
    if direct and env.get(f"{name}_FILE"):
        raise ContainerError(f"{name} and {name}_FILE are both set; keep one")
    try:
        from_file = read_secret_file(env, name)
    except SecretFileError as exc:
        raise ContainerError(str(exc)) from exc
    if from_file is not None:
        return from_file
    return direct or None


def database_url(service: str, env: Mapping[str, str]) -> str | None:
    """`<NAME>_DATABASE_URL` for `service`, or None when there is nothing to assemble.

    An explicit <NAME>_DATABASE_URL (or _FILE) wins. Otherwise, with MYSITE_DB_HOST set, the
    URL points at database and user `<prefix>_<service>` (as mysite_common.provision names
    them) with the password from <NAME>_DB_PASSWORD or <NAME>_DB_PASSWORD_FILE.
    """
    prefix = service.upper()
    if env.get(f"{prefix}_DATABASE_URL") or env.get(f"{prefix}_DATABASE_URL_FILE"):
        return None
    host = env.get("MYSITE_DB_HOST")
    if not host:
        return None
    password = read_value(env, f"{prefix}_DB_PASSWORD")
    if not password:
        raise ContainerError(
            f"MYSITE_DB_HOST is set but {prefix}_DB_PASSWORD (or {prefix}_DB_PASSWORD_FILE) is "
            f"not: the {service} service needs its own database password"
        )
    port = env.get("MYSITE_DB_PORT") or DEFAULT_DB_PORT
    if not port.isdigit():
        raise ContainerError(f"MYSITE_DB_PORT must be a port number, got {port!r}")
    database_prefix = env.get("MYSITE_DB_PREFIX") or DEFAULT_PREFIX
    return service_database_url(
        f"mysql+pymysql://{host}:{port}/", service, password, database_prefix
    )


def service_environment(service: str, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment `service` runs with: `env` plus its assembled database URL."""
    if service not in SERVICES:
        raise ContainerError(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    result = dict(os.environ if env is None else env)
    url = database_url(service, result)
    if url is not None:
        result[f"{service.upper()}_DATABASE_URL"] = url
    return result
