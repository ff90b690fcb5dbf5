"""Deleting an account ends its sessions at once, and its id is never given out again."""

import sqlite3
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from mysite_auth.config import AuthSettings
from mysite_common import migrations
from mysite_common.identity import Identity, Role

STRONG_PASSWORD = "correct horse battery staple"


def as_headers(user: dict[str, Any], role: Role = Role.member) -> dict[str, str]:
    return Identity(user["id"], user["username"], role, user["display_name"]).to_headers()


def verify(client: TestClient, access_token: str) -> int:
    response = client.get(
        "/internal/verify?require=member", headers={"Authorization": f"Bearer {access_token}"}
    )
    return response.status_code


def test_a_deleted_accounts_tokens_stop_at_once_and_its_id_is_not_reused(
    client: TestClient, accounts: Any
) -> None:
    first = accounts.signup("first")
    user = accounts.signup("leaving")
    tokens = accounts.login("leaving")
    assert verify(client, tokens["access_token"]) == 200
    wrong = client.request(
        "DELETE", "/api/auth/me", json={"password": "not it at all, no"}, headers=as_headers(user)
    )
    assert wrong.status_code == 403
    assert verify(client, tokens["access_token"]) == 200  # nothing changed
    deleted = client.request(
        "DELETE", "/api/auth/me", json={"password": STRONG_PASSWORD}, headers=as_headers(user)
    )
    assert deleted.status_code == 204, deleted.text
    assert verify(client, tokens["access_token"]) == 401
    refreshed = client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401
    newcomer = accounts.signup("newcomer")
    assert newcomer["id"] > user["id"] > first["id"]
    assert verify(client, accounts.login("newcomer")["access_token"]) == 200


def test_the_owner_account_cannot_be_deleted(
    client: TestClient, accounts: Any, settings: AuthSettings
) -> None:
    user = accounts.signup("someowner")
    engine = create_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE users SET role = 'owner' WHERE id = :id"), {"id": user["id"]}
        )
    engine.dispose()
    response = client.request(
        "DELETE",
        "/api/auth/me",
        json={"password": STRONG_PASSWORD},
        headers=as_headers(user, Role.owner),
    )
    assert response.status_code == 409
    assert response.json()["error"] == "owner_account"


def test_the_migration_to_autoincrement_keeps_every_row(tmp_path: Path) -> None:
    database = tmp_path / "auth.sqlite3"
    url = f"sqlite:///{database}"
    migrations.upgrade(url, "mysite_auth", "0001")
    with sqlite3.connect(database) as connection:
        stamp = "2026-01-01 00:00:00"
        for user_id in (1, 2):
            connection.execute(
                "INSERT INTO users (id, username, display_name, password_hash, role,"
                " created_at, updated_at) VALUES (?, ?, 'x', 'x', 'member', ?, ?)",
                (user_id, f"user{user_id}", stamp, stamp),
            )
        connection.execute(
            "INSERT INTO refresh_tokens (token_hash, family_id, user_id, issued_at, expires_at,"
            " family_expires_at) VALUES ('hash', 'family', 2, ?, ?, ?)",
            (stamp, "2099-01-01 00:00:00", "2099-01-01 00:00:00"),
        )
    migrations.upgrade(url, "mysite_auth")
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT COUNT(*) FROM refresh_tokens").fetchone() == (1,)
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("DELETE FROM refresh_tokens")
        connection.execute("DELETE FROM users WHERE id = 2")
        connection.execute(
            "INSERT INTO users (username, display_name, password_hash, role, created_at,"
            " updated_at) VALUES ('user3', 'x', 'x', 'member', ?, ?)",
            (stamp, stamp),
        )
        assert connection.execute("SELECT id FROM users WHERE username = 'user3'").fetchone() == (
            3,
        )
    migrations.downgrade(url, "mysite_auth", "0001")


def test_bidi_overrides_are_stripped_from_display_names(client: TestClient) -> None:
    response = client.post(
        "/api/auth/signup",
        json={
            "username": "trojan",
            "password": STRONG_PASSWORD,
            "display_name": "admin\u202e\u2066 (owner)\u2069",
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["display_name"] == "admin (owner)"
