"""What a visitor, a member and the owner do, through the Compose stack's published port:
accounts, identity, owner pages, the guestbook, the chatbot, a Kakao message, attacks."""

import secrets
from typing import Any

import httpx
import pytest

from mysite_testing.attacks import ALIASED_IDENTITY, SPOOFED_IDENTITY, forged_tokens
from tests.e2e.test_kakao_e2e import connect

from .compose_project import wait_until
from .conftest import MEMBER_PASSWORD, OWNER_PASSWORD, OWNER_USERNAME, ComposeStack

pytestmark = pytest.mark.compose

WHOAMI = "/api/chat/whoami"  # an optional-auth route that shows the identity it received
SERVICES = ("auth", "site", "chatbot", "kakao")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_up(client: httpx.Client, display_name: str = "방문자") -> dict[str, Any]:
    username = f"member{secrets.token_hex(4)}"
    response = client.post(
        "/api/auth/signup",
        json={"username": username, "password": MEMBER_PASSWORD, "display_name": display_name},
    )
    assert response.status_code == 201, response.text
    member: dict[str, Any] = response.json()
    return {**member, "password": MEMBER_PASSWORD}


def log_in(client: httpx.Client, username: str, password: str) -> dict[str, Any]:
    """Logs in (the client keeps the cookies); returns the token body."""
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


@pytest.fixture
def client(compose_stack: ComposeStack) -> Any:
    with compose_stack.client() as gateway:
        yield gateway


@pytest.fixture
def owner_headers(client: httpx.Client) -> dict[str, str]:
    tokens = log_in(client, OWNER_USERNAME, OWNER_PASSWORD)
    client.cookies.clear()
    return bearer(tokens["access_token"])


def test_signup_then_login_by_bearer_and_by_cookie(client: httpx.Client) -> None:
    member = sign_up(client, "방문자 🙂")
    tokens = log_in(client, member["username"], member["password"])
    by_cookie = client.get("/api/auth/me")
    assert by_cookie.status_code == 200
    assert by_cookie.json()["display_name"] == "방문자 🙂"
    client.cookies.clear()
    assert client.get("/api/auth/me").status_code == 401
    assert client.get("/api/auth/me", headers=bearer(tokens["access_token"])).status_code == 200
    assert client.get(WHOAMI, headers=bearer(tokens["access_token"])).json() == {
        "authenticated": True,
        "user_id": member["id"],
        "username": member["username"],
        "role": "member",
        "display_name": "방문자 🙂",
    }


def test_identity_headers_sent_by_clients_are_ignored(
    compose_stack: ComposeStack, client: httpx.Client
) -> None:
    spoofed = {**SPOOFED_IDENTITY, **ALIASED_IDENTITY}
    assert client.get(WHOAMI, headers=spoofed).json() == {"authenticated": False}
    member = sign_up(client)
    tokens = log_in(client, member["username"], member["password"])
    client.cookies.clear()
    as_member = client.get(WHOAMI, headers={**bearer(tokens["access_token"]), **spoofed}).json()
    assert (as_member["role"], as_member["user_id"]) == ("member", member["id"])
    # Also on the one route without ForwardAuth (static files): the site logs the user id
    # it received with each request, and a spoofed one must not be there.
    request_id = f"compose-spoof-{secrets.token_hex(6)}"
    client.get("/static/spoof-check.css", headers={**spoofed, "X-Request-Id": request_id})

    def logged_by_site() -> list[dict[str, object]]:
        return [
            line
            for container in compose_stack.project.container_ids("site")
            for line in compose_stack.project.logs(container)
            if line.get("request_id") == request_id
        ]

    wait_until(lambda: logged_by_site(), 15, "the site did not log the static request")
    assert all(line.get("user_id") in (None, "") for line in logged_by_site())


def test_forged_and_stolen_tokens_are_refused(
    compose_stack: ComposeStack, client: httpx.Client
) -> None:
    member = sign_up(client)
    tokens = log_in(client, member["username"], member["password"])
    client.cookies.clear()
    attacks = forged_tokens(
        tokens["access_token"], tokens["refresh_token"], signing_key=compose_stack.jwt_secret
    )
    for name, token in attacks.items():
        assert client.get("/api/auth/me", headers=bearer(token)).status_code == 401, name
        assert client.get(WHOAMI, headers=bearer(token)).json() == {"authenticated": False}, name
    assert client.get("/api/auth/me", headers=bearer(tokens["access_token"])).status_code == 200


def test_owner_pages_and_routes_are_for_the_owner(
    compose_stack: ComposeStack, client: httpx.Client
) -> None:
    anonymous = client.get("/admin", follow_redirects=False)
    assert anonymous.status_code == 302
    assert anonymous.headers["location"] == f"{compose_stack.url}/login?next=%2Fadmin"
    assert client.get("/api/chat/status").status_code == 401
    member = sign_up(client)
    log_in(client, member["username"], member["password"])
    assert client.get("/admin", follow_redirects=False).status_code == 403
    assert client.get("/api/chat/status").status_code == 403
    client.cookies.clear()
    log_in(client, OWNER_USERNAME, OWNER_PASSWORD)
    page = client.get("/admin")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert client.get("/api/chat/status").status_code == 200


def test_the_guestbook_keeps_what_members_write(client: httpx.Client) -> None:
    body = f"Compose에서 남긴 방명록 {secrets.token_hex(4)}"
    assert client.post("/api/site/guestbook", json={"body": body}).status_code == 401
    member = sign_up(client)
    headers = bearer(log_in(client, member["username"], member["password"])["access_token"])
    client.cookies.clear()
    before = client.get("/api/site/guestbook").json()["total"]
    refused = client.post("/api/site/guestbook", json={"body": 42}, headers=headers)
    assert refused.status_code == 422
    assert client.get("/api/site/guestbook").json()["total"] == before  # nothing changed
    created = client.post("/api/site/guestbook", json={"body": body}, headers=headers)
    assert created.status_code == 201, created.text
    listed = client.get("/api/site/guestbook").json()
    assert listed["total"] == before + 1
    assert listed["entries"][0]["body"] == body
    assert body in client.get("/guestbook").text  # the page, rendered by the site


def test_the_chatbot_answers_from_the_profile_the_owner_publishes(
    client: httpx.Client, owner_headers: dict[str, str]
) -> None:
    company = f"Composeworks{secrets.token_hex(2)}"
    profile = client.get("/api/site/profile").json()
    profile["work"] = [{"name": company, "position": "Platform Engineer", "startDate": "2022-01"}]
    published = client.put("/api/site/profile", json=profile, headers=owner_headers)
    assert published.status_code == 200, published.text

    def answer() -> dict[str, Any]:
        response = client.post("/api/chat/ask", json={"question": "where do you work?"})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    # Every chatbot replica polls the site over Compose's network and rebuilds its index.
    wait_until(lambda: company in answer()["answer"], 30, "the chatbot never saw the profile")
    assert client.post("/api/chat/ask", json={"question": ""}).status_code == 422


def test_a_member_message_reaches_the_owner_kakaotalk(
    compose_stack: ComposeStack, client: httpx.Client
) -> None:
    kakao = compose_stack.fake_kakao
    log_in(client, OWNER_USERNAME, OWNER_PASSWORD)
    assert connect(compose_stack, client).startswith("/admin?kakao=connected")  # type: ignore[arg-type]
    assert client.get("/api/kakao/status").json()["state"] == "connected"
    client.cookies.clear()
    member = sign_up(client)
    headers = bearer(log_in(client, member["username"], member["password"])["access_token"])
    client.cookies.clear()
    before = len(kakao.delivered)
    text = f"Compose를 거쳐 보낸 메시지 {secrets.token_hex(3)}"
    sent = client.post("/api/kakao/messages", json={"text": text}, headers=headers)
    assert sent.status_code == 202, sent.text
    message_id = sent.json()["id"]

    def delivered() -> bool:
        message = client.get(f"/api/kakao/messages/{message_id}", headers=headers).json()
        return bool(message["status"] == "delivered")

    wait_until(delivered, 30, "the message was not delivered to the fake Kakao")
    arrived = kakao.delivered[before:]
    assert [item.text.endswith(text) for item in arrived] == [True]
    assert arrived[0].link["web_url"] == f"{compose_stack.url}/admin/messages/{message_id}"


def test_platform_endpoints_are_not_public(client: httpx.Client) -> None:
    for path in ("/internal/verify", "/healthz", "/readyz", "/metrics"):
        assert client.get(path).status_code == 403, path
    huge = client.post(
        "/api/auth/signup",
        content=b"{" + b" " * (4 * 1024 * 1024) + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert huge.status_code == 413


def test_only_the_gateway_publishes_a_port_and_services_run_unprivileged(
    compose_stack: ComposeStack,
) -> None:
    project = compose_stack.project
    for service in SERVICES:
        for container in project.container_ids(service):
            config = project.inspect(container)
            assert not config["HostConfig"]["PortBindings"], service
            assert config["Config"]["User"] not in ("", "0", "root", "0:0"), service
            assert config["HostConfig"]["ReadonlyRootfs"] is True, service
    (gateway,) = project.container_ids("gateway")
    bindings = project.inspect(gateway)["HostConfig"]["PortBindings"]
    published = [binding for ports in bindings.values() for binding in ports]
    assert [binding["HostIp"] for binding in published] == ["127.0.0.1"]
