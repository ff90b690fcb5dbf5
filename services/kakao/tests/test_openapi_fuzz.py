"""Requests generated from the kakao service's OpenAPI schema never get a 5xx."""

import pytest
from fastapi.testclient import TestClient
from kakao_support import owner_headers

from mysite_testing.openapi_fuzz import ON_MARIADB_ONLY, server_errors


def test_no_input_gives_a_server_error(database_url: str, request: pytest.FixtureRequest) -> None:
    if not database_url.startswith("mysql"):
        pytest.skip(ON_MARIADB_ONLY)
    client: TestClient = request.getfixturevalue("client")
    app = client.app
    assert server_errors(app, "/api/kakao/openapi.json", headers=owner_headers()) == []  # type: ignore[arg-type]


def test_ids_past_any_column_are_a_clear_4xx(client: TestClient) -> None:
    for huge in ("99999999999999999999999", "9223372036854775808", "0"):
        response = client.get(f"/api/kakao/messages/{huge}", headers=owner_headers())
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "invalid_request"
