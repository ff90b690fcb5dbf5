"""The whole mysite stack as local processes: each service's replicas behind real Traefik.

Used by `make up` (the CLI in __main__.py), the end-to-end tests and the benchmarks, so all
three run exactly the same thing.
"""

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

from mysite_common.provision import DEFAULT_PREFIX, drop_mariadb, provision_mariadb
from mysite_common.services import SERVICES
from mysite_stack.processes import ManagedProcess, wait_for
from mysite_stack.secrets import read_secret, secret_file

logger = logging.getLogger("mysite_stack")

# One anonymous GET per service through the gateway, answered by the service itself, free of
# rate limits (a probe repeated at start must not use up a visitor's login allowance).
ROUTING_PROBES = {
    "auth": "/api/auth/refresh",  # 405: refresh is POST only
    "site": "/api/site/hello",
    "chatbot": "/api/chat/info",
    "kakao": "/api/kakao/status",  # 401 for anonymous visitors
}
REPO_ROOT = Path(__file__).resolve().parents[2]


class StackError(RuntimeError):
    """The stack could not start; the message says which part and why."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def parse_scale(text: str) -> dict[str, int]:
    """'chatbot=2,site=3' -> {'chatbot': 2, 'site': 3}"""
    scale: dict[str, int] = {}
    for part in filter(None, (item.strip() for item in text.split(","))):
        name, _, count = part.partition("=")
        if name not in SERVICES or not count.isdigit() or not 1 <= int(count) <= 16:
            raise StackError(
                f"--scale takes SERVICE=N (N from 1 to 16) for {', '.join(SERVICES)}; got {part!r}"
            )
        scale[name] = int(count)
    return scale


@dataclass
class StackOptions:
    data_dir: Path
    port: int = 8000
    scale: dict[str, int] = field(default_factory=dict)
    # An account allowed to create databases and users; None: one SQLite file per service.
    mariadb_admin_url: str | None = None
    database_prefix: str = DEFAULT_PREFIX
    extra_env: dict[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1"
    services: tuple[str, ...] = SERVICES
    # More dynamic configuration for the gateway (the benchmarks add their own routes).
    extra_gateway_files: tuple[Path, ...] = ()
    # Proxies in front of the gateway whose X-Forwarded-For it keeps (with
    # MYSITE_CLIENT_IP_DEPTH in extra_env); none when clients connect to it directly.
    trusted_proxies: tuple[str, ...] = ()


@dataclass
class Replica:
    service: str
    index: int
    port: int
    process: ManagedProcess

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class Stack:
    def __init__(self, options: StackOptions) -> None:
        self.options = options
        self.data_dir = options.data_dir.resolve()
        self.secrets_dir = self.data_dir / "secrets"
        self.logs_dir = self.data_dir / "logs"
        self.run_dir = self.data_dir / "run"
        self.internal_port = free_port()
        self.admin_port = free_port()
        self.database_urls: dict[str, str] = {}
        self.replicas: dict[str, list[Replica]] = {}
        self.gateway: ManagedProcess | None = None
        self.owner_username = ""
        self.owner_password = ""

    # --- addresses ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.options.port}"

    @property
    def internal_url(self) -> str:
        return f"http://127.0.0.1:{self.internal_port}"

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.admin_port}"

    def replica_count(self, service: str) -> int:
        return self.options.scale.get(service, 1)

    # --- preparing: secrets, databases, migrations, first-start data ----------------------

    def prepare(self) -> None:
        # Databases, secrets and logs: nobody but the person running the stack may read them.
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        self._ensure_owner_credentials()
        if self.options.mariadb_admin_url:
            prefix = self.options.database_prefix
            passwords = {
                service: read_secret(self.secrets_dir, f"db_{prefix}_{service}")
                for service in SERVICES
            }
            try:
                self.database_urls = provision_mariadb(
                    self.options.mariadb_admin_url, passwords, self.options.database_prefix
                )
            except Exception as exc:
                raise StackError(f"could not provision MariaDB databases: {exc}") from exc
        else:
            self.database_urls = {
                service: f"sqlite:///{self.data_dir / 'db' / f'{service}.sqlite3'}"
                for service in SERVICES
            }
        for service in self.options.services:
            self._run_once(service, "migrate")
        self._run_once("auth", "ensure-owner")
        if "site" in self.options.services:
            self._run_once("site", "seed-example", optional=True)

    def _ensure_owner_credentials(self) -> None:
        environment = {**os.environ, **self.options.extra_env}
        self.owner_username = environment.get("MYSITE_ADMIN_USERNAME") or "owner"
        if environment.get("MYSITE_ADMIN_PASSWORD"):
            self.owner_password = environment["MYSITE_ADMIN_PASSWORD"]
        else:
            self.owner_password = read_secret(self.secrets_dir, "admin_password")

    def _run_once(self, service: str, command: str, *, optional: bool = False) -> None:
        result = subprocess.run(
            [sys.executable, "-m", f"mysite_{service}", command],
            env=self.service_env(service),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode == 0:
            return
        if optional and "invalid choice" in result.stderr:
            return  # that service has no such step (yet)
        output = (result.stdout + result.stderr).strip().splitlines()[-15:]
        raise StackError(
            f"`{service} {command}` failed (exit {result.returncode}):\n" + "\n".join(output)
        )

    def service_env(self, service: str) -> dict[str, str]:
        prefix = service.upper()
        env = {
            **os.environ,
            "MYSITE_ENV": os.environ.get("MYSITE_ENV", "development"),
            "MYSITE_DATA_DIR": str(self.data_dir),
            "MYSITE_PUBLIC_URL": self.url,
            "PYTHONUNBUFFERED": "1",
            f"{prefix}_DATABASE_URL": self.database_urls.get(service, ""),
        }
        env.pop("MYSITE_DATABASE_URL", None)  # the admin account is for provisioning only
        env.update(self.options.extra_env)
        if service != "auth":
            # Only auth creates the owner's account; no other process holds its password.
            env.pop("MYSITE_ADMIN_PASSWORD", None)
        if service == "auth":
            env["AUTH_JWT_SECRET_FILE"] = str(secret_file(self.secrets_dir, "auth_jwt_secret"))
            env["MYSITE_ADMIN_USERNAME"] = self.owner_username
            if not env.get("MYSITE_ADMIN_PASSWORD"):
                env["AUTH_ADMIN_PASSWORD_FILE"] = str(
                    secret_file(self.secrets_dir, "admin_password")
                )
        elif service == "chatbot":
            env.setdefault("CHATBOT_SITE_URL", self.internal_url)
        elif service == "kakao":
            env["KAKAO_TOKEN_KEY_FILE"] = str(secret_file(self.secrets_dir, "kakao_token_key"))
            env.setdefault("KAKAO_SITE_URL", self.url)
        if service in ("site", "chatbot") and "kakao" in self.options.services:
            # Where they tell kakao what the owner should hear about (gateway/local/services.yml).
            env.setdefault(f"{prefix}_KAKAO_URL", self.internal_url)
        return env

    # --- running ---------------------------------------------------------------------------

    def start(self, timeout: float = 90.0) -> None:
        started = time.monotonic()
        for service in self.options.services:
            self.replicas[service] = []
            for index in range(self.replica_count(service)):
                replica = self._new_replica(service, index)
                self.replicas[service].append(replica)
                replica.process.start()
        self._start_gateway()
        self.wait_healthy(timeout - (time.monotonic() - started))

    def _new_replica(self, service: str, index: int, port: int | None = None) -> Replica:
        port = port or free_port()
        command = [
            sys.executable, "-m", f"mysite_{service}", "serve", "--host", "127.0.0.1",
            "--port", str(port),
        ]  # fmt: skip
        process = ManagedProcess(
            name=f"{service}-{index + 1}",
            command=command,
            env=self.service_env(service),
            log_path=self.logs_dir / f"{service}-{index + 1}.log",
        )
        return Replica(service, index, port, process)

    def gateway_env(self) -> dict[str, str]:
        # One auth replica: member and owner checks call it directly, saving a proxy hop on
        # every protected request; several: through the balancing internal entry point.
        auth_replicas = self.replicas.get("auth", [])
        auth_url = auth_replicas[0].url if len(auth_replicas) == 1 else self.internal_url
        env = {
            **{key: value for key, value in os.environ.items() if key != "MYSITE_ADMIN_PASSWORD"},
            "MYSITE_GATEWAY_INTERNAL_URL": self.internal_url,
            "MYSITE_AUTH_URL": auth_url,
            "MYSITE_SERVICE_SUFFIX": "",
            **{
                key: value
                for key, value in self.options.extra_env.items()
                if key.startswith("MYSITE_RATE_") or key == "MYSITE_CLIENT_IP_DEPTH"
            },
        }
        for service, replicas in self.replicas.items():
            env[f"MYSITE_{service.upper()}_URLS"] = ",".join(replica.url for replica in replicas)
        return env

    def _write_gateway_config(self) -> Path:
        dynamic_dir = self.run_dir / "gateway"
        if dynamic_dir.exists():
            shutil.rmtree(dynamic_dir)
        dynamic_dir.mkdir(parents=True)
        sources = [
            *sorted((REPO_ROOT / "gateway" / "dynamic").glob("*.yml")),
            REPO_ROOT / "gateway" / "local" / "services.yml",
            *self.options.extra_gateway_files,
        ]
        for source in sources:
            shutil.copy(source, dynamic_dir / source.name)
        static = local_static_config(
            web=f"{self.options.host}:{self.options.port}",
            internal=f"127.0.0.1:{self.internal_port}",
            admin=f"127.0.0.1:{self.admin_port}",
            dynamic_dir=dynamic_dir,
            trusted_proxies=self.options.trusted_proxies,
        )
        path = self.run_dir / "traefik.yml"
        path.write_text(yaml.safe_dump(static, sort_keys=False))
        return path

    def _start_gateway(self) -> None:
        config = self._write_gateway_config()
        traefik = Path(sys.executable).parent / "traefik"
        if not traefik.exists():
            traefik = Path(shutil.which("traefik") or "traefik")
        self.gateway = ManagedProcess(
            name="gateway",
            command=[str(traefik), f"--configFile={config}"],
            env=self.gateway_env(),
            log_path=self.logs_dir / "gateway.log",
        )
        self.gateway.start()

    def all_processes(self) -> list[ManagedProcess]:
        processes = [replica.process for replicas in self.replicas.values() for replica in replicas]
        return processes + ([self.gateway] if self.gateway else [])

    def crashed(self) -> ManagedProcess | None:
        for process in self.all_processes():
            if process.process is not None and not process.running:
                return process
        return None

    def _ready(self, url: str) -> bool:
        try:
            return httpx.get(url, timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_healthy(self, timeout: float = 90.0) -> None:
        def everything_ready() -> bool:
            dead = self.crashed()
            if dead is not None:
                raise StackError(
                    f"{dead.name} stopped at start (exit {dead.exit_code}); its last output:\n"
                    f"{dead.last_lines()}"
                )
            replicas_ready = all(
                self._ready(f"{replica.url}/readyz")
                for replicas in self.replicas.values()
                for replica in replicas
            )
            return (
                replicas_ready
                and self._ready(f"{self.admin_url}/ping")
                and self._gateway_routes_ready()
                and self._gateway_sees_every_replica()
            )

        if not wait_for(everything_ready, max(timeout, 1.0), interval=0.2):
            waiting = [
                replica.process.name
                for replicas in self.replicas.values()
                for replica in replicas
                if not self._ready(f"{replica.url}/readyz")
            ]
            raise StackError(f"not healthy after {timeout:.0f}s: {', '.join(waiting) or 'gateway'}")

    def _gateway_routes_ready(self) -> bool:
        """The gateway has loaded its routes, reaches auth through ForwardAuth, and routes a
        request to every service: the answer comes from the service itself (it echoes an
        X-Request-Id), not the gateway's own 502/503/504."""
        try:
            if httpx.get(f"{self.url}/api/auth/me", timeout=2.0).status_code != 401:
                return False
            for service, path in ROUTING_PROBES.items():
                if service not in self.replicas:  # a stack of some services only
                    continue
                response = httpx.get(f"{self.url}{path}", timeout=2.0)
                if response.status_code >= 500 or "x-request-id" not in response.headers:
                    return False
        except httpx.HTTPError:
            return False
        return True

    def _gateway_sees_every_replica(self, replicas: list[Replica] | None = None) -> bool:
        """Every replica (or those given) is a healthy server of its gateway service, in
        Traefik's own view: a replica that was still warming up at the gateway's last health
        check gets no traffic until the next one passes."""
        try:
            metrics = httpx.get(f"{self.admin_url}/metrics", timeout=2.0).text
        except httpx.HTTPError:
            return False
        up = {
            line.split('url="', 1)[1].split('"', 1)[0]
            for line in metrics.splitlines()
            if line.startswith("traefik_service_server_up{") and line.endswith(" 1")
        }
        if replicas is None:
            replicas = [replica for group in self.replicas.values() for replica in group]
        return all(replica.url in up for replica in replicas)

    def stop(self) -> None:
        # Gateway first, so nothing new arrives while services finish their requests.
        if self.gateway:
            self.gateway.stop()
        processes = [replica.process for replicas in self.replicas.values() for replica in replicas]
        # All start draining together; stop() then ends each (nothing routes to them now).
        for process in processes:
            process.signal(signal.SIGTERM)
        for process in processes:
            process.stop()

    def drop_databases(self) -> None:
        if self.options.mariadb_admin_url:
            drop_mariadb(
                self.options.mariadb_admin_url, list(SERVICES), self.options.database_prefix
            )

    # --- operating on one replica (fault tests, scaling) ----------------------------------

    def replica(self, service: str, index: int = 0) -> Replica:
        return self.replicas[service][index]

    def stop_replica(self, service: str, index: int = 0, *, kill: bool = False) -> None:
        process = self.replica(service, index).process
        if kill:
            process.kill()
        else:
            process.stop()

    def start_replica(self, service: str, index: int = 0, timeout: float = 30.0) -> None:
        replica = self.replica(service, index)
        replica.process = self._new_replica(service, index, replica.port).process
        replica.process.start()
        if not wait_for(
            lambda: (
                self._ready(f"{replica.url}/readyz") and self._gateway_sees_every_replica([replica])
            ),
            timeout,
            0.1,
        ):
            state = "ready" if self._ready(f"{replica.url}/readyz") else "not ready"
            in_gateway = self._gateway_sees_every_replica([replica])
            raise StackError(
                f"{replica.process.name} at {replica.url} did not become ready (itself: {state};"
                f" a healthy server in the gateway: {in_gateway}):\n"
                f"{replica.process.last_lines()}"
            )

    def status_rows(self) -> list[tuple[str, str, str, str]]:
        rows = []
        for replicas in self.replicas.values():
            for replica in replicas:
                state = "ready" if self._ready(f"{replica.url}/readyz") else "not ready"
                rows.append((replica.process.name, str(replica.process.pid), replica.url, state))
        if self.gateway:
            state = "ready" if self._ready(f"{self.admin_url}/ping") else "not ready"
            rows.append(("gateway", str(self.gateway.pid), self.url, state))
        return rows


def local_static_config(
    *,
    web: str,
    internal: str,
    admin: str,
    dynamic_dir: Path,
    trusted_proxies: tuple[str, ...] = (),
) -> dict:  # type: ignore[type-arg]
    """Traefik's static configuration for local runs (Compose and ECS have their own files;
    routes and middlewares are shared through the dynamic configuration)."""
    web_entry_point: dict[str, object] = {
        "address": web,
        "http": {
            "middlewares": ["security-headers@file", "body-limit@file", "compress@file"],
            "aliasHeadersStrategy": "delete",
        },
        "transport": {"lifeCycle": {"graceTimeOut": "10s"}},
    }
    if trusted_proxies:
        web_entry_point["forwardedHeaders"] = {"trustedIPs": list(trusted_proxies)}
    return {
        "global": {"checkNewVersion": False, "sendAnonymousUsage": False},
        "entryPoints": {
            "web": web_entry_point,
            # ForwardAuth through the loopback entry point: its X-Forwarded-* are the gateway's.
            "internal": {
                "address": internal,
                "forwardedHeaders": {"trustedIPs": ["127.0.0.1/32"]},
                "http": {"aliasHeadersStrategy": "delete"},
            },
            "traefik": {"address": admin},
        },
        "ping": {"entryPoint": "traefik", "manualRouting": True},
        "metrics": {
            "prometheus": {
                "entryPoint": "traefik",
                "addRoutersLabels": True,
                "addServicesLabels": True,
            }
        },
        "log": {"level": "WARN", "format": "json"},
        "accessLog": {
            "format": "json",
            "fields": {
                "defaultMode": "keep",
                # Paths without their query: it can carry one-time secrets (OAuth codes).
                "queryParameters": {"defaultMode": "drop"},
                "headers": {
                    "defaultMode": "drop",
                    "names": {"X-Request-Id": "keep", "User-Agent": "keep"},
                },
            },
        },
        "providers": {"file": {"directory": str(dynamic_dir), "watch": True}},
    }
