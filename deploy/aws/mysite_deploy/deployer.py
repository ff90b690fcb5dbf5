"""The deploy steps: images, task definitions, the provisioning task, services, autoscaling,
scaling one service, rollback."""

import base64
import binascii
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from mysite_common.services import SERVICES
from mysite_deploy import DeployError
from mysite_deploy.aws import Aws
from mysite_deploy.settings import (
    DEPLOY_ORDER,
    REPO,
    REQUIRED_OUTPUTS,
    SERVICE_PORT,
    JobSpec,
    ServiceSpec,
    load_services,
    placeholder_outputs,
)
from mysite_deploy.taskdefs import task_definition

# Image name -> Dockerfile, all built from the repository root. The four services and the
# jobs image share one Dockerfile: a service names itself with the SERVICE build argument,
# the jobs image (every service, for the provisioning task) is its `jobs` target.
IMAGES = {
    **dict.fromkeys(SERVICES, "services/Dockerfile"),
    "gateway": "gateway/Dockerfile",
    "jobs": "services/Dockerfile",
}


def is_fernet_key(value: str) -> bool:
    """KAKAO_TOKEN_KEY: one or more comma-separated Fernet keys (32 bytes, url-safe base64)."""
    keys = [key.strip() for key in value.split(",") if key.strip()]
    try:
        return bool(keys) and all(len(base64.urlsafe_b64decode(key.encode())) == 32 for key in keys)
    except (binascii.Error, ValueError):
        return False


@dataclass
class Deployer:
    aws: Aws
    stack: str
    out: TextIO | None = None  # default: sys.stdout at the time of printing
    services: dict[str, ServiceSpec] = field(default_factory=dict)
    job: JobSpec | None = None
    _outputs: dict[str, str] | None = None

    def __post_init__(self) -> None:
        if not self.services or self.job is None:
            self.services, self.job = load_services()

    def say(self, message: str) -> None:
        print(message, file=self.out or sys.stdout)

    # --- the stack -----------------------------------------------------------------------

    @property
    def outputs(self) -> dict[str, str]:
        if self._outputs is None:
            if self.aws.dry_run:
                self._outputs = placeholder_outputs(self.stack)
            else:
                stacks = self.aws.call("cloudformation", "describe_stacks", StackName=self.stack)
                found = {
                    o["OutputKey"]: o["OutputValue"] for o in stacks["Stacks"][0].get("Outputs", [])
                }
                missing = [name for name in REQUIRED_OUTPUTS if name not in found]
                if missing:
                    raise DeployError(
                        f"stack {self.stack} lacks outputs {', '.join(missing)}: "
                        "update it with deploy/aws/cloudformation/mysite.yaml"
                    )
                self._outputs = found
        return self._outputs

    @property
    def cluster(self) -> str:
        return self.outputs["ClusterName"]

    def values(self, tag: str) -> dict[str, str]:
        return {
            **self.outputs,
            "ImageTag": tag,
            "Region": self.aws.region,
            "EnvironmentName": self.cluster,
        }

    def network(self, security_group_output: str) -> dict[str, Any]:
        return {
            "awsvpcConfiguration": {
                "subnets": [s for s in self.outputs["TaskSubnets"].split(",") if s],
                "securityGroups": [self.outputs[security_group_output]],
                "assignPublicIp": self.outputs["AssignPublicIp"],
            }
        }

    # --- images ----------------------------------------------------------------------------

    def image_commands(self, tag: str) -> list[list[str]]:
        registry = self.outputs["ImageRegistry"]
        commands = []
        for name, dockerfile in IMAGES.items():
            build = [
                "docker",
                "build",
                "--platform",
                "linux/amd64",
                "-f",
                dockerfile,
                "-t",
                f"{registry}/{name}:{tag}",
            ]
            if name in SERVICES:
                build += ["--build-arg", f"SERVICE={name}"]
            if name == "jobs":
                build += ["--target", "jobs"]
            if name == "gateway":
                build += ["--build-arg", f"ECS_CLUSTER={self.cluster}"]
            commands.append([*build, "."])
        commands += [["docker", "push", f"{registry}/{name}:{tag}"] for name in IMAGES]
        return commands

    def images(self, tag: str, *, push: bool) -> None:
        """Build every image from the repository root and push it to the stack's registry."""
        commands = self.image_commands(tag)
        if self.aws.dry_run or not push:
            self.say(
                "# from the repository root, after `aws ecr get-login-password | docker login "
                "--username AWS --password-stdin <registry host>`:"
            )
            for command in commands:
                self.say(" ".join(command))
            return
        token = self.aws.call("ecr", "get_authorization_token")["authorizationData"][0]
        user, password = base64.b64decode(token["authorizationToken"]).decode().split(":", 1)
        login = ["docker", "login", "--username", user, "--password-stdin", token["proxyEndpoint"]]
        subprocess.run(login, input=password, text=True, check=True)  # noqa: S603
        for command in commands:
            self.say("$ " + " ".join(command))
            subprocess.run(command, cwd=REPO, check=True)  # noqa: S603 (our own fixed argv)

    # --- secrets ---------------------------------------------------------------------------

    def check_secrets(self) -> None:
        """Fills the Kakao token key on the first deploy; refuses to deploy without the Kakao
        app key: the kakao task definition reads it from the secret by key, and ECS cannot
        start a task whose secret lacks that key."""
        if self.aws.dry_run:
            self.say("would check the Kakao app key and make the Kakao token key a Fernet key")
            return
        key_arn = self.outputs["KakaoTokenKeyArn"]
        current = self.aws.call("secretsmanager", "get_secret_value", SecretId=key_arn)
        if not is_fernet_key(current.get("SecretString", "")):
            fresh = base64.urlsafe_b64encode(os.urandom(32)).decode()
            self.aws.call(
                "secretsmanager", "put_secret_value", SecretId=key_arn, SecretString=fresh
            )
            self.say("kakao token key: generated (the stack's placeholder was not a Fernet key)")
        app = self.aws.call(
            "secretsmanager", "get_secret_value", SecretId=self.outputs["KakaoAppSecretArn"]
        )
        try:
            rest_api_key = json.loads(app.get("SecretString", "{}")).get("rest_api_key", "")
        except json.JSONDecodeError:
            rest_api_key = ""
        if not rest_api_key:
            raise DeployError(
                f"the Kakao app key is not set: put your app's REST API key into secret "
                f'{self.outputs["KakaoAppSecretArn"]} as {{"rest_api_key": ..., '
                f'"client_secret": ...}} (docs/deploy.md, First deploy)'
            )

    # --- task definitions --------------------------------------------------------------------

    def register(self, names: Iterable[str], tag: str) -> dict[str, str]:
        """Checks every task definition first, then registers each; returns name -> ARN."""
        values = self.values(tag)
        definitions = {name: task_definition(name, values) for name in names}
        arns = {}
        for name, definition in definitions.items():
            registered = self.aws.call("ecs", "register_task_definition", **definition)[
                "taskDefinition"
            ]
            arns[name] = registered["taskDefinitionArn"]
            self.say(f"task definition {registered['family']}:{registered['revision']}")
        return arns

    # --- the provisioning task ---------------------------------------------------------------

    def run_job(self, task_definition_arn: str) -> None:
        assert self.job is not None
        started = self.aws.call(
            "ecs",
            "run_task",
            cluster=self.cluster,
            taskDefinition=task_definition_arn,
            launchType="FARGATE",
            platformVersion="LATEST",
            count=1,
            startedBy="mysite-deploy",
            networkConfiguration=self.network(self.job.security_group),
        )
        if started.get("failures") or not started.get("tasks"):
            raise DeployError(f"the provisioning task did not start: {started.get('failures')}")
        task_arn = started["tasks"][0]["taskArn"]
        self.say(f"provisioning and migrations: {task_arn}")
        self.aws.wait(
            "ecs",
            "tasks_stopped",
            cluster=self.cluster,
            tasks=[task_arn],
            delay=6,
            attempts=max(1, self.job.timeout_seconds // 6),
        )
        task = self.aws.call("ecs", "describe_tasks", cluster=self.cluster, tasks=[task_arn])[
            "tasks"
        ][0]
        failed = [c for c in task.get("containers", []) if c.get("exitCode") != 0]
        if failed:
            reason = task.get("stoppedReason") or failed[0].get("reason") or "see its log"
            log = f"{self.outputs['LogGroupPrefix']}/provision"
            raise DeployError(f"provisioning failed ({reason}); its log: {log}")
        self.say("provisioning and migrations: done")

    def migrate(self, tag: str) -> None:
        assert self.job is not None
        arn = self.register([self.job.name], tag)[self.job.name]
        self.run_job(arn)

    # --- services ------------------------------------------------------------------------------

    def service_connect(self, spec: ServiceSpec) -> dict[str, Any]:
        config: dict[str, Any] = {
            "enabled": True,
            "namespace": self.outputs["ServiceConnectNamespace"],
        }
        if spec.service_connect_server:
            config["services"] = [
                {
                    "portName": "http",
                    "discoveryName": spec.name,
                    "clientAliases": [{"port": SERVICE_PORT, "dnsName": spec.name}],
                }
            ]
        return config

    def existing_services(self, names: Iterable[str]) -> dict[str, dict[str, Any]]:
        names = list(names)
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(names), 10):
            batch = names[start : start + 10]
            answer = self.aws.call("ecs", "describe_services", cluster=self.cluster, services=batch)
            for service in answer.get("services", []):
                if service.get("status") == "ACTIVE":
                    found[service["serviceName"]] = service
        return found

    def apply_service(self, spec: ServiceSpec, arn: str, existing: dict[str, Any] | None) -> None:
        common: dict[str, Any] = {
            "cluster": self.cluster,
            "taskDefinition": arn,
            "networkConfiguration": self.network(spec.security_group),
            "serviceConnectConfiguration": self.service_connect(spec),
            "deploymentConfiguration": {
                # A deploy whose tasks never become healthy rolls itself back.
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
        }
        if spec.load_balanced:
            common["healthCheckGracePeriodSeconds"] = 30
        if existing is not None:
            # The desired count stays what autoscaling or `scale` made it.
            self.aws.call("ecs", "update_service", service=spec.name, **common)
            self.say(f"service {spec.name}: updated")
            return
        create = {
            **common,
            "serviceName": spec.name,
            "desiredCount": spec.desired,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "propagateTags": "SERVICE",
            "enableECSManagedTags": True,
            "enableExecuteCommand": False,
        }
        if spec.load_balanced:
            create["loadBalancers"] = [
                {
                    "targetGroupArn": self.outputs["GatewayTargetGroupArn"],
                    "containerName": spec.name,
                    "containerPort": SERVICE_PORT,
                }
            ]
        self.aws.call("ecs", "create_service", **create)
        self.say(f"service {spec.name}: created with {spec.desired} task(s)")

    def resource_id(self, name: str) -> str:
        return f"service/{self.cluster}/{name}"

    def autoscale(
        self, spec: ServiceSpec, minimum: int | None = None, maximum: int | None = None
    ) -> None:
        """Target tracking on the service's average CPU between min and max tasks."""
        self.aws.call(
            "application-autoscaling",
            "register_scalable_target",
            ServiceNamespace="ecs",
            ResourceId=self.resource_id(spec.name),
            ScalableDimension="ecs:service:DesiredCount",
            MinCapacity=spec.min if minimum is None else minimum,
            MaxCapacity=spec.max if maximum is None else maximum,
        )
        self.aws.call(
            "application-autoscaling",
            "put_scaling_policy",
            PolicyName=f"{spec.name}-cpu-target",
            ServiceNamespace="ecs",
            ResourceId=self.resource_id(spec.name),
            ScalableDimension="ecs:service:DesiredCount",
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": spec.cpu_target,
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
                },
                "ScaleOutCooldown": 60,
                "ScaleInCooldown": 180,
            },
        )

    def current_scaling(self, name: str) -> tuple[int, int] | None:
        answer = self.aws.call(
            "application-autoscaling",
            "describe_scalable_targets",
            ServiceNamespace="ecs",
            ResourceIds=[self.resource_id(name)],
        )
        targets = answer.get("ScalableTargets", [])
        return (targets[0]["MinCapacity"], targets[0]["MaxCapacity"]) if targets else None

    def wait_stable(self, names: list[str]) -> None:
        self.say(f"waiting for {', '.join(names)} to be stable ...")
        for start in range(0, len(names), 10):
            self.aws.wait(
                "ecs",
                "services_stable",
                cluster=self.cluster,
                services=names[start : start + 10],
                delay=10,
                attempts=90,
            )
        self.say("stable")

    # --- commands --------------------------------------------------------------------------

    def deploy(self, tag: str, *, wait: bool = True) -> None:
        assert self.job is not None
        self.check_secrets()
        arns = self.register([self.job.name, *DEPLOY_ORDER], tag)
        self.run_job(arns[self.job.name])
        existing = self.existing_services(DEPLOY_ORDER)
        scaled = {}
        for name in DEPLOY_ORDER:
            spec = self.services[name]
            self.apply_service(spec, arns[name], existing.get(name))
            # A first deploy sets the range from services.yaml; later ones keep what `scale`
            # set (its floor) and only renew the policy.
            current = self.current_scaling(name) if name in existing else None
            self.autoscale(spec, *(current or (None, None)))
            scaled[name] = current
        if wait:
            self.wait_stable(list(DEPLOY_ORDER))
        self.say(f"deployed {tag} to {self.cluster}: {self.outputs['PublicUrl']}")

    def scale(self, name: str, count: int, maximum: int | None = None) -> None:
        """Run `count` tasks of one service; autoscaling keeps at least that many from now on."""
        if name not in self.services:
            raise DeployError(f"unknown service {name!r}; one of {', '.join(DEPLOY_ORDER)}")
        if count < 1:
            raise DeployError(
                "scale to at least 1 task (stop a service in the console, on purpose)"
            )
        if maximum is not None and maximum < count:
            raise DeployError(f"--max {maximum} is below the {count} tasks asked for")
        spec = self.services[name]
        current = self.current_scaling(name)
        if maximum is None:
            maximum = max(count, current[1] if current else spec.max)
        self.aws.call(
            "ecs", "update_service", cluster=self.cluster, service=name, desiredCount=count
        )
        self.aws.call(
            "application-autoscaling",
            "register_scalable_target",
            ServiceNamespace="ecs",
            ResourceId=self.resource_id(name),
            ScalableDimension="ecs:service:DesiredCount",
            MinCapacity=count,
            MaxCapacity=maximum,
        )
        self.say(f"service {name}: {count} task(s), autoscaling between {count} and {maximum}")

    def rollback(self, names: list[str], *, wait: bool = True) -> None:
        """Each named service back to the task definition revision before its current one."""
        existing = self.existing_services(names)
        for name in names:
            if name not in existing:
                raise DeployError(f"service {name} does not exist in {self.cluster}")
            current = existing[name]["taskDefinition"]
            family_arn, _, revision = current.rpartition(":")
            if not revision.isdigit() or int(revision) <= 1:
                raise DeployError(f"service {name} runs {current}: there is no earlier revision")
            previous = f"{family_arn}:{int(revision) - 1}"
            self.aws.call(
                "ecs", "update_service", cluster=self.cluster, service=name, taskDefinition=previous
            )
            self.say(f"service {name}: back to {previous.rsplit('/', 1)[-1]}")
        if wait:
            self.wait_stable(names)

    def status(self) -> list[dict[str, Any]]:
        rows = []
        for name, service in self.existing_services(DEPLOY_ORDER).items():
            row = {
                "service": name,
                "taskDefinition": service["taskDefinition"].rsplit("/", 1)[-1],
                "desired": service.get("desiredCount"),
                "running": service.get("runningCount"),
                "scaling": self.current_scaling(name),
            }
            rows.append(row)
            self.say(json.dumps(row))
        return rows
