import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parent))

from kakao_support import CALLBACK, SITE, make_settings

from mysite_kakao.app import create_app
from mysite_kakao.config import KakaoSettings
from mysite_testing.fake_kakao import FakeKakao
from mysite_testing.fixtures import StartApp


@pytest.fixture(scope="session")
def service_package() -> str:
    return "mysite_kakao"  # database_url, start_app, clean_database: mysite_testing.fixtures


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


@pytest.fixture
def settings(database_url: str, fake: FakeKakao) -> KakaoSettings:
    return make_settings(database_url, fake)


@pytest.fixture
def client(settings: KakaoSettings, fake: FakeKakao, start_app: StartApp) -> TestClient:
    return start_app(create_app(settings, clock=fake.now), base_url=SITE)
