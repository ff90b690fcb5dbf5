"""Every ECS task definition, rendered as the deploy CLI renders it, passes botocore's
parameter validation of RegisterTaskDefinition and our checks of what that misses; and the
checks themselves catch each mistake they are there for."""

import copy
import json
from typing import Any

import pytest
from deploy_testkit import COMPOSE, REPO, SERVICES, example_env, load_compose

from mysite_deploy import DeployError
from mysite_deploy.settings import DEPLOY_ORDER, REQUIRED_OUTPUTS, load_services
from mysite_deploy.taskdefs import (
    TASKDEF_DIR,
    checked,
    load_template,
    own_problems,
    parameter_problems,
    placeholders,
    task_definition,
)

NAMES = (*DEPLOY_ORDER, "provision")
VALUES = {
    **{
        name: f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:mysite/{name}-AbCdEf"
        for name in REQUIRED_OUTPUTS
        if name.endswith("Arn")
    },
    "ExecutionRoleArn": "arn:aws:iam::123456789012:role/mysite-execution",
    "GatewayTaskRoleArn": "arn:aws:iam::123456789012:role/mysite-gateway",
    "ServiceTaskRoleArn": "arn:aws:iam::123456789012:role/mysite-service",
    "ImageRegistry": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mysite",
    "ImageTag": "0123abc",
    "Region": "eu-west-1",
    "EnvironmentName": "mysite",
    "LogGroupPrefix": "/ecs/mysite",
    "PublicUrl": "https://example.org",
    "CookieSecure": "true",
    "DatabaseHost": "mysite.abc.eu-west-1.rds.amazonaws.com",
    "DatabasePort": "3306",
    "DatabaseAdminUser": "mysiteadmin",
    "AdminUsername": "owner",
}


def rendered(name: str) -> dict[str, Any]:
    return task_definition(name, VALUES)


def test_every_template_is_there_and_uses_only_known_values() -> None:
    assert {path.stem for path in TASKDEF_DIR.glob("*.json")} == set(NAMES)
    known = {*REQUIRED_OUTPUTS, "ImageTag", "Region", "EnvironmentName"}
    for name in NAMES:
        assert placeholders(load_template(name)) <= known, name


@pytest.mark.parametrize("name", NAMES)
def test_botocore_accepts_the_task_definition(name: str) -> None:
    assert parameter_problems(rendered(name)) == []


@pytest.mark.parametrize("name", NAMES)
def test_our_checks_accept_the_task_definition(name: str) -> None:
    assert own_problems(rendered(name)) == []


@pytest.mark.parametrize("name", SERVICES)
def test_service_containers(name: str) -> None:
    definition = rendered(name)
    container = definition["containerDefinitions"][0]
    assert definition["family"] == f"mysite-{name}"
    assert container["image"] == f"{VALUES['ImageRegistry']}/{name}:0123abc"
    assert container["portMappings"] == [
        {"name": "http", "containerPort": 8000, "protocol": "tcp", "appProtocol": "http"}
    ]
    assert container["logConfiguration"]["options"]["awslogs-stream-prefix"] == name
    environment = {item["name"]: item["value"] for item in container["environment"]}
    assert environment["MYSITE_ENV"] == "production"
    assert environment["MYSITE_DB_HOST"] == VALUES["DatabaseHost"]
    secrets = {item["name"] for item in container["secrets"]}
    # Its own database password and nobody else's (the entrypoint builds the URL from it).
    assert {s for s in secrets if s.endswith("_DB_PASSWORD")} == {f"{name.upper()}_DB_PASSWORD"}
    assert definition["taskRoleArn"] == VALUES["ServiceTaskRoleArn"]


def test_ecs_labels_equal_the_compose_labels() -> None:
    """Same services for Traefik on ECS as in Compose, so the shared routes work the same."""
    compose = load_compose(COMPOSE, env=example_env())
    for name in SERVICES:
        labels = rendered(name)["containerDefinitions"][0]["dockerLabels"]
        # All but the Docker network, which only the Docker provider has.
        expected = dict(compose["services"][name]["labels"])
        assert expected.pop("traefik.docker.network") == "mysite-backend"
        assert labels == expected, name


def test_gateway_runs_the_ecs_configuration_with_the_shared_routes() -> None:
    container = rendered("gateway")["containerDefinitions"][0]
    assert container["command"] == ["--configFile=/etc/traefik/traefik-ecs.yml"]
    environment = {item["name"]: item["value"] for item in container["environment"]}
    assert environment["MYSITE_SERVICE_SUFFIX"] == "@ecs"
    assert environment["AWS_REGION"] == "eu-west-1"
    assert "dockerLabels" not in container  # the gateway routes nothing to itself
    ports = {mapping["containerPort"] for mapping in container["portMappings"]}
    assert ports == {8000, 8082}
    static = (REPO / "gateway" / "traefik-ecs.yml").read_text()
    assert 'address: "127.0.0.1:8081"' in static
    assert (
        environment["MYSITE_AUTH_URL"]
        == environment["MYSITE_GATEWAY_INTERNAL_URL"]
        == "http://127.0.0.1:8081"
    )


def test_provisioning_task_gets_every_secret_it_needs() -> None:
    container = rendered("provision")["containerDefinitions"][0]
    secrets = {item["name"]: item["valueFrom"] for item in container["secrets"]}
    for name in SERVICES:
        assert f"{name.upper()}_DB_PASSWORD" in secrets
    assert secrets["MYSITE_DB_ADMIN_PASSWORD"].endswith(":password::")  # RDS-managed JSON
    assert container["image"].endswith("/jobs:0123abc")
    assert "healthCheck" not in container  # a job: it exits


def test_services_yaml_matches_the_task_definitions() -> None:
    services, job = load_services()
    assert set(services) == set(DEPLOY_ORDER)
    assert job.name == "provision"
    assert services["gateway"].load_balanced
    assert not any(spec.load_balanced for name, spec in services.items() if name != "gateway")


# --- the checks catch what the AWS tools let through ---------------------------------------


def broken(change: Any, name: str = "auth") -> list[str]:
    definition = copy.deepcopy(rendered(name))
    change(definition, definition["containerDefinitions"][0])
    return own_problems(definition)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d, c: d.update(memory="4096"), "memory 4096 is not allowed with cpu 256"),
        (lambda d, c: d.update(cpu="300"), "cpu 300 is not a Fargate size"),
        (
            lambda d, c: c["healthCheck"].update(interval=1),
            "healthCheck.interval 1 is outside 5-300",
        ),
        (
            lambda d, c: c["healthCheck"].update(timeout=90),
            "healthCheck.timeout 90 is outside 2-60",
        ),
        (
            lambda d, c: c["healthCheck"].update(retries=20),
            "healthCheck.retries 20 is outside 1-10",
        ),
        (lambda d, c: c["healthCheck"].update(startPeriod=600), "startPeriod 600 is outside 0-300"),
        (lambda d, c: c["healthCheck"].update(command=["python", "x"]), "must start with CMD"),
        (lambda d, c: c["healthCheck"].update(command=["CMD", "curl", "-f", "x"]), "no curl"),
        (lambda d, c: c.pop("healthCheck"), "needs a healthCheck"),
        (
            lambda d, c: c["logConfiguration"]["options"].pop("awslogs-stream-prefix"),
            "awslogs needs the option awslogs-stream-prefix",
        ),
        (lambda d, c: c["logConfiguration"]["options"].pop("awslogs-region"), "awslogs-region"),
        (lambda d, c: c.update(logConfiguration={"logDriver": "json-file"}), "awslogs driver"),
        (lambda d, c: c.update(user="root"), "non-root"),
        (lambda d, c: c.pop("user"), "non-root"),
        (lambda d, c: c.update(readonlyRootFilesystem=False), "readonlyRootFilesystem"),
        (lambda d, c: c.update(image="x/auth:latest"), "not latest"),
        (
            lambda d, c: c["environment"].append({"name": "AUTH_JWT_SECRET", "value": "x"}),
            "looks secret",
        ),
        (lambda d, c: c["secrets"].append({"name": "X", "valueFrom": "plain"}), "must come by ARN"),
        (
            lambda d, c: c["dockerLabels"].update({"traefik.http.routers.auth.rule": "Path(`/`)"}),
            "routes and middlewares are defined only in",
        ),
        (
            lambda d, c: c["dockerLabels"].update(
                {"traefik.http.services.auth.loadbalancer.server.port": "9000"}
            ),
            "not a containerPort",
        ),
        (lambda d, c: d.update(networkMode="bridge"), "awsvpc"),
        (lambda d, c: c.update(memoryReservation=4096), "reserve 4096 MiB"),
        (
            lambda d, c: c["mountPoints"].append({"sourceVolume": "data", "containerPath": "/d"}),
            "undeclared volume data",
        ),
        (lambda d, c: c.update(stopTimeout=600), "stopTimeout"),
    ],
)
def test_checks_catch_each_mistake(change: Any, expected: str) -> None:
    problems = broken(change)
    assert any(expected in problem for problem in problems), problems


def test_botocore_catches_types_and_unknown_keys_and_checked_reports_all() -> None:
    definition = copy.deepcopy(rendered("site"))
    definition["containerDefinitions"][0]["healthCheck"]["interval"] = "10"
    definition["containerDefinitions"][0]["helthCheck"] = {}
    problems = parameter_problems(definition)
    assert any("interval" in p for p in problems), problems
    assert any("helthCheck" in p for p in problems), problems
    with pytest.raises(DeployError, match="mysite-site is not valid"):
        checked(definition)


def test_rendering_refuses_unknown_placeholders() -> None:
    with pytest.raises(DeployError, match="no value for ExecutionRoleArn"):
        task_definition("auth", {k: v for k, v in VALUES.items() if k != "ExecutionRoleArn"})


def test_templates_are_plain_json_files() -> None:
    for name in NAMES:
        text = (TASKDEF_DIR / f"{name}.json").read_text()
        assert json.loads(text)
        assert text.endswith("\n")
