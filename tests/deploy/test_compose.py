"""compose.yaml and compose.prod.yaml, checked the way Compose reads them: the Compose
specification's JSON schema (tests/deploy/schemas/), then what the schema cannot know
(build contexts, dependencies, secrets, labels that must match the shared routes)."""

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from deploy_testkit import (
    COMPOSE,
    COMPOSE_PROD,
    REPO,
    SERVICES,
    MissingVariableError,
    example_env,
    load_compose,
    load_yaml,
)

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "compose-spec.json").read_text())
DURATION = re.compile(r"^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$")
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("duration")
def is_duration(value: object) -> bool:
    return not isinstance(value, str) or bool(DURATION.match(value))


def validate(model: dict[str, Any]) -> None:
    validator = jsonschema.Draft201909Validator(SCHEMA, format_checker=FORMATS)
    errors = sorted(validator.iter_errors(model), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


@pytest.fixture(scope="module")
def env() -> dict[str, str]:
    return example_env()


@pytest.fixture(scope="module")
def base(env: dict[str, str]) -> dict[str, Any]:
    return load_compose(COMPOSE, env=env)


@pytest.fixture(scope="module")
def prod(env: dict[str, str]) -> dict[str, Any]:
    return load_compose(COMPOSE, COMPOSE_PROD, env=env)


def test_the_schema_rejects_what_compose_rejects() -> None:
    """The shipped schema is strict where it matters (a typo is an error, not ignored)."""
    with pytest.raises(AssertionError, match="helthcheck"):
        validate({"services": {"web": {"image": "x", "helthcheck": {}}}})
    with pytest.raises(AssertionError, match="depends_on"):
        validate({"services": {"a": {"image": "x", "depends_on": {"b": {"condition": "done"}}}}})
    with pytest.raises(AssertionError, match="is not a 'duration'"):
        validate({"services": {"a": {"image": "x", "healthcheck": {"interval": "10 seconds"}}}})


@pytest.mark.parametrize("files", [(COMPOSE,), (COMPOSE_PROD,), (COMPOSE, COMPOSE_PROD)],
                         ids=["compose.yaml", "compose.prod.yaml", "merged"])  # fmt: skip
def test_files_match_the_compose_specification(
    files: tuple[Path, ...], env: dict[str, str]
) -> None:
    validate(load_compose(*files, env=env))


def test_production_refuses_to_start_without_a_domain(env: dict[str, str]) -> None:
    with pytest.raises(MissingVariableError, match="MYSITE_DOMAIN"):
        load_compose(COMPOSE, COMPOSE_PROD, env={**env, "MYSITE_DOMAIN": ""})


def test_every_build_context_and_dockerfile_exists(base: dict[str, Any]) -> None:
    built = {
        name: service["build"] for name, service in base["services"].items() if "build" in service
    }
    assert set(built) == {*SERVICES, "gateway", "provision", "docker-api"}
    for name, build in built.items():
        context = REPO / build["context"]
        assert context.is_dir(), f"{name}: no build context {context}"
        assert (context / build["dockerfile"]).is_file(), f"{name}: no {build['dockerfile']}"
        assert base["services"][name]["image"].endswith(":latest")  # MYSITE_IMAGE_TAG
    for name in SERVICES:
        # One Dockerfile for the four services, told which one by SERVICE...
        assert built[name]["dockerfile"] == "services/Dockerfile"
        assert built[name]["args"]["SERVICE"] == name
        assert "target" not in built[name]
    for name in ("provision", "docker-api"):
        # ...and for the jobs image, with every service: its `jobs` target.
        assert built[name]["dockerfile"] == "services/Dockerfile"
        assert built[name]["target"] == "jobs"
        assert "SERVICE" not in built[name]["args"]


def test_base_images_default_to_the_official_ones(base: dict[str, Any]) -> None:
    """A machine without a registry substitutes local stand-ins through these variables
    (deploy/images/offline_bases.py); everyone else gets the official images."""
    services = base["services"]
    assert services["mariadb"]["image"] == "mariadb:11.4"
    for name in [*SERVICES, "provision"]:
        args = services[name]["build"]["args"]
        assert args["PYTHON_IMAGE"] == "python:3.11-slim-bookworm"
        assert args["BUILD_IMAGE"] == "python:3.11-slim-bookworm"
        assert args["PIP_NO_INDEX"] == "false"
    assert services["gateway"]["build"]["args"]["TRAEFIK_IMAGE"] == "traefik:v3.7.15"
    offline = load_compose(
        COMPOSE,
        env={
            **example_env(),
            "MYSITE_PYTHON_IMAGE": "mysite-offline/python:x",
            "MYSITE_MARIADB_IMAGE": "mysite-offline/mariadb:x",
            "MYSITE_TRAEFIK_IMAGE": "mysite-offline/traefik:x",
            "MYSITE_PIP_NO_INDEX": "true",
        },
    )["services"]
    assert offline["mariadb"]["image"] == "mysite-offline/mariadb:x"
    assert offline["chatbot"]["build"]["args"]["PYTHON_IMAGE"] == "mysite-offline/python:x"
    # The builders' base follows the Python base unless the wheelhouse image is named.
    assert offline["chatbot"]["build"]["args"]["BUILD_IMAGE"] == "mysite-offline/python:x"
    with_wheels = load_compose(
        COMPOSE,
        env={
            **example_env(),
            "MYSITE_PYTHON_IMAGE": "mysite-offline/python:x",
            "MYSITE_BUILD_IMAGE": "mysite-wheelhouse:y",
        },
    )["services"]
    for name in [*SERVICES, "provision"]:
        assert with_wheels[name]["build"]["args"]["BUILD_IMAGE"] == "mysite-wheelhouse:y"
    assert offline["provision"]["build"]["args"]["PIP_NO_INDEX"] == "true"
    assert offline["gateway"]["build"]["args"]["TRAEFIK_IMAGE"] == "mysite-offline/traefik:x"


def test_only_the_gateway_is_published(base: dict[str, Any], prod: dict[str, Any]) -> None:
    for model in (base, prod):
        published = {name for name, service in model["services"].items() if service.get("ports")}
        assert published == {"gateway"}
        for name, service in model["services"].items():
            # A fixed container name would make `--scale` impossible.
            assert "container_name" not in service, name
            assert "network_mode" not in service, name
    assert base["services"]["gateway"]["ports"] == ["0.0.0.0:80:8000"]
    assert prod["services"]["gateway"]["ports"] == ["0.0.0.0:80:8000", "0.0.0.0:443:8443"]


def test_services_start_only_after_the_provisioning_job(base: dict[str, Any]) -> None:
    services = base["services"]
    for name in SERVICES:
        assert services[name]["depends_on"] == {
            "provision": {"condition": "service_completed_successfully"}
        }
        assert services[name]["restart"] == "unless-stopped"
    job = services["provision"]
    assert job["depends_on"] == {"mariadb": {"condition": "service_healthy"}}
    assert job["restart"] == "no"
    mariadb = services["mariadb"]
    assert mariadb["healthcheck"]["test"][0] == "CMD"
    assert any(volume.endswith(":/var/lib/mysql") for volume in mariadb["volumes"])
    volume_name = mariadb["volumes"][0].split(":")[0]
    assert volume_name in base["volumes"]


def test_mariadb_is_on_an_internal_network_the_gateway_cannot_reach(base: dict[str, Any]) -> None:
    services = base["services"]
    assert base["networks"]["database"] == {"internal": True}
    assert services["mariadb"]["networks"] == ["database"]
    assert "database" not in services["gateway"]["networks"]
    for name in SERVICES:
        assert set(services[name]["networks"]) == {"backend", "database"}


def test_every_container_is_hardened(base: dict[str, Any]) -> None:
    for name in (*SERVICES, "provision", "gateway"):
        service = base["services"][name]
        assert service["read_only"] is True, name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name


def test_secrets_are_files_outside_the_tree_and_never_committed(base: dict[str, Any]) -> None:
    defined = base["secrets"]
    for name, secret in defined.items():
        # A file, not a value from the environment: Compose can only bind-mount a secret
        # into a container whose filesystem is read-only.
        assert set(secret) == {"file"}, name
        assert secret["file"] == f"./secrets/{name}", name
    for name, service in base["services"].items():
        for secret in service.get("secrets", []):
            assert secret in defined, f"{name} uses undefined secret {secret}"
        for key, value in service.get("environment", {}).items():
            if key.endswith("_FILE"):
                assert value.startswith("/run/secrets/"), key
                assert value.removeprefix("/run/secrets/") in service["secrets"], f"{name}: {key}"
    for path in (".env", "secrets/db_root_password"):
        ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO, check=False)
        assert ignored.returncode == 0, f"{path} must be in .gitignore"
    dockerignore = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert "secrets" in dockerignore
    # No secret has a place in .env: make_env.py writes the files.
    env_example = example_env()
    for key in ("MYSITE_ADMIN_PASSWORD", "AUTH_JWT_SECRET", "MYSITE_DB_ROOT_PASSWORD"):
        assert key not in env_example, key


def test_each_service_gets_only_its_own_database_password(base: dict[str, Any]) -> None:
    for name in SERVICES:
        service = base["services"][name]
        own = f"db_password_{name}"
        assert own in service["secrets"]
        assert not [s for s in service["secrets"] if s.startswith("db_") and s != own], name
        environment = service["environment"]
        assert environment[f"{name.upper()}_DB_PASSWORD_FILE"] == f"/run/secrets/{own}"
        assert environment["MYSITE_DB_HOST"] == "mariadb"
        assert environment["MYSITE_ENV"] == "production"
    assert base["services"]["chatbot"]["environment"]["CHATBOT_SITE_URL"] == "http://site:8000"


def test_production_turns_on_https_everywhere(prod: dict[str, Any]) -> None:
    for name in (*SERVICES, "provision"):
        environment = prod["services"][name]["environment"]
        assert environment["MYSITE_PUBLIC_URL"] == "https://example.org", name
        assert environment["MYSITE_COOKIE_SECURE"] == "true", name
    gateway = prod["services"]["gateway"]
    assert gateway["command"] == ["--configFile=/etc/traefik/traefik-prod.yml"]
    assert "letsencrypt:/letsencrypt" in gateway["volumes"]
    static = load_yaml(REPO / "gateway" / "traefik-prod.yml")
    web = static["entryPoints"]["web"]
    assert web["address"] == ":8443"
    assert web["http"]["tls"] == {}
    redirect = static["entryPoints"]["web-redirect"]
    assert redirect["address"] == ":8000"
    assert redirect["http"]["redirections"]["entryPoint"] == {
        "to": ":443", "scheme": "https", "permanent": True
    }  # fmt: skip
    assert (
        static["certificatesResolvers"]["letsencrypt"]["acme"]["storage"]
        == "/letsencrypt/acme.json"
    )
    # HSTS: the shared security-headers middleware, applied on the web entry point.
    middlewares = (REPO / "gateway" / "dynamic" / "middlewares.yml").read_text()
    assert re.search(r"stsSeconds: [1-9]\d+", middlewares)
    assert "security-headers@file" in web["http"]["middlewares"]


def test_production_gateway_differs_from_plain_only_in_https() -> None:
    """traefik-prod.yml repeats traefik.yml (Traefik's static configuration has no includes):
    anything else that differs is drift. It once kept the Docker socket as its provider's
    endpoint after compose.yaml had moved the gateway onto docker-api, so under
    compose.prod.yaml no route ever had a service."""
    plain = load_yaml(REPO / "gateway" / "traefik.yml")
    prod = load_yaml(REPO / "gateway" / "traefik-prod.yml")
    https_only = {"certificatesResolvers"}
    assert set(prod) - https_only == set(plain)
    for section in set(plain) - {"entryPoints"}:
        assert prod[section] == plain[section], section
    entry_points = dict(prod["entryPoints"])
    entry_points.pop("web-redirect")
    web = dict(entry_points.pop("web"))
    web["http"] = {key: value for key, value in web["http"].items() if key != "tls"}
    plain_entry_points = dict(plain["entryPoints"])
    plain_web = plain_entry_points.pop("web")
    assert entry_points == plain_entry_points
    assert {**web, "address": plain_web["address"]} == plain_web


# --- labels against the shared routes ---------------------------------------------------------

FORBIDDEN_LABELS = (
    "traefik.http.routers.",
    "traefik.http.middlewares.",
    "traefik.tcp.",
    "traefik.udp.",
)
LABEL = re.compile(r"^traefik\.http\.services\.(?P<service>[a-z0-9-]+)\.loadbalancer\.(?P<key>.+)$")


def label_services(model: dict[str, Any]) -> dict[str, dict[str, str]]:
    """{traefik service name: {label key: value}} from every container's labels."""
    found: dict[str, dict[str, str]] = {}
    for name, service in model["services"].items():
        labels = service.get("labels", {})
        if not labels:
            continue
        assert labels.get("traefik.enable") == "true", name
        # The project's own backend network (two stacks on one machine never share one).
        assert labels.get("traefik.docker.network") == model["networks"]["backend"]["name"], name
        for key, value in labels.items():
            if key in ("traefik.enable", "traefik.docker.network"):
                continue
            match = LABEL.match(key)
            assert match, (
                f"{name}: label {key} defines something other than a service's load balancer"
            )
            found.setdefault(match["service"], {})[match["key"]] = value
            assert match["service"] == name, f"{name}: label for another service: {key}"
    return found


def test_labels_define_services_only_never_routers_or_middlewares(base: dict[str, Any]) -> None:
    for name, service in base["services"].items():
        for key in service.get("labels", {}):
            assert not key.startswith(FORBIDDEN_LABELS), f"{name}: {key}"


def test_every_service_label_gives_port_and_readiness_check(base: dict[str, Any]) -> None:
    services = label_services(base)
    assert set(services) == set(SERVICES)
    for name, settings in services.items():
        assert settings["server.port"] == "8000", name
        assert settings["healthcheck.path"] == "/readyz", name
        assert settings["healthcheck.interval"], name
        assert settings["healthcheck.timeout"], name


def router_references(suffix: str) -> list[tuple[str, str, list[str]]]:
    """(router, service, middlewares) of the shared dynamic files, for a service suffix (the
    Go templates only substitute the suffix into service names; the full rendering is done by
    the real Traefik in test_gateway_containers.py)."""
    references = []
    for path in sorted((REPO / "gateway" / "dynamic").glob("*.yml")):
        text = re.sub(r"\{\{\s*\$s\s*\}\}", suffix, path.read_text(encoding="utf-8"))
        text = re.sub(r'\{\{\s*env "MYSITE_SERVICE_SUFFIX"\s*\}\}', suffix, text)
        text = re.sub(r"^\{\{.*\}\}\s*$", "", text, flags=re.MULTILINE)
        if "routers:" not in text:
            continue
        block = yaml_routers(text)
        for name, router in block.items():
            references.append((name, router["service"], router.get("middlewares", [])))
    return references


def yaml_routers(text: str) -> dict[str, Any]:
    import yaml

    data = yaml.safe_load(text) or {}
    routers: dict[str, Any] = data.get("http", {}).get("routers", {})
    return routers


def test_every_router_reaches_a_labelled_service_and_every_service_is_routed(
    base: dict[str, Any],
) -> None:
    services = label_services(base)
    references = router_references("@docker")
    routed = set()
    for router, service, _ in references:
        if service.endswith("@docker"):
            name = service.removesuffix("@docker")
            assert name in services, f"router {router} names {service}, which no label defines"
            routed.add(name)
    assert routed == set(services), f"services no router reaches: {set(services) - routed}"


def test_every_middleware_a_router_names_exists() -> None:
    import yaml

    text = (REPO / "gateway" / "dynamic" / "middlewares.yml").read_text(encoding="utf-8")
    names = set(re.findall(r"^    ([a-z0-9-]+):\s*$", text, flags=re.MULTILINE))
    # The ForwardAuth middlewares come from a template loop over a dict literal.
    names |= set(re.findall(r'"(auth-[a-z-]+)" "require=', text))
    for router, _, middlewares in router_references("@docker"):
        for middleware in middlewares:
            assert middleware.removesuffix("@file") in names, (
                f"{router}: no middleware {middleware}"
            )
    for config in ("traefik.yml", "traefik-prod.yml", "traefik-ecs.yml"):
        static = yaml.safe_load((REPO / "gateway" / config).read_text(encoding="utf-8"))
        for entry_point in static["entryPoints"].values():
            for middleware in entry_point.get("http", {}).get("middlewares", []):
                assert middleware.endswith("@file"), middleware
                assert middleware.removesuffix("@file") in names, middleware


def test_gateway_reads_docker_labels_on_the_services_network(base: dict[str, Any]) -> None:
    static = load_yaml(REPO / "gateway" / "traefik.yml")
    docker = static["providers"]["docker"]
    assert docker["exposedByDefault"] is False
    assert docker["network"] == base["networks"]["backend"]["name"] == "mysite-backend"
    assert static["providers"]["file"]["directory"] == "/etc/traefik/dynamic"
    gateway = base["services"]["gateway"]
    assert gateway["environment"]["MYSITE_SERVICE_SUFFIX"] == "@docker"
    # No Docker socket and no root: the provider reads through docker-api, which alone
    # holds the socket and shares an internal network with the gateway only.
    assert "volumes" not in gateway
    assert "user" not in gateway
    assert docker["endpoint"] == "tcp://docker-api:2375"
    assert gateway["networks"] == ["backend", "docker-api"]
    proxy = base["services"]["docker-api"]
    assert proxy["volumes"] == ["/var/run/docker.sock:/var/run/docker.sock:ro"]
    assert proxy["networks"] == ["docker-api"]
    assert base["networks"]["docker-api"]["internal"] is True
    assert proxy["command"][-2:] == ["--project", "mysite"]
    assert "ports" not in proxy
    # ForwardAuth through the gateway's own loopback entry point.
    internal = static["entryPoints"]["internal"]["address"]
    assert gateway["environment"]["MYSITE_GATEWAY_INTERNAL_URL"] == f"http://{internal}"
    assert gateway["environment"]["MYSITE_AUTH_URL"] == f"http://{internal}"


def test_every_forward_auth_bounds_the_verify_response() -> None:
    """Without maxResponseBodySize Traefik buffers whatever body auth's verify sends, and
    warns at every start; verify answers with headers and a short error at most."""
    text = (REPO / "gateway" / "dynamic" / "middlewares.yml").read_text(encoding="utf-8")
    blocks = text.split("forwardAuth:")[1:]
    assert len(blocks) == 2  # auth-optional, and the template loop for the others
    for block in blocks:
        assert re.search(r"^\s+maxResponseBodySize: [1-9]\d*$", block, flags=re.MULTILINE)
