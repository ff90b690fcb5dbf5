"""What the deploy CLI reads: deploy/aws/services.yaml and the stack's outputs."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mysite_common.services import SERVICES
from mysite_deploy import DeployError

AWS_DIR: Path = Path(__file__).resolve().parents[1]
REPO = AWS_DIR.parents[1]
SERVICES_FILE = AWS_DIR / "services.yaml"
# The order of a deploy: the gateway last, so it never routes to a service not yet updated.
DEPLOY_ORDER = (*SERVICES, "gateway")
SERVICE_PORT = 8000


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    desired: int
    min: int
    max: int
    cpu_target: float
    security_group: str
    load_balanced: bool = False

    @property
    def service_connect_server(self) -> bool:
        """The application services answer on Service Connect; the gateway only calls."""
        return self.name in SERVICES


@dataclass(frozen=True)
class JobSpec:
    name: str
    security_group: str
    timeout_seconds: int


def _positive(name: str, field: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise DeployError(f"services.yaml: {name}.{field} must be a whole number, got {value!r}")
    return value


def load_services(path: Path = SERVICES_FILE) -> tuple[dict[str, ServiceSpec], JobSpec]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    services: dict[str, ServiceSpec] = {}
    for name, raw in data["services"].items():
        spec = ServiceSpec(
            name=name,
            desired=_positive(name, "desired", raw["desired"]),
            min=_positive(name, "min", raw["min"]),
            max=_positive(name, "max", raw["max"]),
            cpu_target=float(raw["cpu_target"]),
            security_group=str(raw["security_group"]),
            load_balanced=bool(raw.get("load_balanced", False)),
        )
        if not spec.min <= spec.desired <= spec.max or spec.max < 1:
            raise DeployError(f"services.yaml: {name} needs 1 <= min <= desired <= max")
        if not 10 <= spec.cpu_target <= 90:
            raise DeployError(f"services.yaml: {name}.cpu_target must be 10 to 90 (%)")
        services[name] = spec
    if set(services) != set(DEPLOY_ORDER):
        raise DeployError(f"services.yaml must list exactly {', '.join(DEPLOY_ORDER)}")
    job = data["job"]
    return services, JobSpec(
        name=str(job["name"]),
        security_group=str(job["security_group"]),
        timeout_seconds=_positive("job", "timeout_seconds", job["timeout_seconds"]),
    )


# Every output of the stack the CLI and the task definitions use.
REQUIRED_OUTPUTS = (
    "ClusterName",
    "ServiceConnectNamespace",
    "TaskSubnets",
    "AssignPublicIp",
    "GatewaySecurityGroup",
    "AuthSecurityGroup",
    "SiteSecurityGroup",
    "ChatbotSecurityGroup",
    "KakaoSecurityGroup",
    "JobSecurityGroup",
    "GatewayTargetGroupArn",
    "PublicUrl",
    "CookieSecure",
    "ImageRegistry",
    "LogGroupPrefix",
    "ExecutionRoleArn",
    "GatewayTaskRoleArn",
    "ServiceTaskRoleArn",
    "DatabaseHost",
    "DatabasePort",
    "DatabaseAdminUser",
    "DatabaseAdminSecretArn",
    "AdminUsername",
    "AuthJwtSecretArn",
    "KakaoTokenKeyArn",
    "KakaoAppSecretArn",
    "AdminPasswordArn",
    "AuthDatabasePasswordArn",
    "SiteDatabasePasswordArn",
    "ChatbotDatabasePasswordArn",
    "KakaoDatabasePasswordArn",
)


def placeholder_outputs(stack: str) -> dict[str, str]:
    """Stand-ins for the outputs in a dry run, which never calls AWS."""
    return {name: f"<{name} of stack {stack}>" for name in REQUIRED_OUTPUTS}
