"""`make compose-up`'s settings (mysite_stack.compose): where each value comes from, and the
secrets generated once and kept. The run itself is tested in tests/compose."""

import stat
from pathlib import Path

from mysite_stack.compose import GENERATED_SECRETS, read_dotenv, settings


def test_environment_over_dotenv_over_generated_secrets(tmp_path: Path) -> None:
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
    assert chosen["AUTH_JWT_SECRET"] == dotenv["AUTH_JWT_SECRET"]
    generated = chosen["MYSITE_ADMIN_PASSWORD"]
    assert len(generated) >= 15
    assert (secrets / "admin_password").read_text() == generated
    # Every secret compose.yaml needs has a value; none is written to .env or printed.
    for name in GENERATED_SECRETS:
        assert chosen[name], name
    # The gateway on loopback only, on MYSITE_PORT.
    assert chosen["MYSITE_HTTP_ADDRESS"] == "127.0.0.1"
    assert chosen["MYSITE_HTTP_PORT"] == "8123"
    assert chosen["MYSITE_PUBLIC_URL"] == "http://127.0.0.1:8123"


def test_generated_secrets_are_private_and_the_same_on_every_run(tmp_path: Path) -> None:
    """The database passwords must not change while the data volume holds the old ones."""
    secrets = tmp_path / "secrets"
    first = settings({}, {}, secrets)
    second = settings({}, {}, secrets)
    for name in GENERATED_SECRETS:
        assert first[name] == second[name], name
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o700
    for path in secrets.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert len({first[name] for name in GENERATED_SECRETS}) == len(GENERATED_SECRETS)
    assert first["MYSITE_HTTP_PORT"] == "8000"


def test_dotenv_is_read_as_compose_reads_it(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("# comment\n\nMYSITE_LOG_LEVEL=DEBUG\nKAKAO_REST_API_KEY=\n  SPACED = value \n")
    assert read_dotenv(path) == {
        "MYSITE_LOG_LEVEL": "DEBUG",
        "KAKAO_REST_API_KEY": "",
        "SPACED": "value",
    }
    assert read_dotenv(tmp_path / "missing") == {}
