"""The schema migrations go up and down cleanly on both databases and match the models."""

from pathlib import Path

import pytest
from sqlalchemy import inspect

from mysite_auth.models import Base
from mysite_common import migrations
from mysite_common.db import create_db_engine
from mysite_testing.databases import BACKENDS, fresh_database, schema_drift


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_and_downgrade(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, "mysite_auth", tmp_path) as url:
        assert schema_drift(url, Base.metadata) == []
        engine = create_db_engine(url, for_migrations=True)
        tables = set(Base.metadata.tables)
        assert tables <= set(inspect(engine).get_table_names())
        migrations.downgrade(url, "mysite_auth", "base")
        assert not tables & set(inspect(engine).get_table_names())
        migrations.upgrade(url, "mysite_auth")
        assert schema_drift(url, Base.metadata) == []
        engine.dispose()
