"""TOTP second factor: enrolment, login with a code, single use, recovery codes, disabling."""

from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient

from mysite_common.identity import Identity, Role

STRONG_PASSWORD = "correct horse battery staple"


def headers_of(user: dict[str, Any]) -> dict[str, str]:
    return Identity(user["id"], user["username"], Role.member, user["display_name"]).to_headers()


def login(client: TestClient, otp: str | None = None, password: str = STRONG_PASSWORD) -> Any:
    body: dict[str, str] = {"username": "visitor", "password": password}
    if otp is not None:
        body["otp"] = otp
    return client.post("/api/auth/login", json=body)


def enrol(client: TestClient, user: dict[str, Any]) -> tuple[pyotp.TOTP, list[str]]:
    setup = client.post("/api/auth/otp/setup", headers=headers_of(user))
    assert setup.status_code == 200, setup.text
    body = setup.json()
    assert body["otpauth_uri"].startswith("otpauth://totp/mysite:visitor?secret=")
    assert body["qr_svg"].startswith("<svg")
    assert setup.headers["cache-control"] == "no-store"
    totp = pyotp.TOTP(body["secret"])
    wrong = client.post("/api/auth/otp/enable", json={"code": "000000"}, headers=headers_of(user))
    assert wrong.status_code == 401
    assert client.get("/api/auth/me", headers=headers_of(user)).json()["otp_enabled"] is False
    enabled = client.post(
        "/api/auth/otp/enable", json={"code": totp.now()}, headers=headers_of(user)
    )
    assert enabled.status_code == 200, enabled.text
    codes: list[str] = enabled.json()["recovery_codes"]
    assert len(codes) == 10
    assert client.get("/api/auth/me", headers=headers_of(user)).json()["otp_enabled"] is True
    return totp, codes


def test_login_needs_a_code_once_enabled_and_each_code_works_once(
    client: TestClient, accounts: Any
) -> None:
    user = accounts.signup()
    totp, _ = enrol(client, user)
    # Right password, no code: says a code is needed. Wrong password: nothing more.
    without = login(client)
    assert without.status_code == 401
    assert without.json()["error"] == "otp_required"
    wrong_password = login(client, password="not the password, at all")
    assert wrong_password.json()["error"] == "invalid_credentials"
    wrong_password_no_code = login(client, otp="123456", password="not the password, at all")
    assert wrong_password_no_code.json()["error"] == "invalid_credentials"
    # The code used to enable it cannot log in (single use within its window).
    assert login(client, otp=totp.now()).json()["error"] == "otp_invalid"
    assert login(client, otp="12345x").json()["error"] == "otp_invalid"


def test_recovery_codes_log_in_once_each(client: TestClient, accounts: Any) -> None:
    user = accounts.signup()
    _, codes = enrol(client, user)
    first = login(client, otp=codes[0].upper())
    assert first.status_code == 200, first.text
    assert login(client, otp=codes[0]).json()["error"] == "otp_invalid"
    assert login(client, otp=codes[1]).status_code == 200


def test_disabling_needs_the_password_and_a_code(client: TestClient, accounts: Any) -> None:
    user = accounts.signup()
    _, codes = enrol(client, user)
    no_code = client.post(
        "/api/auth/otp/disable",
        json={"password": STRONG_PASSWORD, "code": "000000"},
        headers=headers_of(user),
    )
    assert no_code.status_code == 403
    no_password = client.post(
        "/api/auth/otp/disable",
        json={"password": "not the password, at all", "code": codes[0]},
        headers=headers_of(user),
    )
    assert no_password.status_code == 403
    disabled = client.post(
        "/api/auth/otp/disable",
        json={"password": STRONG_PASSWORD, "code": codes[0]},
        headers=headers_of(user),
    )
    assert disabled.status_code == 204
    assert login(client).status_code == 200


@pytest.mark.parametrize("path", ["/api/auth/otp/setup", "/api/auth/otp/enable"])
def test_second_factor_routes_need_a_login(client: TestClient, path: str) -> None:
    assert client.post(path, json={"code": "123456"}).status_code == 401


def test_wrong_codes_count_like_failed_logins(client: TestClient, accounts: Any) -> None:
    user = accounts.signup()
    totp, _ = enrol(client, user)
    # The enrolment's wrong code was the first failure; four more reach the limit of five
    # per account and address.
    for _ in range(4):
        assert login(client, otp="000000").json()["error"] == "otp_invalid"
    # Blocked now: even the right password and a fresh code get the plain refusal.
    blocked = login(client, otp=totp.now())
    assert blocked.json()["error"] == "invalid_credentials"
