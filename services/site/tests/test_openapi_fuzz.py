"""Requests generated from the site service's OpenAPI schema never get a 5xx."""

import pytest
from fastapi.testclient import TestClient
from site_support import OWNER, Browser

from mysite_testing.openapi_fuzz import ON_MARIADB_ONLY, server_errors


def owner_script_headers(client: TestClient) -> dict[str, str]:
    """The owner's page script: identity, and the CSRF token as cookie and header, so
    state-changing requests reach the logic instead of stopping at the CSRF check."""
    token = Browser(client, OWNER).csrf_token()
    return {**OWNER.to_headers(), "X-CSRF-Token": token, "Cookie": f"mysite_csrf={token}"}


def test_no_input_gives_a_server_error(database_url: str, request: pytest.FixtureRequest) -> None:
    if not database_url.startswith("mysql"):
        pytest.skip(ON_MARIADB_ONLY)
    client: TestClient = request.getfixturevalue("client")
    app = client.app
    assert server_errors(app, "/api/site/openapi.json", headers=owner_script_headers(client)) == []  # type: ignore[arg-type]


def test_ids_past_any_column_are_a_clear_4xx(client: TestClient) -> None:
    """SQLite's driver raises OverflowError on such a number: it must never get that far."""
    headers = owner_script_headers(client)
    for huge in ("99999999999999999999999", "9223372036854775808", "0", "-1"):
        update = client.put(f"/api/site/guestbook/{huge}", json={"body": "hi"}, headers=headers)
        assert update.status_code == 422, update.text
        assert client.delete(f"/api/site/guestbook/{huge}", headers=headers).status_code == 422


def test_deeply_nested_json_is_a_clear_400(client: TestClient) -> None:
    """It used to be an uncaught RecursionError (a 500) in the profile and draft endpoints."""
    deep = "[" * 5_000 + "]" * 5_000
    headers = {**owner_script_headers(client), "Content-Type": "application/json"}
    for path in ("/api/site/profile", "/api/site/admin/draft"):
        response = client.put(path, content=deep, headers=headers)
        assert response.status_code == 400, response.text
        assert response.json()["error"] == "too_deeply_nested"
