"""Deploys mysite to AWS ECS on Fargate (see docs/deploy.md).

The CloudFormation stack (deploy/aws/cloudformation/mysite.yaml) holds the infrastructure;
this package manages what changes with every release: images, task definitions
(deploy/aws/taskdefs/), the provisioning and migration task, the ECS services with their
Service Connect names and autoscaling (deploy/aws/services.yaml), and scaling one service.
"""


class DeployError(RuntimeError):
    """Something is wrong with the deployment; the message says what and where."""
