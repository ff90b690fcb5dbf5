"""The whole stack in Docker Compose, built from the real Dockerfiles and compose.yaml, tested
through the gateway's published port (`make compose-test`; `make test` includes it whenever
a Docker Engine answers).

One Compose project of its own for these tests (see compose_project.py), taken down as soon
as they are done (package scope), before the rest of the suite runs; the fake Kakao runs
in this process, listening on the host's address on Docker's default bridge, which the kakao
containers reach and so does this process (the owner's browser, in the connect flow).
"""

import json
import os
import secrets
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from mysite_stack.compose import base_image_settings
from mysite_stack.stack import free_port
from mysite_testing.fake_kakao import FakeKakao

from .compose_project import (
    REPO,
    ComposeProject,
    default_bridge_gateway,
    docker_engine_answers,
    routes_to_every_service,
    wait_until,
)

sys.path.insert(0, str(REPO / "deploy" / "compose"))
from make_env import SECRET_FILES, generated_values, write_secret_files

PROJECT_NAME = "mysite-compose-test"
OWNER_USERNAME = "owner"
OWNER_PASSWORD = "an owner passphrase for the compose tests"
MEMBER_PASSWORD = "a member passphrase for the compose tests"
CALLBACK_PATH = "/api/kakao/oauth/callback"
ARTIFACTS = REPO / "test-artifacts" / "compose"

# Every request of the tests reaches the gateway from one address (Docker's port proxy), so
# the per-address limits are set far above what the tests send; the per-user ones stay real.
RATES = {
    "MYSITE_RATE_LOGIN_PER_MINUTE": "1000",
    "MYSITE_RATE_SIGNUP_PER_HOUR": "1000",
    "MYSITE_RATE_CHAT_PER_MINUTE": "1000",
    "MYSITE_RATE_MESSAGES_PER_HOUR": "1000",
}

# How long each part took (seconds) and what each fault under load cost (bench.loadgen's
# summary), printed at the end of the run and kept for docs/performance.md.
TIMINGS: dict[str, float] = {}
FAULTS: dict[str, dict[str, object]] = {}


class Timed:
    """`with Timed("build"):` records the block's duration in TIMINGS."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> None:
        self.started = time.monotonic()

    def __exit__(self, *_exc: object) -> None:
        TIMINGS[self.name] = round(time.monotonic() - self.started, 1)


@dataclass
class ComposeStack:
    project: ComposeProject
    url: str
    fake_kakao: FakeKakao

    @property
    def jwt_secret(self) -> str:
        secrets_dir = Path(self.project.settings["MYSITE_SECRETS_DIR"])
        return (secrets_dir / "auth_jwt_secret").read_text().strip()

    def client(self, **options: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **options)  # type: ignore[arg-type]

    def up(self, *args: str, timeout: float = 900) -> None:
        """`docker compose up --detach` (no build: the session built the images once), then
        wait until the gateway routes to every service."""
        self.project.run("up", "--detach", "--no-build", *args, timeout=timeout)
        self.wait_until_routable(timeout)

    def wait_until_routable(self, timeout: float = 900) -> None:
        # Compose has returned, so every container it meant to start has been started.
        failed = self.project.failed_containers()
        assert not failed, f"`docker compose up` left {', '.join(failed)}"
        wait_until(
            lambda: routes_to_every_service(self.url, (OWNER_USERNAME, OWNER_PASSWORD)),
            timeout,
            f"the gateway at {self.url} does not route to every service",
        )


def require_docker_engine() -> None:
    if docker_engine_answers():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(
            "CI: no Docker Engine answers `docker info`, so the Compose tests cannot run; "
            ".ci/prerequisites installs and starts it (see .data/logs/dockerd.log)",
            pytrace=False,
        )
    pytest.skip("no Docker Engine answers `docker info` (`make prerequisites` starts one)")


def project_settings(port: int, kakao: FakeKakao, directory: Path) -> dict[str, str]:
    """What a deployer's .env and secret files hold, for the test project: fresh secrets
    written as deploy/compose/make_env.py writes them, the owner, a private port, the fake
    Kakao. Returns the .env part; the secrets are files in `directory`/secrets."""
    values = generated_values(OWNER_USERNAME, domain="")
    values.update(
        {
            "MYSITE_ADMIN_PASSWORD": OWNER_PASSWORD,
            "KAKAO_CLIENT_SECRET": kakao.client_secret or "",
        }
    )
    secrets_dir = directory / "secrets"
    write_secret_files(secrets_dir, values)
    settings = {name: value for name, value in values.items() if name not in SECRET_FILES}
    settings.update(RATES)
    settings.update(
        {
            "MYSITE_SECRETS_DIR": str(secrets_dir),
            "MYSITE_PORT": str(port),
            "MYSITE_HTTP_PORT": str(port),
            "MYSITE_HTTP_ADDRESS": "127.0.0.1",
            "MYSITE_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "MYSITE_LOG_LEVEL": "INFO",
            # compose.yaml names the project's own networks and Docker view after it.
            "COMPOSE_PROJECT_NAME": PROJECT_NAME,
            # Images of its own tag, so a developer's images stay as they built them.
            "MYSITE_IMAGE_TAG": "compose-test",
            "KAKAO_REST_API_KEY": kakao.client_id,
            "KAKAO_AUTH_URL": kakao.url,
            "KAKAO_API_URL": kakao.url,
        }
    )
    return settings


@pytest.fixture(scope="package")
def fake_kakao() -> Iterator[FakeKakao]:
    require_docker_engine()
    with FakeKakao(client_secret=secrets.token_urlsafe(16), host=default_bridge_gateway()) as kakao:
        yield kakao


@pytest.fixture(scope="package")
def compose_stack(
    request: pytest.FixtureRequest,
    fake_kakao: FakeKakao,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ComposeStack]:
    require_docker_engine()
    port = free_port()
    directory = tmp_path_factory.mktemp("compose")
    project = ComposeProject(
        name=PROJECT_NAME,
        directory=directory,
        settings=project_settings(port, fake_kakao, directory),
    )
    stack = ComposeStack(project=project, url=f"http://127.0.0.1:{port}", fake_kakao=fake_kakao)
    fake_kakao.redirect_uris.add(stack.url + CALLBACK_PATH)
    # A stack left behind by an interrupted run would hold the volumes and the names.
    project.run("down", "--volumes", "--remove-orphans", "--timeout", "5", check=False)
    try:
        with Timed("base images and wheelhouse"):
            # As `make compose-up`: the official bases where a registry answers, else local
            # stand-ins from Debian's packages and the wheelhouse.
            project.settings.update(base_image_settings("auto"))
        with Timed("build images"):
            project.run("build", timeout=3600)
        with Timed("up until routable"):
            stack.up()
        yield stack
    finally:
        if request.session.testsfailed:
            project.save_logs(ARTIFACTS)
        with Timed("down with volumes"):
            project.run("down", "--volumes", "--remove-orphans", "--timeout", "10", check=False)
        write_results()


def write_results() -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    results = {"seconds": TIMINGS, "faults_under_load": FAULTS}
    (ARTIFACTS / "results.json").write_text(json.dumps(results, indent=2) + "\n")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TIMINGS:
        parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in TIMINGS.items())
        terminalreporter.write_line(f"compose: {parts}")
    for fault, summary in FAULTS.items():
        terminalreporter.write_line(
            f"compose: {fault}: {summary['failed']} of {summary['requests']} requests failed"
        )
