"""The gateway's verify endpoint: every mode, every answer."""

from datetime import timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from mysite_auth.config import AuthSettings
from mysite_auth.tokens import (
    InvalidTokenError,
    decode_access_token,
    issue_access_token,
    key_id,
)
from mysite_common.db import utcnow
from mysite_common.identity import Identity, Role


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_anonymous_passes_optional_routes_without_identity(client: TestClient) -> None:
    response = client.get("/internal/verify?require=none")
    assert response.status_code == 200
    assert "x-user-id" not in response.headers
    assert len(response.headers["x-request-id"]) == 32


def test_member_token_gives_identity_headers(client: TestClient, accounts: Any) -> None:
    user = accounts.signup()
    tokens = accounts.login()
    response = client.get(
        "/internal/verify?require=member",
        headers={**bearer(tokens["access_token"]), "X-Request-Id": "req-1"},
    )
    assert response.status_code == 200
    assert response.headers["x-user-id"] == str(user["id"])
    assert response.headers["x-user-role"] == "member"
    assert response.headers["x-user-name"] == "visitor"
    assert response.headers["x-user-display-name"] == "%EB%B0%A9%EB%AC%B8%EC%9E%90%20%F0%9F%99%82"
    assert response.headers["x-request-id"] == "req-1"


def test_the_access_cookie_works_like_a_bearer_token(client: TestClient, accounts: Any) -> None:
    accounts.signup()
    accounts.login()  # the client keeps the cookies
    assert client.get("/internal/verify?require=member").status_code == 200


def test_member_on_an_owner_route_is_forbidden(client: TestClient, accounts: Any) -> None:
    accounts.signup()
    tokens = accounts.login()
    response = client.get("/internal/verify?require=owner", headers=bearer(tokens["access_token"]))
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_unknown_requirement_fails_closed(client: TestClient, accounts: Any) -> None:
    accounts.signup()
    tokens = accounts.login()
    client.cookies.clear()
    response = client.get("/internal/verify?require=typo", headers=bearer(tokens["access_token"]))
    assert response.status_code == 403


def test_api_routes_get_401_json_and_pages_a_login_redirect(client: TestClient) -> None:
    api = client.get("/internal/verify?require=member")
    assert api.status_code == 401
    assert api.json()["error"] == "unauthorized"
    assert api.headers["www-authenticate"].startswith("Bearer")
    forwarded = {
        "X-Forwarded-Uri": "/admin?tab=photo",
        "X-Forwarded-Host": "example.com",
        "X-Forwarded-Proto": "https",
    }
    page = client.get(
        "/internal/verify?require=owner&page=true", headers=forwarded, follow_redirects=False
    )
    assert page.status_code == 302
    assert page.headers["location"] == "https://example.com/login?next=%2Fadmin%3Ftab%3Dphoto"


def test_login_redirects_stay_on_site(client: TestClient) -> None:
    hostile = {
        "X-Forwarded-Uri": "//evil.example/x",
        "X-Forwarded-Host": "bad host/\r\n",
        "X-Forwarded-Proto": "javascript",
    }
    page = client.get(
        "/internal/verify?require=member&page=true", headers=hostile, follow_redirects=False
    )
    assert page.headers["location"] == "/login?next=%2F"


def test_expired_and_forged_tokens_are_refused(client: TestClient, settings: AuthSettings) -> None:
    identity = Identity(1, "someone", Role.owner, "Someone")
    expired, _ = issue_access_token(
        settings, identity=identity, session_id="s", now=utcnow() - timedelta(hours=1)
    )
    response = client.get("/internal/verify?require=member", headers=bearer(expired))
    assert response.status_code == 401
    assert "expired" in response.json()["message"]
    valid, _ = issue_access_token(settings, identity=identity, session_id="s", now=utcnow())
    claims = jwt.decode(valid, options={"verify_signature": False})
    forged = jwt.encode(claims, "another-secret-that-is-long-enough-0123456789", "HS256")
    none_alg = jwt.encode(claims, None, algorithm="none")
    wrong_type = jwt.encode(
        {**claims, "typ": "refresh"}, settings.jwt_secret.get_secret_value(), "HS256"
    )
    missing_claim = jwt.encode(
        {key: value for key, value in claims.items() if key != "jti"},
        settings.jwt_secret.get_secret_value(),
        "HS256",
    )
    for token in (forged, none_alg, wrong_type, missing_claim, "not-a-token"):
        assert (
            client.get("/internal/verify?require=member", headers=bearer(token)).status_code == 401
        )
        optional = client.get("/internal/verify?require=none", headers=bearer(token))
        assert optional.status_code == 200
        assert "x-user-id" not in optional.headers


def test_tokens_say_what_they_are_and_how_long_they_live(
    client: TestClient, settings: AuthSettings
) -> None:
    identity = Identity(1, "someone", Role.member, "Someone")
    valid, _ = issue_access_token(settings, identity=identity, session_id="s", now=utcnow())
    header = jwt.get_unverified_header(valid)
    assert header["typ"] == "at+jwt"
    assert header["kid"] == key_id(settings.jwt_secret.get_secret_value())
    claims = jwt.decode(valid, options={"verify_signature": False})
    secret = settings.jwt_secret.get_secret_value()
    kid = header["kid"]
    refused = {
        "plain JWT type": jwt.encode(claims, secret, "HS256", headers={"typ": "JWT", "kid": kid}),
        "no kid": jwt.encode(claims, secret, "HS256", headers={"typ": "at+jwt"}),
        "unknown kid": jwt.encode(
            claims, secret, "HS256", headers={"typ": "at+jwt", "kid": "0123456789abcdef"}
        ),
        "lives too long": jwt.encode(
            {**claims, "exp": claims["iat"] + settings.access_token_minutes * 60 + 3600},
            secret,
            "HS256",
            headers={"typ": "at+jwt", "kid": kid},
        ),
    }
    for name, token in refused.items():
        response = client.get("/internal/verify?require=member", headers=bearer(token))
        assert response.status_code == 401, name
    assert client.get("/internal/verify?require=member", headers=bearer(valid)).status_code == 200


def test_the_signing_key_rotates_without_logging_anyone_out(settings: AuthSettings) -> None:
    identity = Identity(1, "someone", Role.member, "Someone")
    old_token, _ = issue_access_token(settings, identity=identity, session_id="s", now=utcnow())
    new_secret = "a-brand-new-signing-key-that-is-long-enough-0123"
    old_secret = settings.jwt_secret.get_secret_value()
    rotated = settings.model_copy(
        update={"jwt_secret": SecretStr(new_secret), "jwt_previous_secrets": SecretStr(old_secret)}
    )
    # Signed before the rotation: still valid while the old key is listed as previous.
    assert decode_access_token(rotated, old_token).identity == identity
    new_token, _ = issue_access_token(rotated, identity=identity, session_id="s", now=utcnow())
    assert jwt.get_unverified_header(new_token)["kid"] == key_id(new_secret)
    assert decode_access_token(rotated, new_token).identity == identity
    # Once the old key is dropped, its tokens are refused; the new ones are not affected.
    finished = rotated.model_copy(update={"jwt_previous_secrets": SecretStr("")})
    with pytest.raises(InvalidTokenError):
        decode_access_token(finished, old_token)
    assert decode_access_token(finished, new_token).identity == identity
