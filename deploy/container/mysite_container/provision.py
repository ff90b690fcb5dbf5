"""The one-shot job before the services start (Compose `provision`, ECS `mysite-provision`).

1. wait for MariaDB (it may still be starting, or RDS may be restarting);
2. create each service's database and user, granted only that database
   (mysite_common.provision, the same code the local launcher runs);
3. migrate each service with its own account (`python -m mysite_<name> migrate`);
4. create the owner's account (`python -m mysite_auth ensure-owner`) and, where the site has
   it, its first-start content (`python -m mysite_site seed-example`).

Every step is idempotent, so the job runs before every deploy. Exit status 0 only when all
of them succeeded: the services start only after that.
"""

import logging
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from mysite_common.provision import DEFAULT_PREFIX, provision_mariadb
from mysite_common.services import SERVICES
from mysite_container.environment import (
    DEFAULT_DB_PORT,
    ContainerError,
    read_value,
    service_environment,
)

logger = logging.getLogger("mysite_container.provision")


@dataclass(frozen=True)
class Step:
    service: str
    command: str
    # A step the service may not have (yet): its absence is not a failure.
    optional: bool = False


def job_services(env: Mapping[str, str]) -> tuple[str, ...]:
    """MYSITE_SERVICES (comma-separated) or all four."""
    raw = env.get("MYSITE_SERVICES", "")
    services = tuple(name.strip() for name in raw.split(",") if name.strip()) or SERVICES
    unknown = [name for name in services if name not in SERVICES]
    if unknown:
        raise ContainerError(f"MYSITE_SERVICES names unknown services: {', '.join(unknown)}")
    return services


def admin_url(env: Mapping[str, str]) -> URL:
    host = env.get("MYSITE_DB_HOST")
    if not host:
        raise ContainerError("MYSITE_DB_HOST is required: the MariaDB server to provision")
    password = read_value(env, "MYSITE_DB_ADMIN_PASSWORD")
    if not password:
        raise ContainerError(
            "MYSITE_DB_ADMIN_PASSWORD (or MYSITE_DB_ADMIN_PASSWORD_FILE) is required: an "
            "account that may create databases and users"
        )
    port = env.get("MYSITE_DB_PORT") or DEFAULT_DB_PORT
    return URL.create(
        "mysql+pymysql",
        username=env.get("MYSITE_DB_ADMIN_USER") or "root",
        password=password,
        host=host,
        port=int(port),
    )


def wait_for_database(url: URL, timeout: float, interval: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    engine = create_engine(url, pool_pre_ping=True)
    try:
        while True:
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                return
            except OperationalError as exc:
                if time.monotonic() >= deadline:
                    raise ContainerError(
                        f"MariaDB at {url.host}:{url.port} did not answer within {timeout:.0f}s"
                        f" ({exc.orig})"
                    ) from exc
                logger.info("waiting for MariaDB at %s:%s", url.host, url.port)
                time.sleep(interval)
    finally:
        engine.dispose()


def steps(services: Sequence[str]) -> list[Step]:
    planned = [Step(service, "migrate") for service in services]
    if "auth" in services:
        planned.append(Step("auth", "ensure-owner"))
    if "site" in services:
        planned.append(Step("site", "seed-example", optional=True))
    return planned


def run_step(step: Step, env: Mapping[str, str]) -> None:
    result = subprocess.run(  # noqa: S603 (fixed argv: this interpreter, a known module)
        [sys.executable, "-m", f"mysite_{step.service}", step.command],
        env=service_environment(step.service, env),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode == 0:
        logger.info("%s %s: done", step.service, step.command)
        return
    if step.optional and "invalid choice" in result.stderr:
        logger.info("%s has no %s step; skipped", step.service, step.command)
        return
    # The service's own output says why; it logs no secrets (mysite_common.logs).
    output = "\n".join((result.stdout + result.stderr).strip().splitlines()[-20:])
    raise ContainerError(
        f"`{step.service} {step.command}` failed (exit {result.returncode}):\n{output}"
    )


def provision(env: Mapping[str, str]) -> None:
    services = job_services(env)
    passwords: dict[str, str] = {}
    for service in services:
        password = read_value(env, f"{service.upper()}_DB_PASSWORD")
        if not password:
            raise ContainerError(
                f"{service.upper()}_DB_PASSWORD (or _FILE) is required: the password of the "
                f"{service} service's own database user"
            )
        passwords[service] = password
    url = admin_url(env)
    wait_for_database(url, float(env.get("MYSITE_DB_WAIT_SECONDS") or 120))
    prefix = env.get("MYSITE_DB_PREFIX") or DEFAULT_PREFIX
    provision_mariadb(url.render_as_string(hide_password=False), passwords, prefix)
    logger.info("databases and users ready: %s", ", ".join(f"{prefix}_{s}" for s in services))
    for step in steps(services):
        run_step(step, env)
