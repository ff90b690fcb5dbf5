"""Signup, login, refresh, logout and password change, against a real database."""

import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mysite_common.identity import Identity, Role

STRONG_PASSWORD = "correct horse battery staple"


def identity_headers(user: dict, role: Role = Role.member) -> dict[str, str]:
    identity = Identity(user["id"], user["username"], role, user["display_name"])
    return identity.to_headers()


def test_signup_creates_a_member_and_never_returns_the_hash(
    client: TestClient, accounts: Any
) -> None:
    user = accounts.signup("Visitor.One")
    assert user["username"] == "visitor.one"
    assert user["role"] == "member"
    assert user["display_name"] == "방문자 🙂"
    assert "password" not in str(user).lower()


def test_signup_refuses_a_taken_username_whatever_its_case(
    client: TestClient, accounts: Any
) -> None:
    accounts.signup("taken")
    response = client.post(
        "/api/auth/signup",
        json={"username": "TAKEN", "password": STRONG_PASSWORD, "display_name": "x"},
    )
    assert response.status_code == 409
    assert response.json()["error"] == "username_taken"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short pass", "at least 15"),
        ("passwordpassword", "too common"),
        ("aaaaaaaaaaaaaaaaaaaa", "too common"),
        ("123456789012345", "too common"),
        ("newvisitor123456", "too common"),  # built from the username
        ("x" * 129, "at most 128"),
    ],
)
def test_signup_refuses_weak_passwords(client: TestClient, password: str, reason: str) -> None:
    response = client.post(
        "/api/auth/signup",
        json={"username": "newvisitor", "password": password, "display_name": "New"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "weak_password"
    assert reason in body["message"]


def test_long_unicode_passphrases_are_welcome(client: TestClient, accounts: Any) -> None:
    accounts.signup("hangul", "나는 오늘도 커피를 두 잔 마셨다")
    accounts.login("hangul", "나는 오늘도 커피를 두 잔 마셨다")
    accounts.signup("emoji", "🐈🐈 cats sleep on warm laptops 🐈")
    accounts.login("emoji", "🐈🐈 cats sleep on warm laptops 🐈")


@pytest.mark.parametrize(
    "body",
    [
        {"username": 123, "password": STRONG_PASSWORD, "display_name": "x"},
        {"username": ["a"], "password": STRONG_PASSWORD, "display_name": "x"},
        {"username": "ok_name", "password": None, "display_name": "x"},
        {"username": "ok_name"},
        {"username": "a", "password": STRONG_PASSWORD, "display_name": "x"},
        {"username": "x'; DROP TABLE users;--", "password": STRONG_PASSWORD, "display_name": "x"},
        {"username": "<script>", "password": STRONG_PASSWORD, "display_name": "x"},
        {"username": "ok_name", "password": STRONG_PASSWORD, "display_name": ""},
        {"username": "ok_name", "password": STRONG_PASSWORD, "display_name": "a\x00b"},
        {"username": "ok_name", "password": STRONG_PASSWORD, "display_name": "x" * 51},
        {"username": "\ud800", "password": STRONG_PASSWORD, "display_name": "x"},
    ],
)
def test_bad_signup_input_is_a_clear_4xx_and_creates_nothing(
    client: TestClient, body: dict
) -> None:
    # json.dumps escapes the lone surrogate, as a hostile client would send it.
    response = client.post(
        "/api/auth/signup", content=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500
    assert response.json()["message"]
    response = client.post(
        "/api/auth/login", json={"username": "ok_name", "password": STRONG_PASSWORD}
    )
    assert response.status_code == 401


def test_markup_in_a_display_name_is_kept_as_text(client: TestClient) -> None:
    response = client.post(
        "/api/auth/signup",
        json={"username": "markup", "password": STRONG_PASSWORD, "display_name": "<b>x</b>"},
    )
    assert response.status_code == 201
    assert response.json()["display_name"] == "<b>x</b>"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"", "application/json"),
        (b"\xff\xfe\x00", "application/json"),
        (b"username=a&password=b", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_bodies_are_refused_clearly(
    client: TestClient, content: bytes, content_type: str
) -> None:
    response = client.post(
        "/api/auth/login", content=content, headers={"Content-Type": content_type}
    )
    assert response.status_code in (400, 422)
    assert response.json()["error"] in ("invalid_request", "bad_request")
    assert response.json()["message"]


def test_huge_bodies_are_refused_before_parsing(client: TestClient) -> None:
    response = client.post(
        "/api/auth/signup",
        content=b'{"username": "' + b"a" * 200_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_login_sets_httponly_cookies_and_returns_a_short_lived_token(
    client: TestClient, accounts: Any
) -> None:
    accounts.signup()
    response = client.post(
        "/api/auth/login", json={"username": "visitor", "password": STRONG_PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert 0 < body["expires_in"] <= 15 * 60
    cookies = response.headers.get_list("set-cookie")
    access = next(c for c in cookies if c.startswith("mysite_access="))
    refresh = next(c for c in cookies if c.startswith("mysite_refresh="))
    assert "HttpOnly" in access
    assert "SameSite=lax" in access
    assert "HttpOnly" in refresh
    assert "SameSite=strict" in refresh
    assert response.headers["cache-control"] == "no-store"


def test_wrong_password_and_unknown_user_get_the_same_answer(
    client: TestClient, accounts: Any
) -> None:
    accounts.signup()
    wrong = client.post("/api/auth/login", json={"username": "visitor", "password": "x" * 20})
    unknown = client.post("/api/auth/login", json={"username": "nobody", "password": "x" * 20})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_me_returns_the_gateway_identity(client: TestClient, accounts: Any) -> None:
    user = accounts.signup()
    response = client.get("/api/auth/me", headers=identity_headers(user))
    assert response.status_code == 200
    assert response.json()["display_name"] == "방문자 🙂"
    assert client.get("/api/auth/me").status_code == 401


def test_refresh_rotates_and_a_replayed_token_ends_the_session(
    client: TestClient, accounts: Any
) -> None:
    accounts.signup()
    first = accounts.login()
    client.cookies.clear()
    second = client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    # Within the grace period a replay is a race, refused without ending the session.
    raced = client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert raced.status_code == 409
    time.sleep(0.1)


def test_replay_after_the_grace_period_revokes_the_family(
    client: TestClient, accounts: Any
) -> None:
    client.app.state.settings = client.app.state.settings.model_copy(  # type: ignore[attr-defined]
        update={"refresh_reuse_grace_seconds": 0}
    )
    accounts.signup()
    first = accounts.login()
    client.cookies.clear()
    second = client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    time.sleep(1.1)
    replay = client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    assert replay.json()["error"] == "session_ended"
    cleared = replay.headers.get_list("set-cookie")
    for name in ("mysite_access=", "mysite_refresh=", "mysite_session="):
        assert any(cookie.startswith(name) and "Max-Age=0" in cookie for cookie in cleared), name
    # The thief's copy is dead, and so is the legitimate newer token of the same family.
    newest = client.post(
        "/api/auth/refresh", json={"refresh_token": second.json()["refresh_token"]}
    )
    assert newest.status_code == 401
    verify = client.get(
        "/internal/verify?require=member",
        headers={"Authorization": f"Bearer {second.json()['access_token']}"},
    )
    assert verify.status_code == 401


def test_refresh_works_from_the_cookie(client: TestClient, accounts: Any) -> None:
    accounts.signup()
    accounts.login()
    response = client.post("/api/auth/refresh")
    assert response.status_code == 200
    assert client.cookies.get("mysite_refresh") == response.json()["refresh_token"]


def test_refresh_without_a_session_is_401(client: TestClient) -> None:
    assert client.post("/api/auth/refresh").status_code == 401
    assert client.post("/api/auth/refresh", json={"refresh_token": "made-up"}).status_code == 401


def test_logout_kills_the_access_token_at_once(client: TestClient, accounts: Any) -> None:
    accounts.signup()
    tokens = accounts.login()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get("/internal/verify?require=member", headers=bearer).status_code == 200
    assert client.post("/api/auth/logout").status_code == 204
    assert client.get("/internal/verify?require=member", headers=bearer).status_code == 401
    again = client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert again.status_code == 401


def test_password_change_ends_every_other_session(client: TestClient, accounts: Any) -> None:
    user = accounts.signup()
    phone = accounts.login()
    laptop = accounts.login()
    client.cookies.clear()
    response = client.post(
        "/api/auth/password",
        json={"current_password": STRONG_PASSWORD, "new_password": "a brand new passphrase here"},
        headers=identity_headers(user),
    )
    assert response.status_code == 200, response.text
    new_token = response.json()["access_token"]
    for old in (phone, laptop):
        verify = client.get(
            "/internal/verify?require=member",
            headers={"Authorization": f"Bearer {old['access_token']}"},
        )
        assert verify.status_code == 401
        refreshed = client.post("/api/auth/refresh", json={"refresh_token": old["refresh_token"]})
        assert refreshed.status_code == 401
    verify = client.get(
        "/internal/verify?require=member", headers={"Authorization": f"Bearer {new_token}"}
    )
    assert verify.status_code == 200
    assert (
        client.post(
            "/api/auth/login", json={"username": "visitor", "password": STRONG_PASSWORD}
        ).status_code
        == 401
    )
    accounts.login(password="a brand new passphrase here")


def test_password_change_needs_the_current_password(client: TestClient, accounts: Any) -> None:
    user = accounts.signup()
    response = client.post(
        "/api/auth/password",
        json={"current_password": "not the password at all", "new_password": "x" * 30},
        headers=identity_headers(user),
    )
    assert response.status_code == 403
    accounts.login()
