"""The AWS API calls the CLI makes: for real (boto3), or printed (--dry-run)."""

import json
import os
import sys
from collections.abc import Callable
from typing import Any, Protocol, TextIO

import boto3
from botocore.exceptions import ClientError, WaiterError

from mysite_deploy import DeployError


class Aws(Protocol):
    dry_run: bool
    region: str

    def call(self, api: str, operation: str, /, **params: Any) -> dict[str, Any]: ...

    def wait(
        self, api: str, waiter: str, /, *, delay: int, attempts: int, **params: Any
    ) -> None: ...


class LiveAws:
    """boto3 with the usual configuration (profile, region, AWS_ENDPOINT_URL, ...)."""

    dry_run = False

    def __init__(self, region: str | None = None, profile: str | None = None) -> None:
        region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        self.session = boto3.session.Session(region_name=region, profile_name=profile)
        if not self.session.region_name:
            raise DeployError("no AWS region: pass --region or set AWS_REGION")
        self.region = str(self.session.region_name)
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(service)
        return self._clients[service]

    def call(self, api: str, operation: str, /, **params: Any) -> dict[str, Any]:
        try:
            result: dict[str, Any] = getattr(self.client(api), operation)(**params)
        except ClientError as error:
            raise DeployError(f"{api} {operation}: {error}") from error
        return result

    def wait(self, api: str, waiter: str, /, *, delay: int, attempts: int, **params: Any) -> None:
        try:
            self.client(api).get_waiter(waiter).wait(
                WaiterConfig={"Delay": delay, "MaxAttempts": attempts}, **params
            )
        except WaiterError as error:
            raise DeployError(f"{api} {waiter}: gave up waiting ({error})") from error


# Answers a dry run gives to the calls whose results the CLI reads.
Responder = Callable[[dict[str, Any]], dict[str, Any]]
DRY_RUN_ANSWERS: dict[tuple[str, str], Responder] = {
    ("ecs", "register_task_definition"): lambda params: {
        "taskDefinition": {
            "family": params["family"],
            "revision": 0,
            "taskDefinitionArn": f"<next revision of {params['family']}>",
        }
    },
    ("ecs", "run_task"): lambda params: {"tasks": [{"taskArn": "<provisioning task>"}]},
    ("ecs", "describe_tasks"): lambda params: {
        "tasks": [{"lastStatus": "STOPPED", "containers": [{"name": "provision", "exitCode": 0}]}]
    },
    ("ecs", "describe_services"): lambda params: {"services": []},
    ("application-autoscaling", "describe_scalable_targets"): lambda params: {
        "ScalableTargets": []
    },
}


class DryRunAws:
    """Prints each call it would make and never contacts AWS."""

    dry_run = True

    def __init__(self, region: str | None, out: TextIO | None = None) -> None:
        self.region = region or "<region>"
        self.out = out
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def call(self, api: str, operation: str, /, **params: Any) -> dict[str, Any]:
        self.calls.append((api, operation, params))
        print(
            f"would call {api} {operation} {json.dumps(params, sort_keys=True, default=str)}",
            file=self.out or sys.stdout,
        )
        answer = DRY_RUN_ANSWERS.get((api, operation))
        return answer(params) if answer else {}

    def wait(self, api: str, waiter: str, /, *, delay: int, attempts: int, **params: Any) -> None:
        print(
            f"would wait for {api} {waiter} {json.dumps(params, sort_keys=True)}",
            file=self.out or sys.stdout,
        )
