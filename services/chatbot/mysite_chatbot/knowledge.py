"""One replica's answering engine, kept in step with the site's profile and the FAQ tables.

A background thread builds the engine (Kiwi and the embedding model take a second or two),
then every `profile_poll_seconds` asks the site for the profile with If-None-Match and reads
the FAQ change counter from the database; when either changed it rebuilds the engine's
index (tens of milliseconds; questions keep being answered from the old index meanwhile).
When the site is down or sends garbage, the last good profile stays in use; the last good
profile is also stored in the database, so a replica that starts during a site outage still
answers from it.
"""

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from mysite_chatbot.config import ChatbotSettings
from mysite_chatbot.engine import Engine, LanguageResources
from mysite_chatbot.engine import FaqEntry as EngineFaq
from mysite_chatbot.models import SNAPSHOT_ROW_ID, FaqChange, FaqEntry, ProfileSnapshot
from mysite_chatbot.profile_source import (
    FetchedProfile,
    Profile,
    ProfileClient,
    ProfileFetchError,
    Translations,
    parse_profile_with_translations,
    profile_digest,
)
from mysite_common.db import Database, utcnow

logger = logging.getLogger(__name__)


class EngineNotReadyError(Exception):
    pass


@dataclass
class _LoadedProfile:
    profile: Profile
    digest: str
    source: str  # "site" or "snapshot"
    loaded_at: datetime
    translations: Translations = field(default_factory=dict)


@dataclass(frozen=True)
class _Candidate:
    loaded: _LoadedProfile
    fetched: FetchedProfile | None  # None when it came from the snapshot


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
        self._profiles = ProfileClient(
            settings.site_url,
            timeout=settings.profile_timeout_seconds,
            max_bytes=settings.max_profile_bytes,
        )
        self._engine: Engine | None = None
        self._engine_error: str | None = None
        self._profile: _LoadedProfile | None = None
        self._faqs: list[EngineFaq] = []
        self._faq_version: int | None = None
        self._profile_error: str | None = None
        self._faq_error: str | None = None
        self._last_profile_check: datetime | None = None
        self._index_built_at: datetime | None = None
        self._started = time.monotonic()
        self._ready_after_seconds: float | None = None
        # One sync at a time: the loop and a route that just changed the FAQ.
        self._sync_lock = threading.Lock()
        self._first_load_tried = threading.Event()
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

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
            raise RuntimeError("the profile has not been loaded yet")

    def wait_ready(self, timeout: float) -> bool:
        return self._first_load_tried.wait(timeout) and self._engine is not None

    def faqs_changed(self) -> None:
        """Called after this replica changed the FAQ: rebuild now rather than at the next poll."""
        if not self.is_ready:
            return
        try:
            self._sync(profile=False)
        except Exception:
            logger.exception("could not rebuild the index after an FAQ change; the poll retries")

    def status(self) -> dict[str, Any]:
        engine = self._engine
        profile = self._profile
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
                "loaded": profile is not None,
                "source": profile.source if profile else None,
                "digest": profile.digest[:16] if profile else None,
                "loaded_at": profile.loaded_at.isoformat() if profile else None,
                "last_checked_at": self._last_profile_check.isoformat()
                if self._last_profile_check
                else None,
                "error": self._profile_error,
            },
            "faq": {
                "entries": len(self._faqs),
                "version": self._faq_version,
                "error": self._faq_error,
            },
            "index_built_at": self._index_built_at.isoformat() if self._index_built_at else None,
        }

    # --- the background thread ----------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="chatbot-knowledge", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=10)
        self._profiles.close()

    def _run(self) -> None:
        try:
            self._engine = self._build_engine()
        except Exception as exc:
            # Not ready, ever: the orchestrator sees /readyz fail and replaces the replica.
            self._engine_error = type(exc).__name__
            logger.exception("the answering engine could not be built")
            return
        try:
            self._sync(first=True)
        except Exception:
            logger.exception("the first knowledge load failed; answering from what there is")
        self._first_load_tried.set()
        self._ready_after_seconds = round(time.monotonic() - self._started, 3)
        logger.info("chatbot ready", extra={"seconds": self._ready_after_seconds})
        while not self._stopping.is_set():
            self._wake.wait(self._settings.profile_poll_seconds)
            self._wake.clear()
            if self._stopping.is_set():
                break
            try:
                self._sync()
            except Exception:
                logger.exception("knowledge sync failed; keeping the current index")

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

    # --- syncing ------------------------------------------------------------------------

    def _sync(self, *, first: bool = False, profile: bool = True) -> None:
        # The network call happens outside the lock, so an FAQ edit never waits on the site.
        candidate = self._fetch_profile(first=first) if profile else None
        with self._sync_lock:
            previous = self._profile
            profile_changed = False
            if candidate is not None:
                if previous is None or previous.digest != candidate.loaded.digest:
                    self._profile = candidate.loaded
                    profile_changed = True
                else:  # the snapshot we started from is still current
                    previous.source = candidate.loaded.source
            faqs_changed = self._refresh_faqs()
            if (profile_changed or faqs_changed or first) and not self._rebuild():
                # The index still holds the previous knowledge: retry this at the next poll.
                self._profile = previous
                self._faq_version = None
                profile_changed = False
        if profile_changed and candidate is not None and candidate.fetched is not None:
            self._save_snapshot(candidate.fetched)

    def _fetch_profile(self, *, first: bool) -> "_Candidate | None":
        """The profile to use if the site may have a new one (or, on a first load while the
        site is down, the stored snapshot); None to keep the current one."""
        self._last_profile_check = utcnow()
        try:
            fetched = self._profiles.fetch()
        except ProfileFetchError as exc:
            self._note_profile_error(str(exc))
            if first and self._profile is None:
                return self._read_snapshot()
            return None
        self._note_profile_error(None)
        if fetched is None:
            return None
        return _Candidate(
            _LoadedProfile(fetched.profile, fetched.digest, "site", utcnow(), fetched.translations),
            fetched,
        )

    def _note_profile_error(self, error: str | None) -> None:
        # Logged when it changes, not every poll: an outage is one warning, not hundreds.
        if error != self._profile_error:
            if error:
                logger.warning("keeping the last good profile: %s", error)
            else:
                logger.info("the site's profile is reachable again")
        self._profile_error = error

    def _refresh_faqs(self) -> bool:
        try:
            with self._database.session() as session:
                version = session.scalar(select(func.max(FaqChange.id))) or 0
                if version == self._faq_version:
                    return False
                rows = session.execute(
                    select(FaqEntry.id, FaqEntry.question, FaqEntry.answer).order_by(FaqEntry.id)
                ).all()
        except Exception as exc:
            if self._faq_error is None:
                logger.warning("cannot read the FAQ; keeping the current entries: %s", exc)
            self._faq_error = type(exc).__name__
            return False
        self._faq_error = None
        self._faqs = [EngineFaq(row.id, row.question, row.answer) for row in rows]
        self._faq_version = version
        return True

    def _rebuild(self) -> bool:
        engine = self._engine
        assert engine is not None
        profile = self._profile.profile if self._profile else None
        translations = self._profile.translations if self._profile else {}
        try:
            engine.load(profile, self._faqs, translations=translations)
        except Exception:
            # The engine swaps its index only once a new one is built: the old one still
            # answers. Forget the ETag so the next poll fetches the profile and tries again.
            logger.exception("the index could not be rebuilt; answering from the previous one")
            self._profiles.forget_etag()
            return False
        self._index_built_at = utcnow()
        logger.info(
            "index rebuilt",
            extra={"entries": len(engine.entries), "faq_entries": len(self._faqs)},
        )
        return True

    # --- the snapshot in the database -----------------------------------------------------

    def _save_snapshot(self, fetched: FetchedProfile) -> None:
        body = json.dumps(fetched.document(), ensure_ascii=False)
        try:
            with self._database.session() as session:
                row = session.get(ProfileSnapshot, SNAPSHOT_ROW_ID)
                if row is None:
                    session.add(
                        ProfileSnapshot(
                            id=SNAPSHOT_ROW_ID, digest=fetched.digest, etag=fetched.etag, body=body
                        )
                    )
                elif row.digest != fetched.digest:
                    row.digest = fetched.digest
                    row.etag = fetched.etag
                    row.body = body
                    row.fetched_at = utcnow()
        except Exception as exc:
            # Another replica stored the same profile at the same moment, or the database is
            # away: the snapshot is a convenience, the profile in memory is what answers.
            logger.info("profile snapshot not stored: %s", type(exc).__name__)

    def _read_snapshot(self) -> "_Candidate | None":
        try:
            with self._database.session() as session:
                row = session.get(ProfileSnapshot, SNAPSHOT_ROW_ID)
                body = row.body if row else None
        except Exception as exc:
            logger.warning("cannot read the profile snapshot: %s", type(exc).__name__)
            return None
        if body is None:
            return None
        try:
            profile, translations = parse_profile_with_translations(body.encode("utf-8"))
        except ProfileFetchError:
            return None
        logger.info("answering from the stored profile until the site answers")
        digest = profile_digest(profile, translations)
        return _Candidate(_LoadedProfile(profile, digest, "snapshot", utcnow(), translations), None)
