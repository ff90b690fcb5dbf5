"""Helpers shared by the kakao tests (imported by name: conftest puts this folder on the path)."""

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi.testclient import TestClient

from mysite_common.identity import Identity, Role
from mysite_kakao.config import KakaoSettings
from mysite_testing.fake_kakao import FakeKakao

TEST_TOKEN_KEY = "3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
SITE = "http://testserver"
CALLBACK = f"{SITE}/api/kakao/oauth/callback"

OWNER = Identity(1, "owner", Role.owner, "사이트 주인")
MEMBER = Identity(2, "visitor", Role.member, "방문자 🙂")
OTHER_MEMBER = Identity(3, "another", Role.member, "Another")


def make_settings(database_url: str, fake: FakeKakao, **overrides: Any) -> KakaoSettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "token_key": TEST_TOKEN_KEY,
        "rest_api_key": fake.client_id,
        "auth_url": fake.url,
        "api_url": fake.url,
        "site_url": SITE,
        "poll_seconds": 0.05,
        "backoff_base_seconds": 0.02,
        "backoff_max_seconds": 0.2,
        # Token upkeep runs when a test calls worker.upkeep(), so each test decides when.
        "maintenance_seconds": 3600,
        "read_timeout_seconds": 2.0,
        "connect_timeout_seconds": 1.0,
        "rate_limit_count": 1000,
    }
    values.update(overrides)
    return KakaoSettings.load(**values)


def owner_headers() -> dict[str, str]:
    return OWNER.to_headers()


def member_headers(identity: Identity = MEMBER) -> dict[str, str]:
    return identity.to_headers()


def wait_until(condition: Callable[[], Any], timeout: float = 10.0, interval: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def start_connect(client: TestClient) -> str:
    """GET /oauth/start as the owner; returns Kakao's consent URL."""
    response = client.get("/api/kakao/oauth/start", headers=owner_headers(), follow_redirects=False)
    assert response.status_code == 302, response.text
    return response.headers["location"]


def consent(authorize_url: str) -> httpx.Response:
    """The owner's browser at Kakao's consent page (the fake answers at once)."""
    return httpx.get(authorize_url, follow_redirects=False, timeout=5)


def callback_path(kakao_answer: httpx.Response) -> str:
    assert kakao_answer.status_code == 302, kakao_answer.text
    location = kakao_answer.headers["location"]
    assert location.startswith(CALLBACK)
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


def finish_connect(client: TestClient, path: str) -> httpx.Response:
    return client.get(path, headers=owner_headers(), follow_redirects=False)


def admin_result(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/admin?")
    assert location.endswith("#kakao")
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def connect(client: TestClient) -> None:
    """The whole connect flow, as the owner's browser does it."""
    result = admin_result(finish_connect(client, callback_path(consent(start_connect(client)))))
    assert result == {"kakao": "connected", "reason": "connected"}, result


def send(client: TestClient, text: str, identity: Identity = MEMBER, **headers: str) -> Any:
    response = client.post(
        "/api/kakao/messages", json={"text": text}, headers={**identity.to_headers(), **headers}
    )
    assert response.status_code == 202, response.text
    return response.json()


def message(client: TestClient, message_id: int) -> Any:
    response = client.get(f"/api/kakao/messages/{message_id}", headers=owner_headers())
    assert response.status_code == 200, response.text
    return response.json()


def status(client: TestClient) -> Any:
    response = client.get("/api/kakao/status", headers=owner_headers())
    assert response.status_code == 200, response.text
    return response.json()
