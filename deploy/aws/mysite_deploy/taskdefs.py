"""Task definitions: the templates in deploy/aws/taskdefs/, filled with the stack's outputs,
and checked before anything is registered.

Checks, in two layers (each catches what the other and the AWS tools miss):
- botocore's ParamValidator against the ECS model: types, unknown keys, required fields;
- ours: Fargate cpu/memory pairs, health check ranges, awslogs options (group, region,
  stream prefix), non-root users, read-only root filesystems, secrets by ARN only, Traefik
  labels that define services and nothing else.
"""

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import botocore.session
from botocore.validate import ParamValidator

from mysite_deploy import DeployError
from mysite_deploy.settings import AWS_DIR, SERVICE_PORT

TASKDEF_DIR: Path = AWS_DIR / "taskdefs"
PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9]*)\}")

# Fargate's CPU units and the memory (MiB) each allows.
FARGATE_MEMORY: dict[str, set[int]] = {
    "256": {512, 1024, 2048},
    "512": set(range(1024, 4096 + 1, 1024)),
    "1024": set(range(2048, 8192 + 1, 1024)),
    "2048": set(range(4096, 16384 + 1, 1024)),
    "4096": set(range(8192, 30720 + 1, 1024)),
    "8192": set(range(16384, 61440 + 1, 4096)),
    "16384": set(range(32768, 122880 + 1, 8192)),
}
HEALTH_RANGES = {
    "interval": (5, 300),
    "timeout": (2, 60),
    "retries": (1, 10),
    "startPeriod": (0, 300),
}
SECRET_ARN = re.compile(
    r"^arn:aws[a-z-]*:(secretsmanager|ssm):[a-z0-9-]+:\d{12}:(secret|parameter)[:/]"
)
SECRET_NAME = re.compile(r"(PASSWORD|SECRET|TOKEN|_KEY)$")
ROOT_USERS = {"", "0", "root", "0:0", "root:root"}
LABEL = re.compile(
    r"^traefik\.http\.services\.(?P<service>[a-z0-9-]+)\.loadbalancer\.(?P<key>[a-zA-Z.]+)$"
)


def template_path(name: str) -> Path:
    return TASKDEF_DIR / f"{name}.json"


def load_template(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(template_path(name).read_text(encoding="utf-8"))
    return data


def placeholders(value: Any) -> set[str]:
    return set(PLACEHOLDER.findall(json.dumps(value)))


def render(value: Any, values: Mapping[str, str]) -> Any:
    """The template with every ${Name} replaced; unknown names are an error."""
    missing = placeholders(value) - set(values)
    if missing:
        raise DeployError(f"no value for {', '.join(sorted(missing))} (a stack output?)")
    if isinstance(value, dict):
        return {key: render(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [render(item, values) for item in value]
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda match: values[match.group(1)], value)
    return value


def parameter_problems(task_definition: Mapping[str, Any]) -> list[str]:
    """botocore's own validation of RegisterTaskDefinition's input."""
    model = botocore.session.get_session().get_service_model("ecs")
    shape = model.operation_model("RegisterTaskDefinition").input_shape
    report = ParamValidator().validate(dict(task_definition), shape)
    return (
        [line for line in report.generate_report().splitlines() if line.strip()]
        if report.has_errors()
        else []
    )


def _check_health(container: str, health: Mapping[str, Any]) -> list[str]:
    problems = []
    command = health.get("command", [])
    if not command or command[0] not in ("CMD", "CMD-SHELL"):
        problems.append(f"{container}: healthCheck.command must start with CMD or CMD-SHELL")
    if any(tool in " ".join(command) for tool in ("curl", "wget")):
        problems.append(f"{container}: the slim images have no curl or wget; check with python")
    numbers = {key: value for key, value in health.items() if isinstance(value, int)}
    for key, (low, high) in HEALTH_RANGES.items():
        if key in numbers and not low <= numbers[key] <= high:
            problems.append(f"{container}: healthCheck.{key} {health[key]} is outside {low}-{high}")
    if numbers.get("timeout", 5) >= numbers.get("interval", 30):
        problems.append(f"{container}: healthCheck.timeout must be shorter than its interval")
    return problems


def _check_logs(container: str, logs: Mapping[str, Any] | None) -> list[str]:
    if not logs or logs.get("logDriver") != "awslogs":
        return [f"{container}: logConfiguration must use the awslogs driver"]
    options = logs.get("options", {})
    return [
        f"{container}: awslogs needs the option {option}"
        for option in ("awslogs-group", "awslogs-region", "awslogs-stream-prefix")
        if not options.get(option)
    ]


def _check_labels(container: Mapping[str, Any]) -> list[str]:
    name = container["name"]
    labels = container.get("dockerLabels", {})
    if not labels:
        return []
    problems = []
    if labels.get("traefik.enable") != "true":
        problems.append(f"{name}: dockerLabels without traefik.enable=true")
    ports = {mapping["containerPort"] for mapping in container.get("portMappings", [])}
    for key, value in labels.items():
        if key == "traefik.enable":
            continue
        match = LABEL.match(key)
        if not match:
            problems.append(
                f"{name}: label {key}: routes and middlewares are defined only in "
                "gateway/dynamic/*.yml; labels define the service"
            )
            continue
        if match["service"] != name:
            problems.append(f"{name}: label {key} names another service")
        if match["key"] == "server.port" and int(value) not in ports:
            problems.append(f"{name}: label port {value} is not a containerPort")
    if f"traefik.http.services.{name}.loadbalancer.healthcheck.path" not in labels:
        problems.append(f"{name}: the gateway needs a health check path label")
    return problems


def own_problems(task_definition: Mapping[str, Any]) -> list[str]:
    """What botocore's validation, cfn-lint and moto all let through."""
    problems: list[str] = []
    family = task_definition.get("family", "?")
    if task_definition.get("networkMode") != "awsvpc":
        problems.append(f"{family}: Fargate needs networkMode awsvpc")
    if task_definition.get("requiresCompatibilities") != ["FARGATE"]:
        problems.append(f"{family}: requiresCompatibilities must be [FARGATE]")
    cpu, memory = str(task_definition.get("cpu")), str(task_definition.get("memory"))
    if cpu not in FARGATE_MEMORY:
        problems.append(f"{family}: cpu {cpu} is not a Fargate size ({', '.join(FARGATE_MEMORY)})")
    elif not memory.isdigit() or int(memory) not in FARGATE_MEMORY[cpu]:
        problems.append(f"{family}: memory {memory} is not allowed with cpu {cpu} on Fargate")
    volumes = {volume["name"] for volume in task_definition.get("volumes", [])}
    containers = task_definition.get("containerDefinitions", [])
    if not any(container.get("essential", True) for container in containers):
        problems.append(f"{family}: no essential container")
    for container in containers:
        name = container.get("name", "?")
        if not container.get("image") or container["image"].endswith(":latest"):
            problems.append(f"{name}: image must name a release tag, not latest")
        if str(container.get("user", "")) in ROOT_USERS:
            problems.append(f"{name}: containers run as a non-root user")
        if container.get("readonlyRootFilesystem") is not True:
            problems.append(f"{name}: readonlyRootFilesystem must be true (mount /tmp if needed)")
        if container.get("privileged"):
            problems.append(
                f"{name}: privileged containers are not allowed (nor possible on Fargate)"
            )
        problems += _check_logs(name, container.get("logConfiguration"))
        # A server: ECS (and Traefik's healthyTasksOnly) must know when it is healthy.
        if container.get("portMappings") and "healthCheck" not in container:
            problems.append(f"{name}: a container with ports needs a healthCheck")
        if "healthCheck" in container:
            problems += _check_health(name, container["healthCheck"])
        if not 2 <= container.get("stopTimeout", 30) <= 120:
            problems.append(f"{name}: stopTimeout must be 2-120 seconds on Fargate")
        for variable in container.get("environment", []):
            if SECRET_NAME.search(variable["name"]) and not variable["name"].endswith("_FILE"):
                problems.append(f"{name}: {variable['name']} looks secret: pass it in `secrets`")
        for secret in container.get("secrets", []):
            value_from = secret.get("valueFrom", "")
            if not SECRET_ARN.match(value_from) and not value_from.startswith("<"):
                problems.append(f"{name}: secret {secret.get('name')} must come by ARN")
        for mount in container.get("mountPoints", []):
            if mount.get("sourceVolume") not in volumes:
                problems.append(f"{name}: mount of undeclared volume {mount.get('sourceVolume')}")
        problems += _check_labels(container)
    total = sum(
        container.get("memoryReservation", 0) or container.get("memory", 0)
        for container in containers
    )
    if memory.isdigit() and total > int(memory):
        problems.append(f"{family}: containers reserve {total} MiB of the task's {memory}")
    return problems


def checked(task_definition: dict[str, Any]) -> dict[str, Any]:
    problems = parameter_problems(task_definition) + own_problems(task_definition)
    if problems:
        family = task_definition.get("family", "?")
        raise DeployError(f"task definition {family} is not valid:\n  " + "\n  ".join(problems))
    return task_definition


def task_definition(name: str, values: Mapping[str, str]) -> dict[str, Any]:
    """The checked task definition of `name` (a service, or the provisioning job)."""
    rendered: dict[str, Any] = render(load_template(name), values)
    return checked(rendered)


def service_port(task_definition: Mapping[str, Any]) -> int:
    ports = task_definition["containerDefinitions"][0].get("portMappings", [])
    return int(ports[0]["containerPort"]) if ports else SERVICE_PORT
