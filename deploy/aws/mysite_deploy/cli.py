"""python -m mysite_deploy [--stack NAME] [--region R] [--dry-run] COMMAND

  images --tag TAG [--push]   build the images (and push them to the stack's registry)
  deploy --tag TAG            task definitions, provisioning + migrations, services, autoscaling
  migrate --tag TAG           only the provisioning and migration task
  scale SERVICE N [--max M]   N tasks of one service (autoscaling keeps at least N)
  rollback SERVICE...         each service back to its previous task definition revision
  status                      services, task definition revisions, task counts

--dry-run prints every AWS call it would make and calls none.
"""

import argparse
import sys
from collections.abc import Sequence

from mysite_deploy import DeployError
from mysite_deploy.aws import Aws, DryRunAws, LiveAws
from mysite_deploy.deployer import Deployer
from mysite_deploy.settings import DEPLOY_ORDER


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m mysite_deploy",
        description="Deploy mysite to AWS ECS on Fargate.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    root.add_argument("--stack", default="mysite", help="the CloudFormation stack (default mysite)")
    root.add_argument("--region", default=None, help="AWS region (default: AWS_REGION)")
    root.add_argument("--profile", default=None, help="AWS profile")
    root.add_argument("--dry-run", action="store_true", help="print the calls, make none")
    commands = root.add_subparsers(dest="command", required=True)
    images = commands.add_parser("images", help="build (and push) the images")
    images.add_argument("--tag", required=True, help="image tag, e.g. the git commit")
    images.add_argument("--push", action="store_true", help="build and push (needs docker)")
    deploy = commands.add_parser("deploy", help="deploy a tag")
    deploy.add_argument("--tag", required=True)
    deploy.add_argument("--no-wait", action="store_true", help="do not wait for stability")
    migrate = commands.add_parser("migrate", help="run the provisioning and migration task")
    migrate.add_argument("--tag", required=True)
    scale = commands.add_parser("scale", help="set one service's task count")
    scale.add_argument("service", choices=DEPLOY_ORDER)
    scale.add_argument("count", type=int)
    scale.add_argument("--max", type=int, default=None, help="autoscaling maximum")
    rollback = commands.add_parser("rollback", help="previous task definition revision")
    rollback.add_argument("services", nargs="+", choices=DEPLOY_ORDER)
    rollback.add_argument("--no-wait", action="store_true")
    commands.add_parser("status", help="show the services")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    try:
        aws: Aws = (
            DryRunAws(arguments.region)
            if arguments.dry_run
            else LiveAws(arguments.region, arguments.profile)
        )
        deployer = Deployer(aws, arguments.stack)
        if arguments.command == "images":
            deployer.images(arguments.tag, push=arguments.push)
        elif arguments.command == "deploy":
            deployer.deploy(arguments.tag, wait=not arguments.no_wait)
        elif arguments.command == "migrate":
            deployer.migrate(arguments.tag)
        elif arguments.command == "scale":
            deployer.scale(arguments.service, arguments.count, arguments.max)
        elif arguments.command == "rollback":
            deployer.rollback(arguments.services, wait=not arguments.no_wait)
        else:
            deployer.status()
    except DeployError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
