"""The FAQ moved from the chatbot's database to the site's, with the real services: a chatbot
database from before the move, holding FAQ entries, is upgraded by the launcher's migrations;
with the site and two chatbot replicas running, every entry is in the site's FAQ exactly
once and answered, and a hand-over tried again (a replica that stopped after the site took
the entries but before it deleted its own rows) adds nothing."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from mysite_common import migrations
from mysite_common.db import create_db_engine
from mysite_stack.stack import Stack, StackOptions, free_port
from mysite_testing.waiting import eventually

from .conftest import E2E_RATES, OWNER_PASSWORD

pytestmark = pytest.mark.e2e

OLD_ENTRIES = [
    (1, "Do you have a cat?", "Yes, a grey cat called Dubu."),
    (2, "카카오톡으로 연락할 수 있나요?", "네, 오픈채팅으로 연락 주세요."),
    (4, "What is your favorite food?", "Kimchi stew."),
    (9, "Do you work remotely?", "Two days a week."),
]


def insert_legacy(url: str, table: str) -> None:
    engine = create_db_engine(url)
    stamp = datetime(2026, 3, 4, 5, 6, 7)
    with engine.begin() as connection:
        for faq_id, question, answer in OLD_ENTRIES:
            connection.execute(
                text(
                    f"INSERT INTO {table} (id, question, answer, created_at, updated_at)"  # noqa: S608 - a constant table name
                    " VALUES (:id, :question, :answer, :stamp, :stamp)"
                ),
                {"id": faq_id, "question": question, "answer": answer, "stamp": stamp},
            )
    engine.dispose()


def legacy_count(url: str) -> int:
    engine = create_db_engine(url)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT COUNT(*) FROM faq_entries_legacy")).scalar()
    engine.dispose()
    return int(count or 0)


@pytest.fixture(scope="module")
def upgraded_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """SQLite files, so the chatbot's can be written at the old revision before the
    launcher migrates it."""
    data_dir = tmp_path_factory.mktemp("faq-move")
    chatbot_url = f"sqlite:///{data_dir / 'db' / 'chatbot.sqlite3'}"
    (data_dir / "db").mkdir(parents=True)
    migrations.upgrade(chatbot_url, "mysite_chatbot", "0001")
    insert_legacy(chatbot_url, "faq_entries")
    stack = Stack(
        StackOptions(
            data_dir=data_dir,
            port=free_port(),
            scale={"chatbot": 2},
            extra_env={
                "MYSITE_ADMIN_USERNAME": "owner",
                "MYSITE_ADMIN_PASSWORD": OWNER_PASSWORD,
                **E2E_RATES,
            },
            services=("auth", "site", "chatbot"),
        )
    )
    try:
        stack.prepare()
        stack.start()
    except BaseException:
        stack.stop()
        raise
    yield stack
    stack.stop()


def site_faq(stack: Stack) -> list[dict[str, Any]]:
    response = httpx.get(f"{stack.url}/api/site/faq", timeout=10)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def as_pairs(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((item["question"], item["answer"]) for item in items)


EXPECTED = sorted((question, answer) for _, question, answer in OLD_ENTRIES)


def test_every_old_entry_is_in_the_sites_faq_exactly_once(upgraded_stack: Stack) -> None:
    chatbot_url = upgraded_stack.database_urls["chatbot"]
    assert eventually(lambda: as_pairs(site_faq(upgraded_stack)) == EXPECTED)
    assert eventually(lambda: legacy_count(chatbot_url) == 0)
    assert as_pairs(site_faq(upgraded_stack)) == EXPECTED
    # The old entries keep their dates.
    assert all(
        item["created_at"].startswith("2026-03-04T05:06:07") for item in site_faq(upgraded_stack)
    )


def test_every_replica_answers_from_them(upgraded_stack: Stack) -> None:
    for replica in upgraded_stack.replicas["chatbot"]:

        def answered(url: str = replica.url) -> bool:
            response = httpx.post(
                f"{url}/api/chat/ask", json={"question": "do you have a cat?"}, timeout=10
            )
            return bool(response.json()["answer"] == "Yes, a grey cat called Dubu.")

        assert eventually(answered), replica.url


def test_a_hand_over_tried_again_adds_nothing(upgraded_stack: Stack) -> None:
    """The rows come back as if a replica had stopped after the site confirmed them but
    before it deleted them; a restarted replica hands them over again."""
    chatbot_url = upgraded_stack.database_urls["chatbot"]
    assert eventually(lambda: legacy_count(chatbot_url) == 0)
    upgraded_stack.stop_replica("chatbot", 0)
    insert_legacy(chatbot_url, "faq_entries_legacy")
    upgraded_stack.start_replica("chatbot", 0)
    assert eventually(lambda: legacy_count(chatbot_url) == 0)
    assert as_pairs(site_faq(upgraded_stack)) == EXPECTED
