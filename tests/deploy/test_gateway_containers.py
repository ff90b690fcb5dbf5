"""The gateway's container configurations, run in the real Traefik (the release the gateway
image is built from): Compose's Docker provider against a stand-in Docker Engine API that
serves the containers compose.yaml would create, ECS's provider against a stand-in ECS API,
and production's HTTPS entry points. Nothing here needs Docker or AWS."""

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import pytest
from deploy_testkit import (
    COMPOSE,
    REPO,
    SERVICES,
    FakeContainer,
    FakeDockerEngine,
    FakeReplica,
    QuietServer,
    RunningTraefik,
    copy_dynamic_config,
    example_env,
    free_port,
    load_compose,
    load_yaml,
    local_addresses,
    run_traefik,
)

from mysite_stack.stack import local_static_config

CHATBOT_REPLICAS = 3


def wait_until(condition: Any, timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def loopback_block() -> str:
    """A 127.x.y.0/24 of this run (every address of 127/8 is this machine's own)."""
    for second in range(90, 250):
        base = f"127.{second}.{int(time.time()) % 200 + 1}"
        try:
            with socket.socket() as probe:
                probe.bind((f"{base}.2", 8000))
            return base
        except OSError:
            continue
    pytest.skip("no free loopback address with port 8000")


def routers_by_name(traefik: RunningTraefik) -> dict[str, dict[str, Any]]:
    return {router["name"]: router for router in traefik.api("http/routers")}


def public_routes(routers: dict[str, dict[str, Any]], suffix: str) -> dict[str, dict[str, Any]]:
    """The routers on the public `web` entry point, with the services' provider suffix
    taken off, as comparable dictionaries."""
    public = {}
    for name, router in routers.items():
        if "web" not in router.get("entryPoints", []):
            continue
        service = router["service"]
        public[name] = {
            "rule": router["rule"],
            "priority": router.get("priority"),
            "middlewares": router.get("middlewares", []),
            "entryPoints": router["entryPoints"],
            "service": service.removesuffix(suffix) if suffix else service,
        }
    return public


@pytest.fixture(scope="module")
def compose_gateway(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RunningTraefik, list[FakeReplica]]]:
    """compose.yaml's gateway (gateway/traefik.yml, the shared dynamic files, the Compose
    environment) in front of `docker compose up --scale chatbot=3`: one stand-in container
    per replica with the labels compose.yaml gives it, each on its own address."""
    model = load_compose(COMPOSE, env=example_env())
    block = loopback_block()
    containers: list[FakeContainer] = []
    replicas: list[FakeReplica] = []
    host = 2
    for service in SERVICES:
        labels = model["services"][service]["labels"]
        port = int(labels[f"traefik.http.services.{service}.loadbalancer.server.port"])
        for number in range(1, (CHATBOT_REPLICAS if service == "chatbot" else 1) + 1):
            ip = f"{block}.{host}"
            host += 1
            containers.append(FakeContainer(service, number, labels, ip))
            replica = FakeReplica(service, number, ip, port)
            replica.start()
            replicas.append(replica)
    # A fourth chatbot container still starting (Docker health "starting"): not routed yet.
    starting_ip = f"{block}.{host}"
    containers.append(FakeContainer("chatbot", 4, model["services"]["chatbot"]["labels"],
                                    starting_ip, health="starting"))  # fmt: skip
    starting = FakeReplica("chatbot", 4, starting_ip, 8000)
    starting.start()
    replicas.append(starting)

    work = tmp_path_factory.mktemp("compose-gateway")
    static = local_addresses(load_yaml(REPO / "gateway" / "traefik.yml"))
    static["providers"]["file"]["directory"] = str(
        copy_dynamic_config(work / "dynamic", (REPO / "gateway" / "tls-prod.yml",))
    )
    environment = {
        key: str(value) for key, value in model["services"]["gateway"]["environment"].items()
    }
    # compose.yaml's value, with the loopback address this test gave the entry point.
    assert environment["MYSITE_AUTH_URL"] == "http://127.0.0.1:8081"
    internal = "http://" + static["entryPoints"]["internal"]["address"]
    environment["MYSITE_AUTH_URL"] = environment["MYSITE_GATEWAY_INTERNAL_URL"] = internal
    try:
        with FakeDockerEngine(containers).serve() as endpoint:
            static["providers"]["docker"]["endpoint"] = endpoint
            with run_traefik(static, environment, work) as traefik:
                wait_until(lambda: len(_servers(traefik, "chatbot@docker")) == CHATBOT_REPLICAS,
                           what="the chatbot replicas in Traefik")  # fmt: skip
                yield traefik, replicas
    finally:
        for replica in replicas:
            replica.stop()


def _servers(traefik: RunningTraefik, service: str) -> dict[str, str]:
    for entry in traefik.api("http/services"):
        if entry["name"] == service:
            return dict(entry.get("serverStatus", {}))
    return {}


def test_every_shared_router_is_live_with_the_labelled_services(compose_gateway: Any) -> None:
    traefik, _ = compose_gateway
    routers = routers_by_name(traefik)
    broken = {name: r.get("error") for name, r in routers.items() if r["status"] != "enabled"}
    assert not broken, broken
    for service in SERVICES:
        assert _servers(traefik, f"{service}@docker"), f"{service}@docker has no server"


def test_containers_get_no_public_router_of_their_own(compose_gateway: Any) -> None:
    traefik, _ = compose_gateway
    for name, router in routers_by_name(traefik).items():
        if name.endswith("@docker"):
            assert router["entryPoints"] == ["unrouted"], name
    # A Host header naming a container reaches the shared routes, never the container.
    response = httpx.get(f"{traefik.web_url}/", headers={"Host": "auth-mysite"}, timeout=5)
    assert response.json()["service"] == "site"
    assert (
        httpx.get(f"{traefik.web_url}/healthz", headers={"Host": "auth-mysite"}).status_code == 403
    )


def test_scaled_service_spreads_requests_over_healthy_replicas(compose_gateway: Any) -> None:
    traefik, replicas = compose_gateway
    served = Counter(
        httpx.get(f"{traefik.web_url}/api/chat/faq", timeout=5).json()["replica"] for _ in range(30)
    )
    # Round robin over the three healthy replicas; the one still starting gets nothing.
    assert set(served) == {1, 2, 3}, served
    assert max(served.values()) - min(served.values()) <= 2, served

    second = next(r for r in replicas if r.service == "chatbot" and r.number == 2)
    second.ready = False
    try:
        wait_until(lambda: len(_servers(traefik, "chatbot@docker")) == 2
                   or "DOWN" in _servers(traefik, "chatbot@docker").values(),
                   what="the failing replica taken out")  # fmt: skip
        served = Counter(
            httpx.get(f"{traefik.web_url}/api/chat/faq", timeout=5).json()["replica"]
            for _ in range(20)
        )
        assert set(served) == {1, 3}, served
    finally:
        second.ready = True


def test_forward_auth_goes_through_the_internal_entry_point(compose_gateway: Any) -> None:
    traefik, _ = compose_gateway
    response = httpx.get(f"{traefik.web_url}/api/auth/me", timeout=5)
    # The stand-in auth answers 200 to /internal/verify, so the request goes on to auth.
    assert response.status_code == 200
    assert response.json() == {"service": "auth", "replica": 1, "path": "/api/auth/me"}


@pytest.fixture(scope="module")
def local_routes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The routers of the local gateway, exactly as the launcher configures it."""
    work = tmp_path_factory.mktemp("local-gateway")
    dynamic = copy_dynamic_config(work / "dynamic", (REPO / "gateway" / "local" / "services.yml",))
    static = local_static_config(
        web=f"127.0.0.1:{free_port()}",
        internal=f"127.0.0.1:{free_port()}",
        admin=f"127.0.0.1:{free_port()}",
        dynamic_dir=dynamic,
    )
    static["api"] = {"insecure": True, "dashboard": False}
    environment = {
        "MYSITE_SERVICE_SUFFIX": "",
        "MYSITE_AUTH_URL": "http://" + static["entryPoints"]["internal"]["address"],
        "MYSITE_GATEWAY_INTERNAL_URL": "http://" + static["entryPoints"]["internal"]["address"],
        **{f"MYSITE_{name.upper()}_URLS": "http://127.0.0.1:9" for name in SERVICES},
    }
    with run_traefik(static, environment, work) as traefik:
        return public_routes(routers_by_name(traefik), "")


def test_compose_routes_equal_the_local_routes(
    compose_gateway: Any, local_routes: dict[str, Any]
) -> None:
    traefik, _ = compose_gateway
    assert public_routes(routers_by_name(traefik), "@docker") == local_routes
    assert len(local_routes) >= 10


def test_web_entry_point_is_configured_like_the_local_one() -> None:
    local = local_static_config(web="x", internal="y", admin="z", dynamic_dir=Path("/d"))
    for config in ("traefik.yml", "traefik-prod.yml", "traefik-ecs.yml"):
        static = load_yaml(REPO / "gateway" / config)
        web = static["entryPoints"]["web"]
        assert web["http"]["middlewares"] == local["entryPoints"]["web"]["http"]["middlewares"]
        assert web["http"]["aliasHeadersStrategy"] == "delete"
        for entry_point in static["entryPoints"].values():
            assert entry_point.get("http", {}).get("aliasHeadersStrategy") == "delete", config
        assert static["accessLog"] == local["accessLog"], config
        assert static["ping"]["entryPoint"] == "traefik"


# --- ECS ------------------------------------------------------------------------------------


class FakeEcs:
    """Records the ECS API calls Traefik's ECS provider makes; answers: no tasks yet."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def serve(self) -> tuple[QuietServer, str]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                target = self.headers.get("X-Amz-Target", "")
                fake.calls.append((target.rsplit(".", 1)[-1], body))
                answer = json.dumps({"taskArns": []}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        server = QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}"


def test_ecs_configuration_reads_its_cluster_and_loads_the_shared_routes(tmp_path: Path) -> None:
    static = local_addresses(load_yaml(REPO / "gateway" / "traefik-ecs.yml"))
    static["providers"]["ecs"]["refreshSeconds"] = 1
    static["providers"]["file"]["directory"] = str(
        copy_dynamic_config(tmp_path / "dynamic", (REPO / "gateway" / "tls-prod.yml",))
    )
    fake = FakeEcs()
    server, endpoint = fake.serve()
    environment = {
        "MYSITE_SERVICE_SUFFIX": "@ecs",
        "MYSITE_AUTH_URL": "http://" + static["entryPoints"]["internal"]["address"],
        "MYSITE_GATEWAY_INTERNAL_URL": "http://" + static["entryPoints"]["internal"]["address"],
        "AWS_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    try:
        with run_traefik(static, environment, tmp_path) as traefik:
            wait_until(lambda: fake.calls, what="Traefik's first ECS call")
            routers = routers_by_name(traefik)
    finally:
        server.shutdown()
        server.server_close()
    assert fake.calls[0] == ("ListTasks", {"cluster": "mysite", "desiredStatus": "RUNNING"})
    services = {router["service"] for router in public_routes(routers, "").values()}
    assert services == {f"{name}@ecs" for name in SERVICES}


# --- production HTTPS ------------------------------------------------------------------------


def test_production_entry_points_redirect_to_https_and_serve_tls(tmp_path: Path) -> None:
    static = local_addresses(load_yaml(REPO / "gateway" / "traefik-prod.yml"))
    static["log"]["level"] = "DEBUG"
    # No network here: the ACME directory is a closed local port (the certificate request
    # fails and Traefik serves its default certificate meanwhile).
    acme = static["certificatesResolvers"]["letsencrypt"]["acme"]
    acme["storage"] = str(tmp_path / "acme.json")
    acme["caServer"] = f"http://127.0.0.1:{free_port()}/directory"
    static["providers"]["docker"]["endpoint"] = f"tcp://127.0.0.1:{free_port()}"
    static["providers"]["file"]["directory"] = str(
        copy_dynamic_config(tmp_path / "dynamic", (REPO / "gateway" / "tls-prod.yml",))
    )
    environment = {
        "MYSITE_SERVICE_SUFFIX": "@docker",
        "MYSITE_AUTH_URL": "http://" + static["entryPoints"]["internal"]["address"],
        "MYSITE_GATEWAY_INTERNAL_URL": "http://" + static["entryPoints"]["internal"]["address"],
        "MYSITE_DOMAIN": "example.org",
        "MYSITE_DOMAIN_ALIASES": "www.example.org",
    }
    with run_traefik(static, environment, tmp_path) as traefik:
        plain = "http://" + static["entryPoints"]["web-redirect"]["address"]
        response = httpx.get(f"{plain}/guestbook?page=2", headers={"Host": "example.org"})
        # Permanent: 301 for GET and HEAD, 308 (method kept) for the others.
        assert response.status_code == 301
        assert response.headers["location"] == "https://example.org/guestbook?page=2"
        post = httpx.post(f"{plain}/api/auth/login", headers={"Host": "example.org"})
        assert post.status_code == 308
        secure = "https://" + static["entryPoints"]["web"]["address"]
        # Traefik's fallback certificate is self-signed: only the TLS handshake matters here.
        answer = httpx.get(f"{secure}/", verify=False, headers={"Host": "example.org"})  # noqa: S501
        # TLS works; no container is running, so the router has no service yet.
        assert answer.status_code in (404, 503)
        # The letsencrypt resolver was asked for the default certificate of MYSITE_DOMAIN and
        # its aliases (it cannot get one here: no network).
        assert "Loading ACME certificates [example.org www.example.org]" in traefik.log()
