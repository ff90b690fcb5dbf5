from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from mysite_auth.app import create_app
from mysite_auth.config import AuthSettings
from mysite_auth.models import Base
from mysite_testing.databases import BACKENDS, empty_tables, fresh_database

TEST_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"
STRONG_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with fresh_database(request.param, "mysite_auth", tmp_path_factory.mktemp("auth")) as url:
        yield url


@pytest.fixture
def settings(database_url: str) -> AuthSettings:
    return AuthSettings.load(
        database_url=database_url,
        jwt_secret=TEST_SECRET,
        sync_seconds=0.1,
        max_concurrent_hashes=4,
    )


@pytest.fixture
def client(settings: AuthSettings) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client
    empty_tables(settings.database_url, Base.metadata)


def _signup(client: TestClient, username: str = "visitor", password: str = STRONG_PASSWORD) -> dict:
    response = client.post(
        "/api/auth/signup",
        json={"username": username, "password": password, "display_name": "방문자 🙂"},
    )
    assert response.status_code == 201, response.text
    return response.json()


def _login(client: TestClient, username: str = "visitor", password: str = STRONG_PASSWORD) -> dict:
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


class Accounts:
    """Signs up and logs in through the real endpoints, as the tests' users do."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def signup(self, username: str = "visitor", password: str = STRONG_PASSWORD) -> dict:
        return _signup(self.client, username, password)

    def login(self, username: str = "visitor", password: str = STRONG_PASSWORD) -> dict:
        return _login(self.client, username, password)


@pytest.fixture
def accounts(client: TestClient) -> Accounts:
    return Accounts(client)
