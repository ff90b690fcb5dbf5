"""`make compose-up`'s settings (mysite_stack.compose): where each value comes from, and the
secret files generated once and kept. The run itself is tested in tests/compose."""

import stat
from pathlib import Path

from mysite_stack.compose import (
    GENERATED_SECRETS,
    SECRET_VARIABLES,
    read_dotenv,
    settings,
    write_secret_files,
)


def test_environment_over_dotenv_and_secrets_only_as_files(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    dotenv = {
        "MYSITE_ADMIN_USERNAME": "dotenv-owner",
        "MYSITE_ADMIN_PASSWORD": "",  # left empty, as in .env.example: generated
        "MYSITE_RATE_LOGIN_PER_MINUTE": "3",
        "AUTH_JWT_SECRET": "from-dotenv-" + "x" * 40,
    }
    environ = {"MYSITE_ADMIN_USERNAME": "env-owner", "MYSITE_PORT": "8123"}
    chosen = settings(environ, dotenv, secrets)
    assert chosen["MYSITE_ADMIN_USERNAME"] == "env-owner"
    assert chosen["MYSITE_RATE_LOGIN_PER_MINUTE"] == "3"
    # No secret value among Compose's variables: the containers read files.
    assert not set(chosen) & set(SECRET_VARIABLES)
    assert chosen["MYSITE_SECRETS_DIR"] == str(secrets)
    # The gateway on loopback only, on MYSITE_PORT.
    assert chosen["MYSITE_HTTP_ADDRESS"] == "127.0.0.1"
    assert chosen["MYSITE_HTTP_PORT"] == "8123"
    assert chosen["MYSITE_PUBLIC_URL"] == "http://127.0.0.1:8123"

    values = write_secret_files(environ, dotenv, secrets)
    assert (secrets / "auth_jwt_secret").read_text() == dotenv["AUTH_JWT_SECRET"]
    assert len((secrets / "admin_password").read_text()) >= 15
    assert (secrets / "kakao_client_secret").read_text() == ""  # optional, not given
    for variable, name in SECRET_VARIABLES.items():
        assert values[variable] == (secrets / name).read_text()


def test_generated_secrets_stay_the_same_on_every_run(tmp_path: Path) -> None:
    """The database passwords must not change while the data volume holds the old ones."""
    secrets = tmp_path / "secrets"
    first = write_secret_files({}, {}, secrets)
    second = write_secret_files({}, {}, secrets)
    assert first == second
    assert len({first[name] for name in GENERATED_SECRETS}) == len(GENERATED_SECRETS)
    # Other users of the machine cannot enter the folder; the containers' user (10001)
    # can read the bind-mounted files.
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o700
    for path in secrets.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
    # A value given later replaces the generated one.
    changed = write_secret_files({"KAKAO_CLIENT_SECRET": "abc"}, {}, secrets)
    assert changed["KAKAO_CLIENT_SECRET"] == "abc"
    assert changed["MYSITE_DB_ROOT_PASSWORD"] == first["MYSITE_DB_ROOT_PASSWORD"]


def test_dotenv_is_read_as_compose_reads_it(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("# comment\n\nMYSITE_LOG_LEVEL=DEBUG\nKAKAO_REST_API_KEY=\n  SPACED = value \n")
    assert read_dotenv(path) == {
        "MYSITE_LOG_LEVEL": "DEBUG",
        "KAKAO_REST_API_KEY": "",
        "SPACED": "value",
    }
    assert read_dotenv(tmp_path / "missing") == {}
