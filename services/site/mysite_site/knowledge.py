"""The one document the chatbot answers from: the published profile in every language and the
owner's FAQ, with one ETag over all of it (`GET /api/site/knowledge`).

Built once per (profile version, FAQ revision) on each replica. A poll costs the profile's
freshness probe (shared with the pages) and one small read of the FAQ revision; the FAQ rows
are read only when the revision moved.
"""

import threading
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool

from mysite_common.db import Database
from mysite_site import faq
from mysite_site.freshness import JsonDocument, LoadedProfile, ProfileCache, json_document


@dataclass(frozen=True)
class _FaqDocument:
    revision: int
    items: list[dict[str, Any]]


class KnowledgeCache:
    def __init__(self, database: Database, profiles: ProfileCache) -> None:
        self._database = database
        self._profiles = profiles
        self._faq: _FaqDocument | None = None
        self._document: tuple[int, int, JsonDocument] | None = None
        self._lock = threading.Lock()

    def _read_revision(self) -> int:
        with self._database.session() as session:
            return faq.load_revision(session)

    def _read_faq(self) -> _FaqDocument:
        with self._database.session() as session:
            # Revision and rows in one transaction: the rows are at least that revision's.
            revision = faq.load_revision(session)
            items = [
                {"id": entry.id, "question": entry.question, "answer": entry.answer}
                for entry in faq.list_faqs(session)
            ]
        return _FaqDocument(revision, items)

    async def current(self) -> JsonDocument:
        """The document as of now: any profile or FAQ change committed before this call is in
        it (the profile through its freshness probe, the FAQ through its revision)."""
        profile = await self._profiles.current()
        revision = await run_in_threadpool(self._read_revision)
        known = self._faq
        if known is None or known.revision != revision:
            known = await run_in_threadpool(self._read_faq)
            self._faq = known
        return self._build(profile, known)

    def _build(self, profile: LoadedProfile, faq_document: _FaqDocument) -> JsonDocument:
        with self._lock:
            cached = self._document
            if (
                cached is not None
                and cached[0] == profile.version
                and cached[1] == faq_document.revision
            ):
                return cached[2]
            document = {
                "version": profile.version,
                "language": profile.language,
                "profile": profile.resume if profile.exists else None,
                "translations": {
                    language: profile.resume_in(language) for language in profile.translations
                }
                if profile.exists
                else {},
                "faq_revision": faq_document.revision,
                "faq": faq_document.items,
            }
            # The tag ends with a hash of the body: a database that started over with the
            # same numbers still gives a new ETag.
            built = json_document(document, f"k{profile.version}-f{faq_document.revision}")
            self._document = (profile.version, faq_document.revision, built)
            return built
