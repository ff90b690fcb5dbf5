"""Operating the Compose stack as its owner would: scaling one service with
`docker compose up --scale`, a replica killed under load, MariaDB restarted, the whole stack
taken down and up again. Faults run under steady load from a second process
(bench.loadgen); the failed requests are counted and reported (test-artifacts/compose/)."""

import secrets
import time
from collections import Counter

import httpx
import pytest

from bench.operations import Load

from .compose_project import wait_until
from .conftest import FAULTS, MEMBER_PASSWORD, OWNER_PASSWORD, OWNER_USERNAME, ComposeStack

pytestmark = pytest.mark.compose

WHOAMI = "/api/chat/whoami"
SERVICES = ("auth", "site", "chatbot", "kakao")
SCALED = ("--scale", "chatbot=2", "--scale", "site=2")


def served_by(stack: ComposeStack, service: str, path: str, requests: int) -> Counter[int]:
    """Sends `requests` GETs through the gateway, each with a request id of its own, and
    counts how many each replica of `service` logged (by replica number, from 1)."""
    prefix = f"spread-{secrets.token_hex(4)}"
    with stack.client() as client:
        for number in range(requests):
            response = client.get(path, headers={"X-Request-Id": f"{prefix}-{number}"})
            assert response.status_code == 200, response.text
    counts: Counter[int] = Counter()
    for replica, container in enumerate(stack.project.container_ids(service), start=1):
        for line in stack.project.logs(container):
            if str(line.get("request_id", "")).startswith(prefix):
                counts[replica] += 1
    return counts


def spread_over_two(stack: ComposeStack, service: str, path: str) -> bool:
    counts = served_by(stack, service, path, 20)
    return len(counts) == 2 and sum(counts.values()) == 20


def test_scaling_spreads_requests_over_the_replicas(compose_stack: ComposeStack) -> None:
    compose_stack.up(*SCALED)
    project = compose_stack.project
    assert [len(project.container_ids(name)) for name in SERVICES] == [1, 2, 2, 1]
    # A new replica joins once its container health check passes (Traefik's Docker provider).
    for service, path in (("chatbot", WHOAMI), ("site", "/api/site/profile")):
        wait_until(
            lambda service=service, path=path: spread_over_two(compose_stack, service, path),
            90,
            f"requests never reached both {service} replicas",
            interval=2,
        )


def test_a_replica_killed_under_load_comes_back_by_itself(compose_stack: ComposeStack) -> None:
    project = compose_stack.project
    _first, second = project.container_ids("chatbot")
    restarts = project.inspect(second)["RestartCount"]
    load = Load(f"{compose_stack.url}{WHOAMI}", seconds=12)
    time.sleep(3)
    project.crash(second)
    result = load.summary()
    FAULTS["a chatbot replica killed (SIGKILL) under load"] = result
    print("a chatbot replica killed under load:", result)
    assert result["requests"] > 50
    # The gateway's retry sends refused requests to the other replica and its health check
    # takes the dead one out: the rest of the load is served. (The count is reported.)
    with compose_stack.client() as client:
        assert all(client.get(WHOAMI).status_code == 200 for _ in range(20))
    # `restart: unless-stopped` brings it back, and once healthy it is in rotation again.
    wait_until(
        lambda: project.inspect(second)["RestartCount"] > restarts,
        60,
        "Docker did not restart the killed replica",
    )
    wait_until(
        lambda: spread_over_two(compose_stack, "chatbot", WHOAMI),
        90,
        "the restarted replica never rejoined",
        interval=2,
    )


def test_services_recover_from_a_mariadb_restart_without_restarting(
    compose_stack: ComposeStack,
) -> None:
    project = compose_stack.project
    started = {
        container: project.inspect(container)["State"]["StartedAt"]
        for service in SERVICES
        for container in project.container_ids(service)
    }
    load = Load(f"{compose_stack.url}/api/site/guestbook", seconds=20)
    time.sleep(3)
    project.run("restart", "mariadb", timeout=180)
    result = load.summary()
    FAULTS["MariaDB restarted under load (guestbook reads)"] = result
    print("MariaDB restarted under load:", result)
    # Every service reaches its database again by itself, with no container restarted.
    wait_until(
        lambda: every_service_uses_its_database(compose_stack),
        90,
        "a service did not recover from the MariaDB restart",
        interval=2,
    )
    after = {container: project.inspect(container)["State"] for container in started}
    assert {container: state["StartedAt"] for container, state in after.items()} == started
    assert all(state["Running"] for state in after.values())


def every_service_uses_its_database(stack: ComposeStack) -> bool:
    """One request per service that reads or writes its own database."""
    try:
        with stack.client() as client:
            username = f"member{secrets.token_hex(4)}"
            signup = client.post(  # auth: users
                "/api/auth/signup",
                json={"username": username, "password": MEMBER_PASSWORD, "display_name": "db"},
            )
            if signup.status_code != 201:
                return False
            login = client.post(
                "/api/auth/login", json={"username": username, "password": MEMBER_PASSWORD}
            )
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            client.cookies.clear()
            entry = client.post(  # site: guestbook_entries
                "/api/site/guestbook", json={"body": "after the restart"}, headers=headers
            )
            question = client.post(  # chatbot: question_log
                "/api/chat/ask", json={"question": "where do you work?"}
            )
            message = client.post(  # kakao: kakao_messages
                "/api/kakao/messages", json={"text": "after the restart"}, headers=headers
            )
            return (entry.status_code, question.status_code, message.status_code) == (
                201,
                200,
                202,
            )
    except httpx.HTTPError:
        return False


def test_down_then_up_keeps_the_data(compose_stack: ComposeStack) -> None:
    body = f"down and up again {secrets.token_hex(4)}"
    with compose_stack.client() as client:
        username = f"member{secrets.token_hex(4)}"
        signup = client.post(
            "/api/auth/signup",
            json={"username": username, "password": MEMBER_PASSWORD, "display_name": "기억"},
        )
        assert signup.status_code == 201, signup.text
        login = client.post(
            "/api/auth/login", json={"username": username, "password": MEMBER_PASSWORD}
        )
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        client.cookies.clear()
        created = client.post("/api/site/guestbook", json={"body": body}, headers=headers)
        assert created.status_code == 201, created.text
    compose_stack.project.run("down", "--timeout", "30", timeout=300)
    assert compose_stack.project.run("ps", "--all", "--quiet").strip() == ""
    compose_stack.up()
    with compose_stack.client() as client:
        again = client.post(
            "/api/auth/login", json={"username": username, "password": MEMBER_PASSWORD}
        )
        assert again.status_code == 200, again.text
        bodies = [entry["body"] for entry in client.get("/api/site/guestbook").json()["entries"]]
        assert body in bodies
        owner = client.post(
            "/api/auth/login", json={"username": OWNER_USERNAME, "password": OWNER_PASSWORD}
        )
        assert owner.status_code == 200  # the job ran again and left the owner as it was
