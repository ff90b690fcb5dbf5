"""The schema migrations go up and down cleanly on both databases and match the models."""

from pathlib import Path

import pytest
from sqlalchemy import inspect

from mysite_common import migrations
from mysite_common.db import create_db_engine
from mysite_kakao.models import Base
from mysite_testing.databases import BACKENDS, fresh_database, schema_drift

NOTIFICATION_TABLES = {"kakao_notification_settings", "kakao_notification_events"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_notifications_migrate_down_and_up(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, "mysite_kakao", tmp_path) as url:
        assert schema_drift(url, Base.metadata) == []
        engine = create_db_engine(url, for_migrations=True)
        migrations.downgrade(url, "mysite_kakao", "0001")
        assert not NOTIFICATION_TABLES & set(inspect(engine).get_table_names())
        columns = {column["name"] for column in inspect(engine).get_columns("kakao_messages")}
        assert "kind" not in columns
        migrations.upgrade(url, "mysite_kakao")
        assert set(inspect(engine).get_table_names()) >= NOTIFICATION_TABLES
        engine.dispose()
