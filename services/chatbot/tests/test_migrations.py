"""The schema migrations go up and down cleanly on both databases and match the models."""

from pathlib import Path

import pytest
from sqlalchemy import inspect

from mysite_chatbot.models import Base
from mysite_common import migrations
from mysite_common.db import create_db_engine
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
