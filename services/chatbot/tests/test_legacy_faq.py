"""The FAQ moved from the chatbot's database to the site's: an old chatbot database with FAQ
entries, upgraded and started, hands every entry to the site exactly once (however often
the hand-over is tried, from however many replicas), keeps the logged questions' links, and
deletes an entry of its own only once the site confirmed it. The migration goes up and down
cleanly on both databases."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from chatbot_support import OWNER, FakeSite, ask, eventually, logged_questions
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from mysite_chatbot.app import create_app
from mysite_chatbot.config import ChatbotSettings
from mysite_chatbot.engine import LanguageResources
from mysite_common import migrations
from mysite_common.db import create_db_engine
from mysite_testing.databases import BACKENDS, fresh_database

OLD_ENTRIES = [
    (1, "Do you have a cat?", "Yes, a grey cat called Dubu."),
    (2, "카카오톡으로 연락할 수 있나요?", "네, 오픈채팅으로 연락 주세요."),
    (3, "What is your favorite food?", "Kimchi stew."),
    (5, "Do you work remotely?", "Two days a week."),
]


@pytest.fixture(params=BACKENDS)
def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A chatbot database as the release before the move left it: FAQ entries, their change
    log, and a logged question answered by entry 3."""
    with fresh_database(request.param, "mysite_chatbot", tmp_path) as url:
        migrations.downgrade(url, "mysite_chatbot", "0001")
        engine = create_db_engine(url)
        stamp = datetime(2026, 3, 4, 5, 6, 7)
        with engine.begin() as connection:
            for faq_id, question, answer in OLD_ENTRIES:
                connection.execute(
                    text(
                        "INSERT INTO faq_entries (id, question, answer, created_at, updated_at)"
                        " VALUES (:id, :question, :answer, :stamp, :stamp)"
                    ),
                    {"id": faq_id, "question": question, "answer": answer, "stamp": stamp},
                )
                connection.execute(
                    text(
                        "INSERT INTO faq_changes (faq_id, action, changed_at)"
                        " VALUES (:id, 'create', :stamp)"
                    ),
                    {"id": faq_id, "stamp": stamp},
                )
            connection.execute(
                text(
                    "INSERT INTO question_log (question, answer, answered, confidence, language,"
                    " latency_ms, mode, sources_json, resolved, faq_id, asked_at) VALUES"
                    " ('favourite food?', '', 0, 0.1, 'en', 3.0, 'offline', '[]', 1, 3, :stamp)"
                ),
                {"stamp": stamp},
            )
        engine.dispose()
        migrations.upgrade(url, "mysite_chatbot")
        yield url


def start(url: str, site: FakeSite, resources: LanguageResources) -> TestClient:
    settings = ChatbotSettings.load(
        database_url=url, site_url=site.url, sync_seconds=0.1, profile_timeout_seconds=1.0
    )
    client = TestClient(create_app(settings, language_resources=resources))
    client.__enter__()
    assert client.app.state.knowledge.wait_ready(20)
    return client


def site_entries(site: FakeSite) -> list[tuple[str, str]]:
    return sorted((entry["question"], entry["answer"]) for entry in site.faqs.values())


def legacy_rows(url: str) -> list[Any]:
    engine = create_db_engine(url)
    with engine.connect() as connection:
        rows = list(connection.execute(text("SELECT id FROM faq_entries_legacy")))
    engine.dispose()
    return rows


def test_the_upgrade_keeps_every_entry_and_drops_the_change_log(old_database: str) -> None:
    engine = create_db_engine(old_database)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"faq_entries_legacy", "knowledge_snapshot", "question_log"} <= tables
    assert not {"faq_entries", "faq_changes", "profile_snapshot"} & tables
    assert [row.id for row in legacy_rows(old_database)] == [1, 2, 3, 5]


def test_every_old_entry_reaches_the_site_exactly_once(
    old_database: str, site: FakeSite, language_resources: LanguageResources
) -> None:
    replicas = [start(old_database, site, language_resources) for _ in range(2)]
    try:
        expected = sorted((question, answer) for _, question, answer in OLD_ENTRIES)
        assert eventually(lambda: site_entries(site) == expected)
        assert eventually(lambda: legacy_rows(old_database) == [])
        # Answered from the site's copy, on every replica.
        for replica in replicas:
            assert eventually(
                lambda r=replica: (
                    ask(r, "do you have a cat?")["answer"] == "Yes, a grey cat called Dubu."
                )
            )
        # The logged question now names the site's entry.
        site_id = next(
            entry["id"]
            for entry in site.faqs.values()
            if entry["question"] == "What is your favorite food?"
        )

        def old_question() -> dict[str, Any]:
            rows = logged_questions(replicas[0])
            return next(row for row in rows if row["question"] == "favourite food?")

        assert eventually(lambda: old_question()["faq_id"] == site_id)
    finally:
        for replica in replicas:
            replica.__exit__(None, None, None)

    # A restart (the hand-over tried again) adds nothing.
    calls = site.import_calls
    again = start(old_database, site, language_resources)
    try:
        assert site_entries(site) == expected
        assert site.import_calls == calls  # nothing was left to hand over
    finally:
        again.__exit__(None, None, None)


def test_a_retried_import_after_a_lost_answer_makes_no_copies(
    old_database: str, site: FakeSite, language_resources: LanguageResources
) -> None:
    """The site stored the entries, but the chatbot never heard back (it stopped, the network
    broke): the rows are still here, and the next start hands them over again."""
    entries = [
        {"legacy_id": faq_id, "question": question, "answer": answer}
        for faq_id, question, answer in OLD_ENTRIES
    ]
    site._import({"entries": entries})  # what the site did before the answer was lost
    assert len(site.faqs) == 4
    client = start(old_database, site, language_resources)
    try:
        assert eventually(lambda: legacy_rows(old_database) == [])
        assert len(site.faqs) == 4
    finally:
        client.__exit__(None, None, None)


def test_an_entry_the_site_refuses_is_kept_not_lost(
    old_database: str, site: FakeSite, language_resources: LanguageResources
) -> None:
    engine = create_db_engine(old_database)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE faq_entries_legacy SET question = :q WHERE id = 2"), {"q": "q" * 500}
        )
    engine.dispose()
    site.MAX_QUESTION = 100  # the site's limit is tighter than the old one
    client = start(old_database, site, language_resources)
    try:
        assert eventually(lambda: [row.id for row in legacy_rows(old_database)] == [2])
        assert len(site.faqs) == 3
        status = client.app.state.knowledge.status()
        assert status["ready"] is True
    finally:
        client.__exit__(None, None, None)


def test_while_the_site_is_down_nothing_is_deleted(
    old_database: str, site: FakeSite, language_resources: LanguageResources
) -> None:
    site.stop()
    client = start(old_database, site, language_resources)
    try:
        assert client.app.state.knowledge.status()["faq"]["legacy_left"] is True
        assert len(legacy_rows(old_database)) == 4
        site.start()
        assert eventually(lambda: legacy_rows(old_database) == [])
        assert len(site.faqs) == 4
        response = client.get("/api/chat/status", headers=OWNER)
        assert response.json()["faq"]["legacy_left"] is False
    finally:
        client.__exit__(None, None, None)


def test_the_migration_goes_down_with_what_was_not_handed_over(old_database: str) -> None:
    migrations.downgrade(old_database, "mysite_chatbot", "0001")
    engine = create_db_engine(old_database)
    tables = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        linked = connection.execute(text("SELECT faq_id FROM question_log")).scalar()
    engine.dispose()
    assert {"faq_entries", "faq_changes", "profile_snapshot"} <= tables
    assert linked == 3
    migrations.upgrade(old_database, "mysite_chatbot")


def test_a_time_stamp_survives_the_hand_over(
    old_database: str, site: FakeSite, language_resources: LanguageResources
) -> None:
    received: list[dict[str, Any]] = []
    original = site._import

    def recording(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        received.extend(body["entries"])
        return original(body)

    site._import = recording  # type: ignore[method-assign]
    client = start(old_database, site, language_resources)
    try:
        assert eventually(lambda: len(received) == 4)
        stamp = datetime.fromisoformat(received[0]["created_at"])
        assert stamp.astimezone(UTC).replace(tzinfo=None) == datetime(2026, 3, 4, 5, 6, 7)
    finally:
        client.__exit__(None, None, None)
