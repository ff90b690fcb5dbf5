"""The published profile and the pages rendered from it, cached per replica, never stale.

Before serving from cache, a request learns the profile's current version from the database.
One small query serves every request that arrived before it started, so under load the
database sees about one query per query-latency, not one per request, and still no request
is answered from a version read that began before the request arrived: once an edit has
committed, every replica serves the new page to every request that comes after it.
"""

import asyncio
import hashlib
import json
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from mysite_common.db import Database
from mysite_common.sync import ReplicaSync
from mysite_site import profiles, themes
from mysite_site.resume import Resume
from mysite_site.translations import merge_translation

logger = logging.getLogger(__name__)


class FreshnessProbe:
    """Shares one in-flight read among concurrent callers that arrived before it began."""

    def __init__(self, read: Callable[[], int]) -> None:
        self._read = read
        self._started = 0  # reads started so far; a read's number is its position
        self._inflight: asyncio.Task[int] | None = None
        self._inflight_number = 0

    async def current(self) -> int:
        arrived_after = self._started
        while True:
            inflight = self._inflight
            if inflight is None:
                inflight = self._start()
            elif self._inflight_number <= arrived_after:
                # That read began before this request arrived, so it may predate a commit
                # this request must see: let it finish, then use (or start) the next one.
                await asyncio.wait([inflight])
                continue
            # Shielded: a caller that goes away must not cancel the read others wait for.
            return await asyncio.shield(inflight)

    def _start(self) -> "asyncio.Task[int]":
        self._started += 1
        self._inflight_number = self._started
        task = asyncio.get_running_loop().create_task(self._run())
        self._inflight = task
        return task

    async def _run(self) -> int:
        try:
            return await run_in_threadpool(self._read)
        finally:
            self._inflight = None


class VersionReader:
    """Reads the version over a connection of its own, in autocommit mode (each read sees
    every commit before it), with a bare DB-API cursor: no session, no ping, no statement
    compilation. It runs for nearly every page view, so it is as small as a query can be
    (a fifth of the CPU of an ORM session on SQLite, half on MariaDB). A broken connection
    (the database restarted) is dropped and the read tried once more on a new one."""

    # Constant text, no parameters: the same on every database driver (models.Profile,
    # row PROFILE_ROW_ID; test_version_reader checks they agree).
    query = "SELECT version FROM profile WHERE id = 1"

    def __init__(self, database: Database) -> None:
        self._database = database
        self._connection: Connection | None = None
        self._cursor: Any = None

    def read(self) -> int:
        for attempt in range(2):
            try:
                cursor = self._cursor or self._connect()
                cursor.execute(self.query)
                row = cursor.fetchone()
                return int(row[0]) if row else 0
            except Exception:
                self.close()
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def _connect(self) -> Any:
        connection = self._database.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self._connection = connection
        self._cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        return self._cursor

    def close(self) -> None:
        connection, self._connection, self._cursor = self._connection, None, None
        if connection is not None:
            try:
                # Never back to the pool: its cursor and mode are this reader's own.
                connection.invalidate()
                connection.close()
            except Exception:
                logger.debug("closing a broken connection failed", exc_info=True)


@dataclass
class CachedPage:
    body: bytes
    digest: str


@dataclass
class LoadedProfile:
    """One published version, with what is derived from it (JSON bytes, rendered pages)."""

    version: int
    resume: Resume
    published_at: datetime | None
    json_bytes: bytes
    etag: str
    # The owner's theme: it changes the pages, so it travels with the version they cache on.
    theme: themes.Theme = themes.DEFAULT_THEME
    # The primary document's language, and each translation as the owner wrote it.
    language: str = "en"
    translations: dict[str, Resume] = field(default_factory=dict)
    pages: "OrderedDict[Any, CachedPage]" = field(default_factory=OrderedDict)
    _documents: dict[str, "JsonDocument"] = field(default_factory=dict)
    _merged: dict[str, Resume] = field(default_factory=dict)

    @property
    def exists(self) -> bool:
        return self.version > 0

    def content_language(self, language: str) -> str:
        """The language the page's content is in for a visitor who reads `language`."""
        return language if language in self.translations else self.language

    def resume_in(self, language: str) -> Resume:
        """The profile as a visitor reading `language` sees it: the translation merged over
        the primary document, or the primary document when there is no translation."""
        if language not in self.translations:
            return self.resume
        merged = self._merged.get(language)
        if merged is None:
            merged = merge_translation(self.resume, self.translations[language])
            self._merged[language] = merged
        return merged

    def document(self, language: str) -> "JsonDocument":
        """The JSON Resume export in one language (the primary's when it has no translation)."""
        if language not in self.translations:
            return JsonDocument(self.json_bytes, self.etag)
        return self._document(f"lang-{language}", lambda: self.resume_in(language))

    def bundle(self) -> "JsonDocument":
        """Every language version at once, for the chatbot: one ETag over all of it."""
        return self._document(
            "bundle",
            lambda: {
                "version": self.version,
                "language": self.language,
                "profile": self.resume,
                "translations": {
                    language: self.resume_in(language) for language in self.translations
                },
            },
        )

    def _document(self, key: str, build: Callable[[], Any]) -> "JsonDocument":
        document = self._documents.get(key)
        if document is None:
            document = json_document(build(), f"v{self.version}-{key}")
            self._documents[key] = document
        return document


@dataclass(frozen=True)
class JsonDocument:
    """A JSON answer computed once per version: its bytes and their ETag."""

    body: bytes
    etag: str


def json_document(value: Any, tag: str) -> JsonDocument:
    body = json.dumps(value, ensure_ascii=False, indent=2).encode()
    return JsonDocument(body, f'"{tag}-{hashlib.sha256(body).hexdigest()[:24]}"')


def _loaded(
    published: profiles.PublishedProfile, theme: themes.Theme, language: str
) -> LoadedProfile:
    primary = json_document(published.resume, f"v{published.version}")
    return LoadedProfile(
        version=published.version,
        resume=published.resume,
        published_at=published.published_at,
        json_bytes=primary.body,
        etag=primary.etag,
        theme=theme,
        language=language,
        translations=published.translations,
    )


class ProfileCache:
    """The published profile of this replica. With `sync_seconds` 0 every request learns the
    current version (FreshnessProbe); above 0 mysite_common's ReplicaSync follows it in the
    background and requests take the copy it loaded last (SITE_SYNC_SECONDS)."""

    def __init__(
        self, database: Database, max_pages: int, language: str = "en", sync_seconds: float = 0
    ) -> None:
        self._database = database
        self._max_pages = max_pages
        self._language = language
        self._reader = VersionReader(database)
        self._probe = FreshnessProbe(self._reader.read)
        self._current: LoadedProfile | None = None
        self._sync: ReplicaSync[int] | None = None
        if sync_seconds > 0:
            self._sync = ReplicaSync(
                "site-profile",
                interval_seconds=sync_seconds,
                check=self._reader.read,
                reload=self._reload,
            )

    def start(self) -> None:
        if self._sync is not None:
            self._sync.start()

    def close(self) -> None:
        if self._sync is not None:
            self._sync.stop()
        self._reader.close()

    def _reload(self, _version: int) -> None:
        loaded = self._load()
        current = self._current
        if current is None or loaded.version > current.version:
            self._current = loaded

    def _load(self) -> LoadedProfile:
        with self._database.session() as session:
            return _loaded(
                profiles.load_published(session), themes.load_theme(session), self._language
            )

    async def current(self) -> LoadedProfile:
        known = self._current
        if self._sync is not None:
            if known is None:
                # Before the first poll loaded anything (or while the database was down):
                # one poll now, serialised with the background one.
                await run_in_threadpool(self._sync.sync_now)
                known = self._current
                if known is None:
                    raise RuntimeError(f"profile unavailable: {self._sync.error}")
            return known
        try:
            version = await self._probe.current()
        except Exception:
            if known is None:
                raise
            # No edit can be published while the database is unreachable; the cached copy
            # is the best answer until it is back.
            logger.warning("profile version unavailable; serving the cached profile")
            return known
        if known is not None and known.version >= version:
            return known
        loaded = await run_in_threadpool(self._load)
        current = self._current
        if current is None or loaded.version > current.version:
            self._current = loaded
            return loaded
        return current

    def cached_page(self, loaded: LoadedProfile, key: Any) -> CachedPage | None:
        page = loaded.pages.get(key)
        if page is not None:
            loaded.pages.move_to_end(key)
        return page

    def store_page(self, loaded: LoadedProfile, key: Any, body: bytes) -> CachedPage:
        page = CachedPage(body=body, digest=hashlib.sha256(body).hexdigest()[:24])
        loaded.pages[key] = page
        while len(loaded.pages) > self._max_pages:
            loaded.pages.popitem(last=False)
        return page
