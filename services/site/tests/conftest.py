import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parent))

from site_support import MEMBER, OTHER_MEMBER, OWNER, Browser

from mysite_site.app import create_app
from mysite_site.config import SiteSettings
from mysite_site.models import Base
from mysite_testing.databases import BACKENDS, empty_tables, fresh_database


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with fresh_database(request.param, "mysite_site", tmp_path_factory.mktemp("site")) as url:
        yield url


@pytest.fixture
def settings(database_url: str) -> SiteSettings:
    return SiteSettings.load(database_url=database_url, guestbook_page_size=3)


@pytest.fixture
def make_client(settings: SiteSettings) -> Iterator[Callable[..., TestClient]]:
    """A new replica of the site (its own app and caches) over the same database."""
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        app = create_app(settings.model_copy(update=overrides) if overrides else settings)
        client = TestClient(app, base_url="http://testserver")
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
    empty_tables(settings.database_url, Base.metadata)


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
