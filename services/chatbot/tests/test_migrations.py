"""The schema migrations go up and down cleanly on both databases and match the models."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from mysite_chatbot.models import Base
from mysite_common import migrations
from mysite_common.db import create_db_engine
from mysite_testing.databases import BACKENDS, fresh_database

PICK_COLUMNS = {"reply_id", "suggestions_json", "picked_key"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_suggestion_picks_migrate_down_and_up(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, "mysite_chatbot", tmp_path) as url:
        engine = create_db_engine(url, for_migrations=True)
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        migrations.downgrade(url, "mysite_chatbot", "0003")
        columns = {column["name"] for column in inspect(engine).get_columns("question_log")}
        assert not PICK_COLUMNS & columns
        migrations.upgrade(url, "mysite_chatbot")
        columns = {column["name"] for column in inspect(engine).get_columns("question_log")}
        assert columns >= PICK_COLUMNS
        engine.dispose()
