import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parent))

from kakao_support import CALLBACK, SITE, make_settings

from mysite_kakao.app import create_app
from mysite_kakao.config import KakaoSettings
from mysite_kakao.models import Base
from mysite_testing.databases import BACKENDS, empty_tables, fresh_database
from mysite_testing.fake_kakao import FakeKakao


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeKakao]:
    with FakeKakao(redirect_uris=[CALLBACK]) as server:
        yield server


@pytest.fixture
def fake(fake_server: FakeKakao) -> Iterator[FakeKakao]:
    fake_server.reset()
    fake_server.hang_seconds = 3.0
    yield fake_server
    fake_server.reset()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with fresh_database(request.param, "mysite_kakao", tmp_path_factory.mktemp("kakao")) as url:
        yield url


@pytest.fixture
def settings(database_url: str, fake: FakeKakao) -> KakaoSettings:
    return make_settings(database_url, fake)


@pytest.fixture
def clean_database(database_url: str) -> Iterator[None]:
    yield
    empty_tables(database_url, Base.metadata)


@pytest.fixture
def client(settings: KakaoSettings, fake: FakeKakao, clean_database: None) -> Iterator[TestClient]:
    app = create_app(settings, clock=fake.now)
    with TestClient(app, base_url=SITE) as test_client:
        yield test_client
