"""Fixtures for the chatbot service's tests: real databases, a real (small) site server to
sync the owner's content from, and the engine's language resources built once per session."""

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parent))

from chatbot_support import FakeSite

from mysite_chatbot.app import create_app
from mysite_chatbot.config import ChatbotSettings
from mysite_chatbot.engine import LanguageResources
from mysite_chatbot.models import Base
from mysite_testing.databases import empty_tables


@pytest.fixture(scope="session")
def service_package() -> str:
    return "mysite_chatbot"  # database_url: mysite_testing.fixtures


@pytest.fixture(scope="session")
def language_resources() -> LanguageResources:
    """Kiwi and the embedding model: the slow part of an engine, shared by every app."""
    return LanguageResources.load(embeddings=True)


@pytest.fixture
def site() -> Iterator[FakeSite]:
    fake = FakeSite()
    yield fake
    fake.stop()


@pytest.fixture
def settings(database_url: str, site: FakeSite) -> ChatbotSettings:
    return ChatbotSettings.load(
        database_url=database_url,
        site_url=site.url,
        sync_seconds=0.1,
        profile_timeout_seconds=1.0,
    )


AppFactory = Callable[..., TestClient]


@pytest.fixture
def start_app(
    settings: ChatbotSettings, language_resources: LanguageResources
) -> Iterator[AppFactory]:
    """Starts a chatbot app (a replica) and waits until it is ready; `**overrides` change
    its settings. Every app started is stopped, and the tables emptied, after the test."""
    started: list[TestClient] = []

    def start(*, wait: bool = True, **overrides: Any) -> TestClient:
        app_settings = ChatbotSettings.load(**{**settings.model_dump(), **overrides})
        client = TestClient(
            create_app(app_settings, language_resources=language_resources),
            base_url="http://testserver",
        )
        client.__enter__()
        started.append(client)
        if wait:
            assert client.app.state.knowledge.wait_ready(20), "the chatbot never got ready"
        return client

    yield start
    for client in started:
        client.__exit__(None, None, None)
    empty_tables(settings.database_url, Base.metadata)


@pytest.fixture
def client(start_app: AppFactory) -> TestClient:
    return start_app()
