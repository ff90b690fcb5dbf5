"""The platform through the real gateway: accounts, tokens, identity headers, protection."""

import json
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from mysite_stack.secrets import read_secret
from mysite_stack.stack import Stack
from mysite_testing.attacks import ALIASED_IDENTITY, SPOOFED_IDENTITY, forged_tokens

pytestmark = pytest.mark.e2e

WHOAMI = "/api/chat/whoami"  # an optional-auth route that shows the identity it received


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_signup_login_by_bearer_and_by_cookie(
    gateway: httpx.Client,
    new_member: Callable[..., dict[str, Any]],
    log_in: Callable[..., dict[str, Any]],
) -> None:
    member = new_member("방문자 🙂")
    tokens = log_in(member["username"], member["password"])
    by_cookie = gateway.get("/api/auth/me")
    assert by_cookie.status_code == 200
    assert by_cookie.json()["display_name"] == "방문자 🙂"
    gateway.cookies.clear()
    assert gateway.get("/api/auth/me").status_code == 401
    by_bearer = gateway.get("/api/auth/me", headers=bearer(tokens["access_token"]))
    assert by_bearer.status_code == 200
    seen = gateway.get(WHOAMI, headers=bearer(tokens["access_token"])).json()
    assert seen == {
        "authenticated": True,
        "user_id": member["id"],
        "username": member["username"],
        "role": "member",
        "display_name": "방문자 🙂",
    }


def test_anonymous_gets_401_json_on_protected_api_routes(gateway: httpx.Client) -> None:
    response = gateway.get("/api/auth/me")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == "unauthorized"
    assert gateway.get(WHOAMI).json() == {"authenticated": False}


def test_refresh_rotates_and_reuse_ends_the_session(
    gateway: httpx.Client,
    new_member: Callable[..., dict[str, Any]],
    log_in: Callable[..., dict[str, Any]],
) -> None:
    member = new_member()
    first = log_in(member["username"], member["password"])
    rotated = gateway.post("/api/auth/refresh")  # the refresh cookie
    assert rotated.status_code == 200
    assert rotated.json()["refresh_token"] != first["refresh_token"]
    assert gateway.get("/api/auth/me").status_code == 200
    time.sleep(5.5)  # past the grace period for racing tabs
    stolen = gateway.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert stolen.status_code == 401
    gateway.cookies.clear()
    newest = rotated.json()
    assert gateway.get("/api/auth/me", headers=bearer(newest["access_token"])).status_code == 401
    again = gateway.post("/api/auth/refresh", json={"refresh_token": newest["refresh_token"]})
    assert again.status_code == 401


def test_logout_is_effective_immediately(
    gateway: httpx.Client,
    new_member: Callable[..., dict[str, Any]],
    log_in: Callable[..., dict[str, Any]],
) -> None:
    member = new_member()
    tokens = log_in(member["username"], member["password"])
    assert gateway.post("/api/auth/logout").status_code == 204
    assert gateway.get("/api/auth/me", headers=bearer(tokens["access_token"])).status_code == 401
    assert gateway.get(WHOAMI, headers=bearer(tokens["access_token"])).json() == {
        "authenticated": False
    }


def test_password_change_ends_other_sessions(
    gateway: httpx.Client,
    new_member: Callable[..., dict[str, Any]],
    log_in: Callable[..., dict[str, Any]],
) -> None:
    member = new_member()
    other_device = log_in(member["username"], member["password"])
    log_in(member["username"], member["password"])
    changed = gateway.post(
        "/api/auth/password",
        json={"current_password": member["password"], "new_password": "another long passphrase ok"},
    )
    assert changed.status_code == 200, changed.text
    assert gateway.get("/api/auth/me").status_code == 200  # this browser got a new session
    stale = gateway.get("/api/auth/me", headers=bearer(other_device["access_token"]))
    assert stale.status_code == 401


def test_identity_headers_from_clients_never_reach_a_service(
    stack: Stack,
    gateway: httpx.Client,
    new_member: Callable[..., dict[str, Any]],
    log_in: Callable[..., dict[str, Any]],
) -> None:
    anonymous = gateway.get(WHOAMI, headers={**SPOOFED_IDENTITY, **ALIASED_IDENTITY})
    assert anonymous.json() == {"authenticated": False}
    member = new_member()
    tokens = log_in(member["username"], member["password"])
    gateway.cookies.clear()
    as_member = gateway.get(WHOAMI, headers={**bearer(tokens["access_token"]), **SPOOFED_IDENTITY})
    assert as_member.json()["role"] == "member"
    assert as_member.json()["user_id"] == member["id"]
    # Also on the one route without ForwardAuth (static files): the site logs the user id
    # it received with each request; a spoofed one must not be there.
    request_id = "spoof-check-static-0001"
    gateway.get(
        "/static/spoof-check.css",
        headers={**SPOOFED_IDENTITY, **ALIASED_IDENTITY, "X-Request-Id": request_id},
    )
    time.sleep(0.5)
    lines = [
        json.loads(line)
        for line in (stack.logs_dir / "site-1.log").read_text().splitlines()
        if request_id in line and line.startswith("{")
    ]
    assert lines, "the site did not log the static request"
    assert all(line.get("user_id") in (None, "") for line in lines)


def test_jwt_attacks_are_refused(
    stack: Stack,
    gateway: httpx.Client,
    new_member: Callable[..., dict[str, Any]],
    log_in: Callable[..., dict[str, Any]],
) -> None:
    member = new_member()
    tokens = log_in(member["username"], member["password"])
    gateway.cookies.clear()
    real = tokens["access_token"]
    signing_key = read_secret(stack.secrets_dir, "auth_jwt_secret")
    attacks = forged_tokens(real, tokens["refresh_token"], signing_key=signing_key)
    for name, token in attacks.items():
        protected = gateway.get("/api/auth/me", headers=bearer(token))
        assert protected.status_code == 401, name
        optional = gateway.get(WHOAMI, headers=bearer(token))
        assert optional.json() == {"authenticated": False}, name
    assert gateway.get("/api/auth/me", headers=bearer(real)).status_code == 200


def test_cross_site_state_changes_are_refused(
    gateway: httpx.Client, new_member: Callable[..., dict[str, Any]]
) -> None:
    member = new_member()
    body = {"username": member["username"], "password": member["password"]}
    cross_site = gateway.post(
        "/api/auth/login", json=body, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross_site.status_code == 403
    assert cross_site.json()["error"] == "csrf_rejected"
    other_origin = gateway.post(
        "/api/auth/login", json=body, headers={"Origin": "https://evil.example"}
    )
    assert other_origin.status_code == 403
    same_origin = gateway.post(
        "/api/auth/login",
        json=body,
        headers={"Origin": str(gateway.base_url).rstrip("/"), "Sec-Fetch-Site": "same-origin"},
    )
    assert same_origin.status_code == 200


def test_brute_force_is_answered_like_a_wrong_password(
    stack: Stack, gateway: httpx.Client, new_member: Callable[..., dict[str, Any]]
) -> None:
    member = new_member()
    for _ in range(5):
        wrong = gateway.post(
            "/api/auth/login", json={"username": member["username"], "password": "x" * 20}
        )
        assert wrong.status_code == 401
    right = {"username": member["username"], "password": member["password"]}
    blocked = gateway.post("/api/auth/login", json=right)
    assert blocked.status_code == 401
    assert blocked.json() == wrong.json()
    # The real owner of the account, elsewhere, is not locked out.
    elsewhere = httpx.HTTPTransport(local_address="127.0.0.250")
    with httpx.Client(base_url=stack.url, transport=elsewhere) as other:
        assert other.post("/api/auth/login", json=right).status_code == 200


def test_login_is_rate_limited_per_address(stack: Stack, client_address: str) -> None:
    transport = httpx.HTTPTransport(local_address=client_address)
    with httpx.Client(base_url=stack.url, transport=transport) as client:
        statuses = [client.post("/api/auth/login", json={}).status_code for _ in range(70)]
    assert 429 in statuses
    assert statuses[0] == 422  # clear error for the empty body before the limit kicks in


def test_bad_input_through_the_gateway(gateway: httpx.Client) -> None:
    huge = gateway.post(
        "/api/auth/signup",
        content=b"{" + b" " * (4 * 1024 * 1024) + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    broken = gateway.post(
        "/api/auth/signup", content=b"{oops", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 422
    assert broken.json()["message"] == "The request body is not valid JSON."


def test_platform_endpoints_are_not_public(gateway: httpx.Client) -> None:
    for path in ("/internal/verify", "/healthz", "/readyz", "/metrics", "/internal/verify?x=1"):
        assert gateway.get(path).status_code == 403, path


def test_security_headers_and_request_ids(stack: Stack, gateway: httpx.Client) -> None:
    response = gateway.get(WHOAMI, headers={"X-Request-Id": "test-request-0001"})
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-request-id"] == "test-request-0001"
    generated = gateway.get(WHOAMI).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    time.sleep(1.5)  # the gateway buffers nothing, but log files are flushed by the OS
    gateway_log = (stack.logs_dir / "gateway.log").read_text()
    chatbot_log = (stack.logs_dir / "chatbot-1.log").read_text()
    assert "test-request-0001" in gateway_log
    assert "test-request-0001" in chatbot_log


def test_metrics_from_the_gateway_and_every_service(stack: Stack) -> None:
    assert "traefik_" in httpx.get(f"{stack.admin_url}/metrics").text
    for replicas in stack.replicas.values():
        for replica in replicas:
            assert "mysite_http_requests_total" in httpx.get(f"{replica.url}/metrics").text


def test_each_service_database_user_reads_only_its_own_database(stack: Stack) -> None:
    urls = stack.database_urls
    for service, url in urls.items():
        engine = create_engine(url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            for other in urls:
                if other == service:
                    continue
                other_database = stack.options.database_prefix + "_" + other
                with pytest.raises((OperationalError, ProgrammingError)):
                    connection.execute(text(f"SHOW TABLES FROM `{other_database}`"))
        engine.dispose()


def test_owner_routes_are_enforced_at_the_gateway(
    stack: Stack,
    gateway: httpx.Client,
    new_member: Callable[..., dict[str, Any]],
    log_in: Callable[..., dict[str, Any]],
) -> None:
    owner_only = [
        ("GET", "/api/chat/status"),
        ("GET", "/api/chat/questions"),
        ("GET", "/api/chat/entries"),
        ("GET", "/api/chat/taught"),
        ("DELETE", "/api/chat/taught/1"),
        ("POST", "/api/site/faq"),
        ("PUT", "/api/site/faq/1"),
        ("DELETE", "/api/site/faq/1"),
        ("PUT", "/api/site/profile"),
    ]
    for method, path in owner_only:
        anonymous = gateway.request(method, path, json={})
        assert anonymous.status_code == 401, (method, path)
        assert anonymous.json()["error"] == "unauthorized"
    member = new_member()
    log_in(member["username"], member["password"])
    for method, path in owner_only:
        assert gateway.request(method, path, json={}).status_code == 403, (method, path)
    assert gateway.get("/api/site/faq").status_code == 200  # reading the FAQ stays public
    page = gateway.get("/admin", follow_redirects=False)
    assert page.status_code == 403
    assert "text/html" in page.headers["content-type"]  # the site's own error page
    gateway.cookies.clear()
    anonymous_page = gateway.get("/admin", follow_redirects=False)
    assert anonymous_page.status_code == 302
    assert anonymous_page.headers["location"] == f"{stack.url}/login?next=%2Fadmin"
