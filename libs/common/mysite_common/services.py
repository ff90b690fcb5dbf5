"""The names of mysite's application services, written once.

The launcher (stack), the container entry point (deploy/container) and the AWS deploy CLI
(deploy/aws) all read this one tuple, so a service added or renamed here reaches all three.
Kept free of imports so the deploy CLI can read it without loading the web stack.
"""

# The order in which they start and are listed: auth first, because every other service's
# requests are verified by it.
SERVICES: tuple[str, ...] = ("auth", "site", "chatbot", "kakao")
