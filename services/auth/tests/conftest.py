import pytest
from fastapi.testclient import TestClient

from mysite_auth.app import create_app
from mysite_auth.config import AuthSettings
from mysite_testing.fixtures import StartApp

TEST_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"
STRONG_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def service_package() -> str:
    return "mysite_auth"  # database_url, start_app: mysite_testing.fixtures


@pytest.fixture
def settings(database_url: str) -> AuthSettings:
    return AuthSettings.load(
        database_url=database_url,
        jwt_secret=TEST_SECRET,
        sync_seconds=0.1,
        max_concurrent_hashes=4,
    )


@pytest.fixture
def client(settings: AuthSettings, start_app: StartApp) -> TestClient:
    return start_app(create_app(settings))


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
