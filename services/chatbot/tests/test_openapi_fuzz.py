"""Requests generated from the chatbot service's OpenAPI schema never get a 5xx."""

import pytest
from chatbot_support import OWNER
from fastapi.testclient import TestClient

from mysite_testing.openapi_fuzz import ON_MARIADB_ONLY, server_errors


def test_no_input_gives_a_server_error(database_url: str, request: pytest.FixtureRequest) -> None:
    if not database_url.startswith("mysql"):
        pytest.skip(ON_MARIADB_ONLY)
    client: TestClient = request.getfixturevalue("client")
    app = client.app
    assert server_errors(app, "/api/chatbot/openapi.json", headers=OWNER) == []  # type: ignore[arg-type]
