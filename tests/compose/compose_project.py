"""The Compose stack under test: one Compose project of its own (name, port, volumes), driven
with the same `docker compose` a deployer types.

It never touches a developer's own stack: its project name, published ports and image tag
are its own, it reads no `.env` from the repository, and it is taken down with its volumes
at the end.
"""

import ipaddress
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from mysite_stack.compose import compose_command

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "compose.yaml"
COMPOSE_PROD_FILE = REPO / "compose.prod.yaml"
HERE = Path(__file__).resolve().parent
TEST_OVERRIDE_FILE = HERE / "compose.test.yaml"
TEST_PROD_OVERRIDE_FILE = HERE / "compose.prod-test.yaml"

# Settings a developer may have exported for their own stack; the test stack sets its own.
_INHERITED_PREFIXES = ("MYSITE_", "AUTH_", "SITE_", "CHATBOT_", "KAKAO_", "COMPOSE_")


def docker_engine_answers() -> bool:
    try:
        result = subprocess.run(["docker", "info"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def docker(*args: str, timeout: float = 120, check: bool = True) -> str:
    result = subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def default_bridge_gateway() -> str:
    """The host's address on Docker's default bridge (docker0): the one address of the host
    that both this process and every container reach, so host-side fakes listen there."""
    config = json.loads(docker("network", "inspect", "bridge", "--format", "{{json .IPAM.Config}}"))
    for entry in config:
        if entry.get("Gateway"):
            return str(entry["Gateway"])
        if entry.get("Subnet"):
            # Engine 20.10 reports only the subnet; the bridge takes its first address.
            return str(next(ipaddress.ip_network(entry["Subnet"]).hosts()))
    raise RuntimeError("Docker's default bridge has no address")


@dataclass
class ComposeProject:
    """`docker compose -p NAME -f ... --env-file ...` with an environment of its own."""

    name: str
    directory: Path  # holds the env file; private to the test session
    settings: dict[str, str]  # the variables compose.yaml reads (.env's contents)
    files: list[Path] = field(default_factory=lambda: [COMPOSE_FILE, TEST_OVERRIDE_FILE])

    @property
    def env_file(self) -> Path:
        return self.directory / "compose-test.env"

    def write_env_file(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        lines = [f"{name}={value}" for name, value in sorted(self.settings.items())]
        self.env_file.write_text("\n".join(lines) + "\n")
        self.env_file.chmod(0o600)

    def environment(self) -> dict[str, str]:
        inherited = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(_INHERITED_PREFIXES)
        }
        return {**inherited, **self.settings}

    def command(self, *args: str) -> list[str]:
        files = [argument for path in self.files for argument in ("-f", str(path))]
        return [
            *compose_command(),
            "--project-name",
            self.name,
            "--project-directory",
            str(REPO),
            "--env-file",
            str(self.env_file),
            *files,
            *args,
        ]

    def run(self, *args: str, timeout: float = 900, check: bool = True) -> str:
        self.write_env_file()
        result = subprocess.run(
            self.command(*args),
            cwd=REPO,
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"docker compose {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
        return result.stdout + result.stderr

    # --- containers -----------------------------------------------------------------------

    def container_ids(self, service: str) -> list[str]:
        """The running containers of one service, by their replica number."""
        ids = self.run("ps", "--quiet", service).split()
        numbered = []
        for container_id in ids:
            number = docker(
                "inspect",
                "--format",
                '{{index .Config.Labels "com.docker.compose.container-number"}}',
                container_id,
            ).strip()
            numbered.append((int(number), container_id))
        return [container_id for _, container_id in sorted(numbered)]

    def inspect(self, container_id: str) -> dict[str, Any]:
        (details,) = json.loads(docker("inspect", container_id))
        return dict(details)

    def crash(self, container_id: str) -> None:
        """SIGKILL to the container's main process from the host, as the kernel's OOM killer
        would end it. (`docker kill` would count as stopped by hand: no restart.)"""
        pid = int(self.inspect(container_id)["State"]["Pid"])
        os.kill(pid, signal.SIGKILL)

    def logs(self, container_id: str) -> list[dict[str, object]]:
        """A container's JSON log lines (every service logs one JSON object a line)."""
        result = subprocess.run(
            ["docker", "logs", container_id],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        lines = []
        for line in (result.stdout + result.stderr).splitlines():
            if line.startswith("{"):
                try:
                    lines.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return lines

    def containers(self) -> list[dict[str, Any]]:
        """Every container of the project, one-shot ones included, as `compose ps` lists it."""
        text = self.run("ps", "--all", "--format", "json").strip()
        if text.startswith("["):
            return list(json.loads(text))
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def failed_containers(self) -> list[str]:
        """Containers that will not come up by waiting: the one-shot job failed, a server
        exited, or Compose created a container and never started it (it exits 0 after some
        errors, e.g. a secret it could not create)."""
        failed = []
        for container in self.containers():
            name, state = container["Name"], container["State"]
            if container["Service"] == "provision":
                if state == "exited" and int(container.get("ExitCode", 1)) != 0:
                    failed.append(f"{name} exited {container['ExitCode']}")
            elif state in ("exited", "dead", "created"):
                failed.append(f"{name} is {state}")
        return failed

    def save_logs(self, destination: Path) -> None:
        """Every container's log, for a failed CI run."""
        destination.mkdir(parents=True, exist_ok=True)
        (destination / f"{self.name}.log").write_text(
            self.run("logs", "--no-color", "--timestamps", check=False, timeout=120)
        )


def wait_until(condition: object, timeout: float, message: str, interval: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} (after {timeout:.0f} s)")
        time.sleep(interval)


def routes_to_every_service(base_url: str, owner: tuple[str, str]) -> bool:
    """True once the gateway routes to every service: each answers a request of its own
    (an anonymous one where the service has a public route, the owner's elsewhere)."""
    username, password = owner
    try:
        with httpx.Client(base_url=base_url, timeout=5, verify=False) as client:  # noqa: S501
            if client.post("/api/auth/login", json={}).status_code != 422:
                return False  # auth itself refuses an empty body; the gateway cannot
            login = client.post(
                "/api/auth/login", json={"username": username, "password": password}
            )
            if login.status_code != 200:
                return False
            as_owner = {"Authorization": f"Bearer {login.json()['access_token']}"}
            return (
                client.get("/api/site/profile").status_code == 200
                and client.get("/api/chat/whoami").status_code == 200
                and client.get("/api/kakao/status", headers=as_owner).status_code == 200
            )
    except httpx.HTTPError:
        return False
