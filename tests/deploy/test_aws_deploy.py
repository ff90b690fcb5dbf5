"""The deploy CLI end to end against moto's server as the AWS endpoint: first deploy, an
update to a new release (new task definition revisions), scaling one service, rollback, and
--dry-run (which must not call AWS at all).

moto runs the API (ECS, Application Auto Scaling, Secrets Manager, CloudFormation, ...) but
launches no containers and ignores Service Connect; the task definitions themselves are
checked in test_aws_taskdefs.py, the template by cfn-lint in test_aws_cloudformation.py."""

import io
import json
import logging
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from mysite_deploy.cli import main
from mysite_deploy.settings import DEPLOY_ORDER, REQUIRED_OUTPUTS

REGION = "eu-west-1"
STACK = "mysite"


def client(name: str) -> Any:
    return boto3.client(name, region_name=REGION)


def make_infrastructure() -> dict[str, str]:
    """What the CloudFormation template creates, made directly (moto's CloudFormation cannot
    run the real template: Service Connect namespaces and RDS-managed secrets are missing),
    published as the outputs of a stack named like the real one."""
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})  # as the template
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{index * 16}.0/20")["Subnet"]["SubnetId"]
        for index in (2, 3)
    ]
    groups = {
        f"{name}SecurityGroup": ec2.create_security_group(
            GroupName=f"mysite-{name.lower()}", Description=name, VpcId=vpc
        )["GroupId"]
        for name in ("Gateway", "Auth", "Site", "Chatbot", "Kakao", "Job")
    }
    client("ecs").create_cluster(clusterName=STACK)
    target_group = client("elbv2").create_target_group(
        Name="mysite-gateway", Protocol="HTTP", Port=8000, VpcId=vpc, TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    namespace = client("servicediscovery").create_http_namespace(Name="mysite.internal")
    namespaces = client("servicediscovery").list_namespaces()["Namespaces"]
    assert namespace["OperationId"]
    iam = client("iam")
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    trust = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    roles = {
        f"{name}RoleArn": iam.create_role(
            RoleName=f"mysite-{name}", AssumeRolePolicyDocument=trust
        )["Role"]["Arn"]
        for name in ("Execution", "GatewayTask", "ServiceTask")
    }
    secrets = client("secretsmanager")

    def secret(name: str, value: str) -> str:
        arn: str = secrets.create_secret(Name=f"mysite/{name}", SecretString=value)["ARN"]
        return arn

    logs = client("logs")
    for name in (*DEPLOY_ORDER, "provision"):
        logs.create_log_group(logGroupName=f"/ecs/mysite/{name}")
    outputs = {
        "ClusterName": STACK,
        "ServiceConnectNamespace": namespaces[0]["Arn"],
        "TaskSubnets": ",".join(subnets),
        "AssignPublicIp": "DISABLED",
        **groups,
        "GatewayTargetGroupArn": target_group,
        "PublicUrl": "https://example.org",
        "CookieSecure": "true",
        "ImageRegistry": f"123456789012.dkr.ecr.{REGION}.amazonaws.com/mysite",
        "LogGroupPrefix": "/ecs/mysite",
        **roles,
        "DatabaseHost": "mysite.abcdefghijkl.eu-west-1.rds.amazonaws.com",
        "DatabasePort": "3306",
        "DatabaseAdminUser": "mysiteadmin",
        "DatabaseAdminSecretArn": secret(
            "rds-admin", '{"username": "mysiteadmin", "password": "x"}'
        ),
        "AdminUsername": "owner",
        "AuthJwtSecretArn": secret("auth-jwt-secret", "j" * 64),
        # The stack's placeholder: not a Fernet key; the first deploy replaces it.
        "KakaoTokenKeyArn": secret("kakao-token-key", "placeholderplaceholderplaceholder"),
        "KakaoAppSecretArn": secret(
            "kakao-app", '{"rest_api_key": "kakao-rest-key", "client_secret": "c"}'
        ),
        "AdminPasswordArn": secret("admin-password", "an owner password of some length"),
        **{
            f"{name}DatabasePasswordArn": secret(f"db-password-{name.lower()}", "p" * 32)
            for name in ("Auth", "Site", "Chatbot", "Kakao")
        },
    }
    assert set(REQUIRED_OUTPUTS) <= set(outputs)
    template = {
        "Parameters": {name: {"Type": "String"} for name in outputs},
        "Resources": {
            "Marker": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"LogGroupName": "/mysite/stack-marker"},
            }
        },
        "Outputs": {name: {"Value": {"Ref": name}} for name in outputs},
    }
    client("cloudformation").create_stack(
        StackName=STACK,
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in outputs.items()],
    )
    return outputs


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # moto keeps its state per process: start each test from an empty account.
    httpx.post(f"{endpoint}/moto-api/reset")
    # A task started by run_task stops at the first look (moto runs no container).
    httpx.post(
        f"{endpoint}/moto-api/state-manager/set-transition",
        json={"model_name": "ecs::task", "transition": {"progression": "immediate"}},
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    # moto starts no containers: a new service reports this many running tasks at once.
    monkeypatch.setenv("MOTO_ECS_SERVICE_RUNNING", "1")
    try:
        yield make_infrastructure()
    finally:
        server.stop()


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--stack", STACK, *argv])
    return code, out.getvalue() + err.getvalue()


def services() -> dict[str, dict[str, Any]]:
    answer = client("ecs").describe_services(cluster=STACK, services=list(DEPLOY_ORDER))
    return {service["serviceName"]: service for service in answer["services"]}


def revision(service: dict[str, Any]) -> str:
    return str(service["taskDefinition"].rsplit("/", 1)[-1])


def scaling(name: str) -> tuple[int, int]:
    targets = client("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[f"service/{STACK}/{name}"]
    )["ScalableTargets"]
    return targets[0]["MinCapacity"], targets[0]["MaxCapacity"]


def test_deploy_update_scale_and_rollback(aws: dict[str, str]) -> None:
    code, output = run("deploy", "--tag", "release-1")
    assert code == 0, output
    deployed = services()
    assert set(deployed) == set(DEPLOY_ORDER)
    assert {name: revision(s) for name, s in deployed.items()} == {
        name: f"mysite-{name}:1" for name in DEPLOY_ORDER
    }
    assert {name: s["desiredCount"] for name, s in deployed.items()} == dict.fromkeys(
        DEPLOY_ORDER, 1
    )
    gateway = deployed["gateway"]
    assert gateway["loadBalancers"][0]["targetGroupArn"] == aws["GatewayTargetGroupArn"]
    assert gateway["loadBalancers"][0]["containerPort"] == 8000
    for name, service in deployed.items():
        vpc = service["networkConfiguration"]["awsvpcConfiguration"]
        # Each service in its own security group, which admits only the gateway.
        assert vpc["securityGroups"] == [aws[f"{name.capitalize()}SecurityGroup"]]
        assert vpc["assignPublicIp"] == "DISABLED"
        assert service["launchType"] == "FARGATE"
    # Autoscaling per service, the range from services.yaml.
    assert scaling("chatbot") == (1, 6)
    policies = client("application-autoscaling").describe_scaling_policies(ServiceNamespace="ecs")
    assert {p["PolicyName"] for p in policies["ScalingPolicies"]} == {
        f"{name}-cpu-target" for name in DEPLOY_ORDER
    }
    # The provisioning task ran once, with its own task definition.
    tasks = client("ecs").list_tasks(
        cluster=STACK, family="mysite-provision", desiredStatus="STOPPED"
    )
    assert (
        len(tasks["taskArns"])
        + len(client("ecs").list_tasks(cluster=STACK, family="mysite-provision")["taskArns"])
        == 1
    )
    # The first deploy replaced the stack's placeholder with a real Fernet key.
    key = client("secretsmanager").get_secret_value(SecretId=aws["KakaoTokenKeyArn"])[
        "SecretString"
    ]
    assert len(key) == 44
    assert key.endswith("=")

    # A new release: every task definition gets revision 2, the counts stay.
    code, output = run("deploy", "--tag", "release-2")
    assert code == 0, output
    updated = services()
    assert {name: revision(s) for name, s in updated.items()} == {
        name: f"mysite-{name}:2" for name in DEPLOY_ORDER
    }
    assert {name: s["desiredCount"] for name, s in updated.items()} == dict.fromkeys(
        DEPLOY_ORDER, 1
    )
    definition = client("ecs").describe_task_definition(taskDefinition="mysite-chatbot:2")
    container = definition["taskDefinition"]["containerDefinitions"][0]
    assert container["image"].endswith("/mysite/chatbot:release-2")
    # The key generated by the first deploy is kept.
    assert (
        client("secretsmanager").get_secret_value(SecretId=aws["KakaoTokenKeyArn"])["SecretString"]
        == key
    )

    # Scale one service; nothing else changes.
    code, output = run("scale", "chatbot", "3")
    assert code == 0, output
    scaled = services()
    assert {name: s["desiredCount"] for name, s in scaled.items()} == {
        **dict.fromkeys(DEPLOY_ORDER, 1),
        "chatbot": 3,
    }
    assert scaling("chatbot") == (3, 6)
    assert scaling("site") == (1, 4)
    assert {name: revision(s) for name, s in scaled.items()} == {
        name: f"mysite-{name}:2" for name in DEPLOY_ORDER
    }

    # A later deploy keeps the scaled count and the floor `scale` set.
    code, output = run("deploy", "--tag", "release-3")
    assert code == 0, output
    assert services()["chatbot"]["desiredCount"] == 3
    assert scaling("chatbot") == (3, 6)

    # Rollback one service to its previous revision.
    code, output = run("rollback", "chatbot")
    assert code == 0, output
    after = services()
    assert revision(after["chatbot"]) == "mysite-chatbot:2"
    assert revision(after["site"]) == "mysite-site:3"

    code, output = run("status")
    assert code == 0, output
    assert '"service": "chatbot"' in output


def test_deploy_refuses_without_the_kakao_app_key(aws: dict[str, str]) -> None:
    client("secretsmanager").put_secret_value(
        SecretId=aws["KakaoAppSecretArn"], SecretString='{"rest_api_key": "", "client_secret": ""}'
    )
    code, output = run("deploy", "--tag", "release-1")
    assert code == 1
    assert "Kakao app key is not set" in output
    assert services() == {}  # nothing was deployed


def test_scale_rejects_bad_counts(aws: dict[str, str]) -> None:
    code, output = run("scale", "chatbot", "0")
    assert code == 1
    assert "at least 1" in output
    code, output = run("scale", "chatbot", "5", "--max", "4")
    assert code == 1
    assert "below" in output
    assert services() == {}  # refused before any change


def test_dry_run_prints_every_call_and_makes_none(monkeypatch: pytest.MonkeyPatch) -> None:
    # Any real call would fail: nothing listens there, and there are no credentials.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    code, output = run("--dry-run", "deploy", "--tag", "release-9")
    assert code == 0, output
    registered = [line for line in output.splitlines() if "register_task_definition" in line]
    assert len(registered) == 6
    assert output.count("would call ecs create_service") == len(DEPLOY_ORDER)
    assert "would call ecs run_task" in output
    assert "/chatbot:release-9" in output
    code, output = run("--dry-run", "scale", "kakao", "2")
    assert code == 0, output
    assert '"desiredCount": 2' in output
    code, output = run("--dry-run", "images", "--tag", "release-9")
    assert code == 0, output
    assert "docker build --platform linux/amd64 -f services/Dockerfile" in output
    assert "/chatbot:release-9 --build-arg SERVICE=chatbot ." in output
    assert (
        "-f services/Dockerfile -t <ImageRegistry of stack mysite>/jobs:release-9 --target jobs ."
        in output
    )
    assert "--build-arg ECS_CLUSTER=" in output
