"""Brute-force regulation: which address a request counts against, and who it may block."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mysite_auth.app import create_app
from mysite_auth.config import AuthSettings
from mysite_auth.models import Base
from mysite_common.identity import Identity, Role
from mysite_testing.databases import empty_tables

STRONG_PASSWORD = "correct horse battery staple"
WRONG_PASSWORD = "not the password at all, sorry"


@pytest.fixture
def strict_client(settings: AuthSettings) -> Iterator[TestClient]:
    """Low limits, so a test reaches them in a few attempts."""
    strict = settings.model_copy(
        update={"max_failures_per_account_and_ip": 3, "max_failures_per_ip": 4}
    )
    with TestClient(create_app(strict), base_url="http://testserver") as test_client:
        yield test_client
    empty_tables(settings.database_url, Base.metadata)


def from_address(address: str, **extra: str) -> dict[str, str]:
    """What the gateway forwards for a client at `address` (it appends the peer it saw)."""
    return {"X-Forwarded-For": address, **extra}


def login(client: TestClient, username: str, password: str, address: str, **extra: str) -> int:
    response = client.post(
        "/api/auth/login",
        json={"username": username, "password": password},
        headers=from_address(address, **extra),
    )
    return response.status_code


def signup(client: TestClient, username: str) -> dict[str, Any]:
    response = client.post(
        "/api/auth/signup",
        json={"username": username, "password": STRONG_PASSWORD, "display_name": username},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_failures_count_against_the_forwarded_address_not_a_claimed_one(
    strict_client: TestClient,
) -> None:
    signup(strict_client, "victim")
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        # Rotating X-Real-Ip (or a left part of X-Forwarded-For) changes nothing: only what
        # the gateway appended counts.
        status = login(
            strict_client,
            "victim",
            WRONG_PASSWORD,
            f"{forged}, 203.0.113.7",
            **{"X-Real-Ip": forged},
        )
        assert status == 401
    assert login(strict_client, "victim", STRONG_PASSWORD, "203.0.113.7") == 401
    # Someone else, elsewhere, is not blocked by that attacker.
    assert login(strict_client, "victim", STRONG_PASSWORD, "198.51.100.20") == 200


def test_an_accounts_known_address_is_exempt_from_the_per_address_block(
    strict_client: TestClient,
) -> None:
    signup(strict_client, "owner1")
    signup(strict_client, "newcomer")
    shared = "192.0.2.44"  # an office or a carrier's NAT
    assert login(strict_client, "owner1", STRONG_PASSWORD, shared) == 200
    for guess in range(4):
        assert login(strict_client, f"someone{guess}", WRONG_PASSWORD, shared) == 401
    # The address is blocked for accounts never used from it ...
    assert login(strict_client, "newcomer", STRONG_PASSWORD, shared) == 401
    # ... but not for the account that logged in from it before.
    assert login(strict_client, "owner1", STRONG_PASSWORD, shared) == 200


def test_wrong_current_passwords_count_like_failed_logins(strict_client: TestClient) -> None:
    user = signup(strict_client, "member1")
    identity = Identity(user["id"], user["username"], Role.member, user["display_name"])
    address = "198.51.100.99"

    def change(current: str) -> int:
        response = strict_client.post(
            "/api/auth/password",
            json={"current_password": current, "new_password": "a brand new passphrase here"},
            headers={**identity.to_headers(), **from_address(address)},
        )
        return response.status_code

    for _ in range(3):
        assert change(WRONG_PASSWORD) == 403
    # Now blocked: even the right password gets the wrong-password answer, and logging in
    # from that address is blocked the same way.
    assert change(STRONG_PASSWORD) == 403
    assert login(strict_client, "member1", STRONG_PASSWORD, address) == 401
    assert login(strict_client, "member1", STRONG_PASSWORD, "198.51.100.100") == 200
