"""One replica's answering engine, kept in step with the owner's content in the site.

A background thread builds the engine (Kiwi and the embedding model take a second or two),
then follows the site's knowledge document (profile, translations, FAQ: one ETag) with the
shared replica sync (mysite_common.sync, every `CHATBOT_SYNC_SECONDS`): a 304 costs next to
nothing, a new document rebuilds the engine's index (tens of milliseconds; questions keep
being answered from the old index meanwhile). When the site is down or sends garbage, the
last good document stays in use; it is also stored in the database, so a replica that
starts during a site outage still answers from it. The questions the owner taught entries
to answer (taught_questions, in this service's database) are read at each poll too: the
version a replica follows is the document's digest and theirs.

Before its first poll the replica hands the site any FAQ entries this database still holds
from before the FAQ moved there (faq_entries_legacy), and deletes each one only once the
site confirmed it: a crash or a retry in between imports nothing twice (the site knows each
by its legacy id).
"""

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from mysite_chatbot import malloc
from mysite_chatbot.config import ChatbotSettings
from mysite_chatbot.engine import Engine, LanguageResources
from mysite_chatbot.models import (
    SNAPSHOT_ROW_ID,
    KnowledgeSnapshot,
    LegacyFaqEntry,
    QuestionLog,
    TaughtQuestion,
)
from mysite_chatbot.profile_source import (
    KnowledgeDocument,
    ProfileFetchError,
    SiteClient,
    parse_document,
)
from mysite_common.db import Database, utcnow
from mysite_common.sync import ReplicaSync

logger = logging.getLogger(__name__)

# Legacy FAQ entries handed over per request (each at most a few KB).
LEGACY_BATCH = 50

# Entry key -> the wordings the owner taught it to answer.
Taught = dict[str, tuple[str, ...]]
# What a replica follows: the site document's digest and the taught questions' digest.
KnowledgeVersion = tuple[str, str]


def taught_digest(taught: Taught) -> str:
    return hashlib.sha256(json.dumps(taught, sort_keys=True).encode("utf-8")).hexdigest()


class EngineNotReadyError(Exception):
    pass


@dataclass
class _Loaded:
    document: KnowledgeDocument
    digest: str
    etag: str | None
    source: str  # "site" or "snapshot"
    loaded_at: datetime


class Knowledge:
    def __init__(
        self,
        settings: ChatbotSettings,
        database: Database,
        language_resources: LanguageResources | None = None,
    ) -> None:
        self._settings = settings
        self._database = database
        self._resources = language_resources
        self.site = SiteClient(
            settings.site_url,
            timeout=settings.profile_timeout_seconds,
            max_bytes=settings.max_profile_bytes,
        )
        self._engine: Engine | None = None
        self._engine_error: str | None = None
        self._loaded: _Loaded | None = None
        self._pending: _Loaded | None = None
        self._taught: Taught = {}
        self._pending_taught: Taught = {}
        self._last_check: datetime | None = None
        self._index_built_at: datetime | None = None
        self._legacy_left = True
        self._legacy_refused: set[int] = set()
        self._legacy_error: str | None = None
        self._started = time.monotonic()
        self._ready_after_seconds: float | None = None
        self._first_load_tried = threading.Event()
        self._thread: threading.Thread | None = None
        self._sync: ReplicaSync[KnowledgeVersion] = ReplicaSync(
            "knowledge",
            interval_seconds=settings.sync_seconds,
            check=self._check,
            reload=self._reload,
        )

    # --- what requests use -------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        engine = self._engine
        if engine is None or not self._first_load_tried.is_set():
            raise EngineNotReadyError
        return engine

    @property
    def is_ready(self) -> bool:
        return self._engine is not None and self._first_load_tried.is_set()

    def check_ready(self) -> None:
        if self._engine_error:
            raise RuntimeError(f"the answering engine failed to start: {self._engine_error}")
        if self._engine is None:
            raise RuntimeError("the answering engine is still starting")
        if not self._first_load_tried.is_set():
            raise RuntimeError("the site's content has not been loaded yet")

    def wait_ready(self, timeout: float) -> bool:
        return self._first_load_tried.wait(timeout) and self._engine is not None

    def refresh(self) -> None:
        """Called after this replica changed what it answers from (an FAQ entry from a
        logged question, a taught question): poll now rather than at the next interval."""
        if self.is_ready:
            self._sync.sync_now()

    def faq_ids(self) -> set[int] | None:
        """The ids of the FAQ entries answered from now; None before anything was loaded."""
        loaded = self._loaded
        return None if loaded is None else {faq.id for faq in loaded.document.faqs}

    def status(self) -> dict[str, Any]:
        engine = self._engine
        loaded = self._loaded
        return {
            "ready": self.is_ready,
            "engine": {
                "state": "failed"
                if self._engine_error
                else ("ready" if engine is not None else "starting"),
                "retrieval": engine.mode if engine is not None else None,
                "embeddings": engine.embedding_status if engine is not None else None,
                "entries": len(engine.entries) if engine is not None else 0,
                "ready_after_seconds": self._ready_after_seconds,
            },
            "profile": {
                "loaded": loaded is not None and loaded.document.profile is not None,
                "source": loaded.source if loaded else None,
                "digest": loaded.digest[:16] if loaded else None,
                "loaded_at": loaded.loaded_at.isoformat() if loaded else None,
                "last_checked_at": self._last_check.isoformat() if self._last_check else None,
                "error": self._sync.error,
            },
            "faq": {
                "entries": len(loaded.document.faqs) if loaded else 0,
                "legacy_left": self._legacy_left,
                "legacy_error": self._legacy_error,
            },
            "taught_questions": sum(len(questions) for questions in self._taught.values()),
            "index_built_at": self._index_built_at.isoformat() if self._index_built_at else None,
        }

    # --- the background thread ----------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="chatbot-knowledge", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._sync.stop()
        if self._thread:
            self._thread.join(timeout=10)
        self.site.close()

    def _run(self) -> None:
        try:
            self._engine = self._build_engine()
        except Exception as exc:
            # Not ready, ever: the orchestrator sees /readyz fail and replaces the replica.
            self._engine_error = type(exc).__name__
            logger.exception("the answering engine could not be built")
            return
        self._sync.sync_now()
        if self._loaded is None:
            self._load_snapshot()
        if self._loaded is None:
            self._rebuild(KnowledgeDocument(None))  # nothing known yet: decline politely
        # Building, warming up and indexing freed memory that malloc would keep: give it
        # back once, before the first question (1 ms; with the arena limit, 3 MB less RSS
        # after a warm start: docs/performance.md, chatbot **Memory**). A no-op off glibc.
        malloc.release_free_memory()
        self._first_load_tried.set()
        self._ready_after_seconds = round(time.monotonic() - self._started, 3)
        logger.info("chatbot ready", extra={"seconds": self._ready_after_seconds})
        self._sync.start(first_sync=False)

    def _build_engine(self) -> Engine:
        started = time.perf_counter()
        resources = self._resources or LanguageResources.load(embeddings=self._settings.embeddings)
        engine = Engine(resources)
        engine.warm_up()
        logger.info(
            "answering engine built",
            extra={
                "seconds": round(time.perf_counter() - started, 3),
                "embeddings": engine.embedding_status,
            },
        )
        return engine

    # --- syncing: ReplicaSync's check and reload ------------------------------------------

    def _check(self) -> KnowledgeVersion:
        """The digests of the site's current document (fetched only if its ETag changed)
        and of the taught questions."""
        if self._legacy_left:
            self._hand_over_legacy_faq()
        self._last_check = utcnow()
        self._pending_taught = self._read_taught()
        taught = taught_digest(self._pending_taught)
        fetched = self.site.fetch()
        loaded = self._loaded
        if fetched is None:  # 304: what was loaded last is current
            version = self._sync.version
            return (
                version[0] if version is not None else (loaded.digest if loaded else "")
            ), taught
        digest = fetched.document.digest
        if loaded is not None and loaded.digest == digest:
            loaded.source = "site"  # the snapshot we started from is still current
            if loaded.etag != fetched.etag:
                loaded.etag = fetched.etag
            return digest, taught
        self._pending = _Loaded(fetched.document, digest, fetched.etag, "site", utcnow())
        return digest, taught

    def _reload(self, version: KnowledgeVersion) -> None:
        digest = version[0]
        pending, self._pending = self._pending, None
        if pending is None or pending.digest != digest:
            # The document is one this replica already has: only the taught questions
            # changed, or the version went back to the document loaded last.
            if self._loaded is not None and self._loaded.digest == digest:
                if not self._rebuild(self._loaded.document, self._pending_taught):
                    raise ProfileFetchError("the index could not be rebuilt")
                return
            self.site.forget_etag()
            raise ProfileFetchError("the document to load is missing; fetching it again")
        if not self._rebuild(pending.document, self._pending_taught):
            # The index still holds the previous document: fetch this one again next time.
            self.site.forget_etag()
            raise ProfileFetchError("the index could not be rebuilt from the new document")
        self._loaded = pending
        self._save_snapshot(pending)

    def _read_taught(self) -> Taught:
        """Every taught question by entry key; with the database away, the ones loaded
        last (the question log is away too, so nothing can be taught meanwhile)."""
        try:
            with self._database.session() as session:
                rows = session.execute(
                    select(TaughtQuestion.entry_key, TaughtQuestion.question).order_by(
                        TaughtQuestion.id
                    )
                ).all()
        except Exception as exc:
            logger.info("taught questions not read: %s", type(exc).__name__)
            return self._taught
        taught: dict[str, list[str]] = {}
        for entry_key, question in rows:
            taught.setdefault(entry_key, []).append(question)
        return {key: tuple(questions) for key, questions in taught.items()}

    def _rebuild(self, document: KnowledgeDocument, taught: Taught | None = None) -> bool:
        engine = self._engine
        assert engine is not None
        # Without a version to follow yet (a start from the snapshot), the questions read
        # last.
        taught = self._pending_taught if taught is None else taught
        try:
            engine.load(
                document.profile,
                document.faqs,
                translations=document.translations,
                taught=taught,
            )
        except Exception:
            # The engine swaps its index only once a new one is built: the old one answers.
            logger.exception("the index could not be rebuilt; answering from the previous one")
            return False
        self._index_built_at = utcnow()
        self._taught = taught
        logger.info(
            "index rebuilt",
            extra={"entries": len(engine.entries), "faq_entries": len(document.faqs)},
        )
        return True

    # --- the FAQ entries from before the FAQ moved to the site -----------------------------

    def _hand_over_legacy_faq(self) -> None:
        try:
            while self._hand_over_legacy_batch():
                pass
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            if error != self._legacy_error:
                logger.warning("old FAQ entries not handed to the site yet: %s", error)
            self._legacy_error = error
            return
        self._legacy_error = None

    def _hand_over_legacy_batch(self) -> bool:
        """Hands one batch over; True when there may be more to do now."""
        with self._database.session() as session:
            rows = session.scalars(
                select(LegacyFaqEntry)
                .where(LegacyFaqEntry.id.not_in(self._legacy_refused))
                .order_by(LegacyFaqEntry.id)
                .limit(LEGACY_BATCH)
            ).all()
            entries = [
                {
                    "legacy_id": row.id,
                    "question": row.question,
                    "answer": row.answer,
                    "created_at": row.created_at.isoformat(),
                    "updated_at": row.updated_at.isoformat(),
                }
                for row in rows
            ]
        if not entries:
            self._legacy_left = False
            return False
        result = self.site.import_legacy_faq(entries)
        confirmed = {
            int(item["legacy_id"]): int(item["id"])
            for item in result["imported"]
            if isinstance(item, dict)
            and isinstance(item.get("legacy_id"), int)
            and isinstance(item.get("id"), int)
        }
        moved = self._forget_handed_over(confirmed)
        refused = {
            int(item["legacy_id"])
            for item in result.get("refused") or []
            if isinstance(item, dict) and isinstance(item.get("legacy_id"), int)
        }
        if refused:
            # Kept here (never deleted unconfirmed) and tried again at the next start.
            logger.warning(
                "the site refused old FAQ entries; they stay in faq_entries_legacy",
                extra={"refused": sorted(refused)},
            )
            self._legacy_refused |= refused
        if moved:
            logger.info("old FAQ entries handed to the site", extra={"entries": moved})
        return bool(confirmed or refused)

    def _forget_handed_over(self, confirmed: dict[int, int]) -> int:
        """Deletes the confirmed rows and moves the logged questions' links over, one
        transaction; a row another replica already handled is left alone."""
        moved = 0
        with self._database.session() as session:
            for legacy_id, site_id in confirmed.items():
                result = session.execute(
                    delete(LegacyFaqEntry).where(LegacyFaqEntry.id == legacy_id)
                )
                if not getattr(result, "rowcount", 0):
                    continue
                moved += 1
                session.execute(
                    update(QuestionLog)
                    .where(QuestionLog.legacy_faq_id == legacy_id)
                    .values(faq_id=site_id, legacy_faq_id=None)
                )
        return moved

    # --- the snapshot in the database -----------------------------------------------------

    def _save_snapshot(self, loaded: _Loaded) -> None:
        body = json.dumps(loaded.document.as_json(), ensure_ascii=False)
        try:
            with self._database.session() as session:
                row = session.get(KnowledgeSnapshot, SNAPSHOT_ROW_ID)
                if row is None:
                    session.add(
                        KnowledgeSnapshot(
                            id=SNAPSHOT_ROW_ID, digest=loaded.digest, etag=loaded.etag, body=body
                        )
                    )
                elif row.digest != loaded.digest:
                    row.digest = loaded.digest
                    row.etag = loaded.etag
                    row.body = body
                    row.fetched_at = utcnow()
        except Exception as exc:
            # Another replica stored the same document at the same moment, or the database
            # is away: the snapshot is a convenience, the document in memory is what answers.
            logger.info("knowledge snapshot not stored: %s", type(exc).__name__)

    def _load_snapshot(self) -> None:
        try:
            with self._database.session() as session:
                row = session.get(KnowledgeSnapshot, SNAPSHOT_ROW_ID)
                body = row.body if row else None
        except Exception as exc:
            logger.warning("cannot read the knowledge snapshot: %s", type(exc).__name__)
            return
        if body is None:
            return
        try:
            document = parse_document(body.encode("utf-8"))
        except ProfileFetchError:
            return
        if self._rebuild(document):
            logger.info("answering from the stored document until the site answers")
            self._loaded = _Loaded(document, document.digest, None, "snapshot", utcnow())
