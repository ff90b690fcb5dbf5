"""The CloudFormation template passes cfn-lint with nothing to report, and keeps the
promises cfn-lint cannot check: one public entry, private database, services reachable only
from the gateway, secrets generated (never in the template), logs with retention."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_testkit import REPO

from mysite_deploy.settings import REQUIRED_OUTPUTS

TEMPLATES = sorted((REPO / "deploy" / "aws" / "cloudformation").glob("*.yaml"))
TEMPLATE = REPO / "deploy" / "aws" / "cloudformation" / "mysite.yaml"


class CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation's short-form tags (!Ref, !Sub, ...) as {"Fn": value}."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


CfnLoader.add_multi_constructor("!", _tag)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.load(TEMPLATE.read_text(), Loader=CfnLoader)  # noqa: S506
    return loaded


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_cfn_lint_reports_nothing(path: Path) -> None:
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(cfn_lint), str(path)], capture_output=True, text=True, check=False)
    # Exit 0: no error, no warning, no informational finding.
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_output_the_cli_reads_is_there(template: dict[str, Any]) -> None:
    assert set(REQUIRED_OUTPUTS) <= set(template["Outputs"])


def test_only_the_load_balancer_is_open_to_the_internet(template: dict[str, Any]) -> None:
    groups = resources(template, "AWS::EC2::SecurityGroup")
    for name, group in groups.items():
        for rule in group["Properties"].get("SecurityGroupIngress", []):
            public = rule.get("CidrIp") == "0.0.0.0/0" or rule.get("CidrIpv6") == "::/0"
            assert not public or name == "LoadBalancerSecurityGroup", f"{name} is open: {rule}"
    balancers = resources(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert [b["Properties"]["Scheme"] for b in balancers.values()] == ["internet-facing"]


def sources(group: dict[str, Any]) -> set[str]:
    return {
        rule["SourceSecurityGroupId"]["Ref"]
        for rule in group["Properties"].get("SecurityGroupIngress", [])
    }


def test_services_admit_only_the_gateway_and_their_callers(template: dict[str, Any]) -> None:
    groups = resources(template, "AWS::EC2::SecurityGroup")
    assert sources(groups["GatewaySecurityGroup"]) == {"LoadBalancerSecurityGroup"}
    assert sources(groups["AuthSecurityGroup"]) == {"GatewaySecurityGroup"}
    assert sources(groups["ChatbotSecurityGroup"]) == {"GatewaySecurityGroup"}
    assert sources(groups["KakaoSecurityGroup"]) == {"GatewaySecurityGroup"}
    # The chatbot reads the site's public profile (Service Connect), nothing else does.
    assert sources(groups["SiteSecurityGroup"]) == {"GatewaySecurityGroup", "ChatbotSecurityGroup"}
    assert sources(groups["DatabaseSecurityGroup"]) == {
        "AuthSecurityGroup",
        "SiteSecurityGroup",
        "ChatbotSecurityGroup",
        "KakaoSecurityGroup",
        "JobSecurityGroup",
    }
    assert "SecurityGroupIngress" not in groups["JobSecurityGroup"]["Properties"]


def test_database_is_private_encrypted_backed_up_and_kept(template: dict[str, Any]) -> None:
    (database,) = resources(template, "AWS::RDS::DBInstance").values()
    properties = database["Properties"]
    assert properties["Engine"] == "mariadb"
    assert properties["PubliclyAccessible"] is False
    assert properties["StorageEncrypted"] is True
    assert properties["ManageMasterUserPassword"] is True
    assert "MasterUserPassword" not in properties
    assert database["DeletionPolicy"] == "Snapshot"
    (subnets,) = resources(template, "AWS::RDS::DBSubnetGroup").values()
    assert subnets["Properties"]["SubnetIds"] == [
        {"Ref": "PrivateSubnetA"},
        {"Ref": "PrivateSubnetB"},
    ]


def test_secrets_are_generated_never_written_in_the_template(template: dict[str, Any]) -> None:
    secrets = resources(template, "AWS::SecretsManager::Secret")
    assert len(secrets) == 8
    for name, secret in secrets.items():
        assert "SecretString" not in secret["Properties"], name
        assert "GenerateSecretString" in secret["Properties"], name
    for parameter in template["Parameters"].values():
        assert "NoEcho" not in parameter  # no secret is ever a parameter


def test_log_groups_keep_logs_for_a_while(template: dict[str, Any]) -> None:
    groups = resources(template, "AWS::Logs::LogGroup")
    names = {g["Properties"]["LogGroupName"]["Fn::Sub"].rsplit("/", 1)[-1] for g in groups.values()}
    assert names == {"gateway", "auth", "site", "chatbot", "kakao", "provision"}
    for group in groups.values():
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_cluster_uses_service_connect_and_fargate(template: dict[str, Any]) -> None:
    (cluster,) = resources(template, "AWS::ECS::Cluster").values()
    assert cluster["Properties"]["ServiceConnectDefaults"]["Namespace"] == {
        "Fn::GetAtt": "ServiceConnectNamespace.Arn"
    }
    assert "FARGATE" in cluster["Properties"]["CapacityProviders"]


def test_gateway_role_can_read_what_traefiks_ecs_provider_reads(template: dict[str, Any]) -> None:
    role = template["Resources"]["GatewayTaskRole"]["Properties"]
    actions = set(role["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"])
    assert {
        "ecs:ListTasks",
        "ecs:DescribeTasks",
        "ecs:DescribeTaskDefinition",
        "ecs:DescribeContainerInstances",
        "ec2:DescribeInstances",
    } <= actions
    assert "Policies" not in template["Resources"]["ServiceTaskRole"]["Properties"]


def test_target_group_checks_traefiks_ping(template: dict[str, Any]) -> None:
    group = template["Resources"]["GatewayTargetGroup"]["Properties"]
    assert (group["TargetType"], group["Port"]) == ("ip", 8000)
    assert (group["HealthCheckPort"], group["HealthCheckPath"]) == ("8082", "/ping")
