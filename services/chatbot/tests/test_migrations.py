"""The schema migrations go up and down cleanly on both databases and match the models."""

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from mysite_chatbot.models import Base, wording_key
from mysite_common import migrations
from mysite_common.db import create_db_engine, utcnow
from mysite_testing.databases import BACKENDS, fresh_database, schema_drift

PICK_COLUMNS = {"reply_id", "suggestions_json", "picked_key"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_suggestion_picks_migrate_down_and_up(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, "mysite_chatbot", tmp_path) as url:
        assert schema_drift(url, Base.metadata) == []
        engine = create_db_engine(url, for_migrations=True)
        migrations.downgrade(url, "mysite_chatbot", "0003")
        columns = {column["name"] for column in inspect(engine).get_columns("question_log")}
        assert not PICK_COLUMNS & columns
        migrations.upgrade(url, "mysite_chatbot")
        columns = {column["name"] for column in inspect(engine).get_columns("question_log")}
        assert columns >= PICK_COLUMNS
        engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_questions_logged_before_the_wording_key_get_theirs(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, "mysite_chatbot", tmp_path) as url:
        migrations.downgrade(url, "mysite_chatbot", "0004")
        engine = create_db_engine(url, for_migrations=True)
        assert "question_key" not in {
            column["name"] for column in inspect(engine).get_columns("question_log")
        }
        questions = ["Do you have a cat?", "do you have a cat", "어디서 일하세요?"]
        with engine.begin() as connection:
            for question in questions:
                connection.execute(
                    text(
                        "INSERT INTO question_log (question, answer, answered, confidence,"
                        " language, latency_ms, mode, sources_json, resolved, asked_at,"
                        " suggestions_json) VALUES (:question, '', :no, 0, 'en', 1,"
                        " 'offline', '[]', :no, :now, '[]')"
                    ),
                    {"question": question, "no": False, "now": utcnow()},
                )
        migrations.upgrade(url, "mysite_chatbot")
        assert schema_drift(url, Base.metadata) == []
        with engine.connect() as connection:
            keys = connection.execute(
                text("SELECT question, question_key FROM question_log ORDER BY id")
            ).all()
        assert keys == [(question, wording_key(question)) for question in questions]
        assert keys[0][1] == keys[1][1] != keys[2][1]
        engine.dispose()
