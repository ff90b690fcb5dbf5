"""The version read behind every page view: sees each commit, survives a lost connection."""

from typing import Any

from mysite_common.db import Database
from mysite_site import profiles
from mysite_site.freshness import VersionReader
from mysite_site.models import PROFILE_ROW_ID, Profile


def test_the_query_names_the_models_table_and_row() -> None:
    assert f"FROM {Profile.__tablename__} WHERE id = {PROFILE_ROW_ID}" in VersionReader.query


def test_reads_every_commit_and_reconnects(database_url: str, client: Any) -> None:
    database = Database(database_url)
    reader = VersionReader(database)
    try:
        assert reader.read() == 0
        with database.session() as session:
            profiles.replace_profile(session, {"basics": {"name": "A"}})
        assert reader.read() == 1
        with database.session() as session:
            profiles.replace_profile(session, {"basics": {"name": "B"}})
        assert reader.read() == 2
        # The server drops the connection (a restart): the next read reconnects by itself.
        connection = reader._connection
        assert connection is not None
        connection.connection.dbapi_connection.close()  # type: ignore[union-attr]
        assert reader.read() == 2
    finally:
        reader.close()
        database.dispose()
