"""mysite_container: what runs around the services in every image (database URL from the
service's own password) and the one-shot provisioning job, against the real MariaDB."""

import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from mysite_common.provision import drop_mariadb
from mysite_container.environment import (
    ContainerError,
    database_url,
    read_value,
    service_environment,
)
from mysite_container.provision import job_services, provision, steps
from mysite_testing.databases import mariadb_admin_url

REPO = Path(__file__).resolve().parents[2]


def test_database_url_is_built_from_host_and_the_services_own_password(tmp_path: Path) -> None:
    secret = tmp_path / "db_password_auth"
    secret.write_text("p@ss:w/rd%\n")
    url = database_url("auth", {"MYSITE_DB_HOST": "mariadb", "AUTH_DB_PASSWORD_FILE": str(secret)})
    assert url is not None
    parsed = make_url(url)
    assert parsed.drivername == "mysql+pymysql"
    assert (parsed.username, parsed.database, parsed.host, parsed.port) == (
        "mysite_auth", "mysite_auth", "mariadb", 3306
    )  # fmt: skip
    # Special characters survive the URL (quoted), the trailing newline of the file does not.
    assert parsed.password == "p@ss:w/rd%"
    assert parsed.query == {"charset": "utf8mb4"}


def test_database_url_honours_port_prefix_and_an_explicit_url() -> None:
    env = {"MYSITE_DB_HOST": "db.internal", "MYSITE_DB_PORT": "3307", "MYSITE_DB_PREFIX": "prod",
           "SITE_DB_PASSWORD": "secret"}  # fmt: skip
    parsed = make_url(database_url("site", env) or "")
    assert (parsed.host, parsed.port, parsed.username, parsed.database) == (
        "db.internal", 3307, "prod_site", "prod_site"
    )  # fmt: skip
    assert database_url("site", {**env, "SITE_DATABASE_URL": "sqlite:///x"}) is None
    assert database_url("site", {"SITE_DB_PASSWORD": "x"}) is None  # no host: nothing to build


def test_wrong_configuration_is_refused_with_the_variable_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ContainerError, match="KAKAO_DB_PASSWORD"):
        database_url("kakao", {"MYSITE_DB_HOST": "mariadb"})
    with pytest.raises(ContainerError, match="MYSITE_DB_PORT"):
        database_url(
            "kakao", {"MYSITE_DB_HOST": "m", "KAKAO_DB_PASSWORD": "x", "MYSITE_DB_PORT": "x"}
        )
    with pytest.raises(ContainerError, match="both set"):
        read_value({"A": "1", "A_FILE": "/run/secrets/a"}, "A")
    with pytest.raises(ContainerError, match="cannot be read"):
        read_value({"A_FILE": str(tmp_path / "missing")}, "A")
    with pytest.raises(ContainerError, match="unknown service"):
        service_environment("billing", {})
    with pytest.raises(ContainerError, match="unknown services: billing"):
        job_services({"MYSITE_SERVICES": "auth,billing"})


def test_run_replaces_itself_with_the_command_and_its_environment() -> None:
    """The image ENTRYPOINT: the command sees the assembled URL (and is the same process)."""
    code = "import os; print(os.environ['CHATBOT_DATABASE_URL']); print(os.getpid())"
    result = subprocess.run(
        [sys.executable, "-c",
         "import os, sys; print(os.getpid()); sys.stdout.flush(); "
         "from mysite_container.__main__ import main; "
         f"sys.exit(main(['run', '--service', 'chatbot', '--', sys.executable, '-c', {code!r}]))"],
        env={"MYSITE_DB_HOST": "mariadb", "CHATBOT_DB_PASSWORD": "pw", "PATH": "/usr/bin:/bin",
             "PYTHONPATH": ":".join(sys.path)},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    parent_pid, url, child_pid = result.stdout.split()
    assert url == "mysql+pymysql://mysite_chatbot:pw@mariadb:3306/mysite_chatbot?charset=utf8mb4"
    assert parent_pid == child_pid  # exec, not a child: the server is PID 1 in the container


def test_run_fails_clearly_without_the_password() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mysite_container", "run", "--service", "auth", "--", "true"],
        env={
            "MYSITE_DB_HOST": "mariadb",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": ":".join(sys.path),
        },
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "AUTH_DB_PASSWORD" in result.stdout


def test_job_steps_migrate_every_service_then_create_the_owner() -> None:
    planned = [(step.service, step.command) for step in steps(("auth", "site", "chatbot", "kakao"))]
    assert planned == [
        ("auth", "migrate"), ("site", "migrate"), ("chatbot", "migrate"), ("kakao", "migrate"),
        ("auth", "ensure-owner"), ("site", "seed-example"),
    ]  # fmt: skip


@pytest.fixture
def job_admin() -> Iterator[tuple[str, str, str, int]]:
    """A MariaDB account with a password that may create databases and users (what the job
    gets in Compose and on RDS), made for this test and removed afterwards."""
    root = make_url(mariadb_admin_url())
    name = f"jobadmin{secrets.token_hex(3)}"
    password = secrets.token_urlsafe(18)
    engine = create_engine(mariadb_admin_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"CREATE USER '{name}'@'%' IDENTIFIED BY :password"),
                           {"password": password})  # fmt: skip
        connection.execute(text(f"GRANT ALL PRIVILEGES ON *.* TO '{name}'@'%' WITH GRANT OPTION"))
    try:
        yield name, password, root.host or "127.0.0.1", root.port or 3306
    finally:
        with engine.connect() as connection:
            connection.execute(text(f"DROP USER IF EXISTS '{name}'@'%'"))
        engine.dispose()


def test_provisioning_job_against_mariadb(
    tmp_path: Path, job_admin: tuple[str, str, str, int]
) -> None:
    """The job as Compose and ECS run it: per-service databases and users, migrations with
    each service's own account, the owner's account; and a second run changes nothing."""
    user, password, host, port = job_admin
    prefix = f"job{secrets.token_hex(3)}"
    services = ("auth", "chatbot")
    files = {name: tmp_path / name for name in ("admin", "db_auth", "db_chatbot", "jwt", "owner")}
    files["admin"].write_text(password)
    files["db_auth"].write_text(secrets.token_urlsafe(24))
    files["db_chatbot"].write_text(secrets.token_urlsafe(24))
    files["jwt"].write_text(secrets.token_urlsafe(48))
    files["owner"].write_text("a long owner passphrase for the job test")
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": ":".join(sys.path),
        "MYSITE_ENV": "production",
        "MYSITE_DATA_DIR": str(tmp_path / "data"),
        "MYSITE_SERVICES": ",".join(services),
        "MYSITE_DB_HOST": host,
        "MYSITE_DB_PORT": str(port),
        "MYSITE_DB_PREFIX": prefix,
        "MYSITE_DB_ADMIN_USER": user,
        "MYSITE_DB_ADMIN_PASSWORD_FILE": str(files["admin"]),
        "AUTH_DB_PASSWORD_FILE": str(files["db_auth"]),
        "CHATBOT_DB_PASSWORD_FILE": str(files["db_chatbot"]),
        "AUTH_JWT_SECRET_FILE": str(files["jwt"]),
        "MYSITE_ADMIN_USERNAME": "owner",
        "AUTH_ADMIN_PASSWORD_FILE": str(files["owner"]),
    }
    try:
        with pytest.raises(ContainerError, match="MYSITE_DB_ADMIN_PASSWORD"):
            provision({k: v for k, v in env.items() if k != "MYSITE_DB_ADMIN_PASSWORD_FILE"})
        provision(env)
        provision(env)  # idempotent: every deploy runs it again
        for service in services:
            url = service_environment(service, env)[f"{service.upper()}_DATABASE_URL"]
            engine = create_engine(url)
            try:
                assert "alembic_version" in inspect(engine).get_table_names(), service
                with engine.connect() as connection:
                    # The service's own account sees its own database and no other of ours.
                    databases = {row[0] for row in connection.execute(text("SHOW DATABASES"))}
                assert {d for d in databases if d.startswith(prefix)} == {f"{prefix}_{service}"}
            finally:
                engine.dispose()
        auth = create_engine(service_environment("auth", env)["AUTH_DATABASE_URL"])
        try:
            with auth.connect() as connection:
                users = connection.execute(text("SELECT username FROM users")).scalars().all()
            assert users == ["owner"]
        finally:
            auth.dispose()
    finally:
        drop_mariadb(mariadb_admin_url(), list(services), prefix)
