import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parent))

from site_support import MEMBER, OTHER_MEMBER, OWNER, Browser

from mysite_site.app import create_app
from mysite_site.config import SiteSettings
from mysite_testing.fixtures import StartApp


@pytest.fixture(scope="session")
def service_package() -> str:
    return "mysite_site"  # database_url, start_app: mysite_testing.fixtures


@pytest.fixture
def settings(database_url: str) -> SiteSettings:
    return SiteSettings.load(database_url=database_url, guestbook_page_size=3)


@pytest.fixture
def make_client(settings: SiteSettings, start_app: StartApp) -> Callable[..., TestClient]:
    """A new replica of the site (its own app and caches) over the same database."""

    def make(**overrides: Any) -> TestClient:
        return start_app(
            create_app(settings.model_copy(update=overrides) if overrides else settings)
        )

    return make


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


@pytest.fixture
def anonymous(client: TestClient) -> Browser:
    return Browser(client, None)


@pytest.fixture
def owner(client: TestClient) -> Browser:
    return Browser(client, OWNER)


@pytest.fixture
def member(client: TestClient) -> Browser:
    return Browser(client, MEMBER)


@pytest.fixture
def other_member(client: TestClient) -> Browser:
    return Browser(client, OTHER_MEMBER)


@pytest.fixture
def minimal_resume() -> dict[str, Any]:
    return {
        "basics": {"name": "Test Person", "label": "Tester"},
        "work": [{"name": "Acme", "position": "Engineer", "startDate": "2020-01"}],
    }
