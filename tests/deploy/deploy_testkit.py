"""Helpers for tests/deploy: Compose files as Compose reads them, and the real Traefik run
against a stand-in Docker Engine API."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import yaml

from mysite_common.services import SERVICES as SERVICES  # the deploy tests import it from here

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "compose.yaml"
COMPOSE_PROD = REPO / "compose.prod.yaml"

# --- Compose --------------------------------------------------------------------------------

_EXPRESSION = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?])?(?P<arg>.*)\Z", re.S)


class MissingVariableError(ValueError):
    pass


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    """Compose's variable interpolation: ${A}, ${A:-default}, ${A-default}, ${A:?error},
    ${A?error}, $$ (a literal $), and defaults that are themselves variables
    (${A:-${B:-default}})."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value
    return _expand(value, env)


def _expand(text: str, env: Mapping[str, str]) -> str:
    out = []
    position = 0
    while position < len(text):
        if text.startswith("$$", position):
            out.append("$")
            position += 2
        elif text.startswith("${", position):
            end = _closing_brace(text, position + 2)
            out.append(_substitute(text[position + 2 : end], env))
            position = end + 1
        else:
            out.append(text[position])
            position += 1
    return "".join(out)


def _closing_brace(text: str, start: int) -> int:
    depth = 1
    for index in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return index
    raise ValueError(f"unclosed ${{ in {text!r}")


def _substitute(expression: str, env: Mapping[str, str]) -> str:
    match = _EXPRESSION.match(expression)
    if not match:
        raise ValueError(f"bad variable ${{{expression}}}")
    name, op, arg = match.group("name"), match.group("op"), match.group("arg")
    if not op and arg:
        raise ValueError(f"bad variable ${{{expression}}}")
    current = env.get(name)
    unset_or_empty = current is None or (op is not None and op.startswith(":") and not current)
    if op in (":-", "-"):
        return _expand(arg, env) if unset_or_empty else str(current)
    if op in (":?", "?"):
        if unset_or_empty:
            raise MissingVariableError(f"{name}: {_expand(arg, env)}")
        return str(current)
    return current or ""


def load_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def _merge(base: Any, override: Any, key: str = "") -> Any:
    """Compose's merge of an override file (the parts our files use)."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for name, value in override.items():
            merged[name] = _merge(base[name], value, name) if name in base else value
        return merged
    if isinstance(base, list) and isinstance(override, list):
        if key in ("command", "entrypoint"):
            return override
        return base + [item for item in override if item not in base]
    return override


def load_compose(*paths: Path, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The Compose model after merging the files and interpolating variables from `env`."""
    model: dict[str, Any] = {}
    for path in paths:
        model = _merge(model, load_yaml(path))
    return interpolate(model, env or {})


def example_env() -> dict[str, str]:
    """The variables of .env.example, filled the way deploy/compose/make_env.py fills them."""
    values: dict[str, str] = {}
    for line in (REPO / ".env.example").read_text(encoding="utf-8").splitlines():
        name, separator, value = line.partition("=")
        if separator and not line.startswith("#"):
            values[name.strip()] = value
    values.update(MYSITE_DOMAIN="example.org", MYSITE_PUBLIC_URL="https://example.org")
    return values


# --- running the real Traefik ------------------------------------------------------------------


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def traefik_binary() -> str:
    candidate = Path(sys.executable).parent / "traefik"
    return str(candidate) if candidate.exists() else shutil.which("traefik") or "traefik"


def copy_dynamic_config(target: Path, extra: tuple[Path, ...] = ()) -> Path:
    """What the gateway image bakes into /etc/traefik/dynamic (gateway/Dockerfile)."""
    target.mkdir(parents=True, exist_ok=True)
    for source in [*sorted((REPO / "gateway" / "dynamic").glob("*.yml")), *extra]:
        shutil.copy(source, target / source.name)
    return target


@dataclass
class RunningTraefik:
    web_url: str
    admin_url: str
    log_path: Path

    def api(self, path: str) -> Any:
        return httpx.get(f"{self.admin_url}/api/{path}", timeout=5).json()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextmanager
def run_traefik(
    static: dict[str, Any], env: Mapping[str, str], workdir: Path
) -> Iterator[RunningTraefik]:
    """Starts Traefik with `static` (its admin API on the `traefik` entry point) and waits
    for /ping."""
    config_path = workdir / "traefik-static.yml"
    config_path.write_text(yaml.safe_dump(static, sort_keys=False), encoding="utf-8")
    log_path = workdir / "traefik.log"
    admin_url = "http://" + static["entryPoints"]["traefik"]["address"]
    web_url = "http://" + static["entryPoints"]["web"]["address"]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [traefik_binary(), f"--configFile={config_path}"],
            env={"PATH": os.environ.get("PATH", ""), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise AssertionError(
                    f"traefik exited {process.returncode}:\n{log_path.read_text()}"
                )
            try:
                if httpx.get(f"{admin_url}/ping", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"traefik did not answer /ping:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield RunningTraefik(web_url, admin_url, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def local_addresses(static: dict[str, Any]) -> dict[str, Any]:
    """A copy of a container static configuration with every entry point on a free loopback
    port, and the admin API switched on (for the tests to read what Traefik built)."""
    copy = json.loads(json.dumps(static))
    for entry_point in copy["entryPoints"].values():
        entry_point["address"] = f"127.0.0.1:{free_port()}"
    copy["api"] = {"insecure": True, "dashboard": False}
    return copy


class QuietServer(ThreadingHTTPServer):
    """A threaded HTTP server that does not print the connections Traefik drops."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


ENGINE_VERSION = {"Version": "27.0.0", "ApiVersion": "1.45", "MinAPIVersion": "1.24"}

# --- a stand-in Docker Engine API --------------------------------------------------------------


@dataclass
class FakeContainer:
    service: str
    number: int
    labels: dict[str, str]
    ip: str
    health: str = "healthy"
    network: str = "mysite-backend"
    project: str = "mysite"

    @property
    def id(self) -> str:
        return f"{self.service}{self.number:02d}".ljust(64, "0")

    @property
    def name(self) -> str:
        return f"{self.project}-{self.service}-{self.number}"

    def all_labels(self) -> dict[str, str]:
        return {
            **self.labels,
            "com.docker.compose.project": self.project,
            "com.docker.compose.service": self.service,
            "com.docker.compose.container-number": str(self.number),
        }

    def summary(self) -> dict[str, Any]:
        return {
            "Id": self.id,
            "Names": [f"/{self.name}"],
            "Image": f"mysite-{self.service}",
            "State": "running",
            "Status": f"Up ({self.health})",
            "Labels": self.all_labels(),
            "NetworkSettings": {"Networks": {self.network: {"IPAddress": self.ip}}},
        }

    def inspect(self) -> dict[str, Any]:
        return {
            "Id": self.id,
            "Name": f"/{self.name}",
            "State": {"Status": "running", "Running": True, "Health": {"Status": self.health}},
            "Config": {"Labels": self.all_labels(), "Hostname": self.id[:12], "Env": []},
            "HostConfig": {"NetworkMode": self.network},
            "NetworkSettings": {
                "Networks": {self.network: {"IPAddress": self.ip, "NetworkID": "backend"}},
                "Ports": {"8000/tcp": None},
            },
        }


@dataclass
class FakeDockerEngine:
    """Answers the few Engine API calls Traefik's Docker provider makes (version
    negotiation, container list and inspect, the event stream) from a list of containers."""

    containers: list[FakeContainer] = field(default_factory=list)

    @contextmanager
    def serve(self) -> Iterator[str]:
        engine = self
        stopping = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, body: Any, status: int = 200) -> None:
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Api-Version", "1.45")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            def do_HEAD(self) -> None:
                self.do_GET()

            def do_GET(self) -> None:
                path = re.sub(r"^/v[0-9.]+", "", self.path.split("?")[0])
                if path == "/_ping":
                    self._send("OK")
                elif path == "/version":
                    self._send(ENGINE_VERSION)
                elif path == "/info":
                    self._send({"Name": "fake", "Swarm": {"LocalNodeState": "inactive"}})
                elif path == "/containers/json":
                    self._send([container.summary() for container in engine.containers])
                elif path.startswith("/containers/") and path.endswith("/json"):
                    wanted = path.split("/")[2]
                    found = [c for c in engine.containers if c.id.startswith(wanted)]
                    self._send(found[0].inspect() if found else {"message": "no such container"},
                               200 if found else 404)  # fmt: skip
                elif path == "/events":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    stopping.wait()
                else:
                    self._send({"message": f"not faked: {path}"}, 404)

        server = QuietServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"tcp://127.0.0.1:{server.server_address[1]}"
        finally:
            stopping.set()
            server.shutdown()
            server.server_close()


# --- stand-in services ---------------------------------------------------------------------------


@dataclass
class FakeReplica:
    """One replica of a service on its own loopback address and the port its labels name:
    it says who it is, and its /readyz can be switched off."""

    service: str
    number: int
    ip: str
    port: int
    ready: bool = True
    server: QuietServer | None = None

    def start(self) -> None:
        replica = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                status = 200
                if path == "/readyz" and not replica.ready:
                    status = 503
                body = json.dumps({"service": replica.service, "replica": replica.number,
                                   "path": path}).encode()  # fmt: skip
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                self.do_GET()

        self.server = QuietServer((self.ip, self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
