"""The owner's content, fetched from the site service as one document with If-None-Match.

The chatbot asks `GET /api/site/knowledge`: {"version", "language", "profile": {...} or
null, "translations": {"en": {...}, ...} (each already merged over the primary, same list
positions), "faq_revision", "faq": [{"id", "question", "answer"}, ...]}, with one ETag over
all of it. Anything else (not JSON, not an object, too large, an error status) is refused,
and the caller keeps the last good document. The FAQ entries the chatbot's own database held
before the FAQ moved to the site are handed over with `POST /internal/faq/import`; an entry
the owner makes from a logged question with `POST /internal/faq`.
"""

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from mysite_chatbot.engine import FaqEntry
from mysite_common.errors import ApiError
from mysite_common.http import service_client

logger = logging.getLogger(__name__)

KNOWLEDGE_PATH = "/api/site/knowledge"
FAQ_HAND_OVER_PATH = "/internal/faq"
FAQ_IMPORT_PATH = "/internal/faq/import"

Profile = dict[str, Any]
# Language code ("en", "ko") -> the whole profile in that language.
Translations = dict[str, Profile]

SITE_UNAVAILABLE = ApiError(
    503, "site_unavailable", "The site cannot store the FAQ entry right now; try again shortly."
)


class ProfileFetchError(Exception):
    """The site could not be reached or sent something that is not the knowledge document."""


@dataclass(frozen=True)
class KnowledgeDocument:
    """What the chatbot answers from: the profile (None before the owner publishes one), its
    translations and the FAQ."""

    profile: Profile | None
    translations: Translations = field(default_factory=dict)
    faqs: tuple[FaqEntry, ...] = ()

    @property
    def digest(self) -> str:
        """sha256 of the content's canonical JSON: a new ETag with the same content changes
        nothing."""
        content = [
            self.profile,
            self.translations,
            [[faq.id, faq.question, faq.answer] for faq in self.faqs],
        ]
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()

    def as_json(self) -> dict[str, Any]:
        """What the snapshot stores, in the site's own shape."""
        return {
            "profile": self.profile,
            "translations": self.translations,
            "faq": [
                {"id": faq.id, "question": faq.question, "answer": faq.answer} for faq in self.faqs
            ],
        }


def _faq_entries(raw: object) -> tuple[FaqEntry, ...]:
    if not isinstance(raw, list):
        return ()
    entries = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        faq_id, question, answer = item.get("id"), item.get("question"), item.get("answer")
        if isinstance(faq_id, int) and isinstance(question, str) and isinstance(answer, str):
            entries.append(FaqEntry(faq_id, question, answer))
    return tuple(entries)


def parse_document(body: bytes) -> KnowledgeDocument:
    """The knowledge document in `body` (a stored snapshot from before the FAQ moved has no
    "faq"); ProfileFetchError if it is not one."""
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProfileFetchError("the document is not valid JSON") from exc
    if not isinstance(document, dict):
        raise ProfileFetchError("the document is not a JSON object")
    profile = document.get("profile")
    if profile is not None and not isinstance(profile, dict):
        raise ProfileFetchError("the document's profile is not a JSON object")
    raw = document.get("translations")
    translations = (
        {
            language: translated
            for language, translated in raw.items()
            if isinstance(language, str) and isinstance(translated, dict)
        }
        if isinstance(raw, dict) and profile is not None
        else {}
    )
    return KnowledgeDocument(profile, translations, _faq_entries(document.get("faq")))


@dataclass(frozen=True)
class FetchedDocument:
    document: KnowledgeDocument
    etag: str | None


class SiteClient:
    """The chatbot's calls to the site: the knowledge document (remembering the ETag of the
    last good one for conditional requests) and the FAQ hand-over."""

    def __init__(self, site_url: str, *, timeout: float, max_bytes: int) -> None:
        self._client = service_client(site_url, timeout=timeout)
        self._max_bytes = max_bytes
        self._etag: str | None = None

    def forget_etag(self) -> None:
        self._etag = None

    def fetch(self) -> FetchedDocument | None:
        """The document if it may have changed, None if the site says 304 Not Modified."""
        headers = {"Accept": "application/json"}
        if self._etag:
            headers["If-None-Match"] = self._etag
        try:
            with self._client.stream("GET", KNOWLEDGE_PATH, headers=headers) as response:
                if response.status_code == 304:
                    return None
                if response.status_code != 200:
                    raise ProfileFetchError(f"the site answered HTTP {response.status_code}")
                body = self._read_limited(response)
                etag = response.headers.get("etag")
        except httpx.HTTPError as exc:
            raise ProfileFetchError(f"the site is unreachable ({type(exc).__name__})") from exc
        document = parse_document(body)
        self._etag = etag
        return FetchedDocument(document, etag)

    def _read_limited(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise ProfileFetchError(f"the document is larger than {self._max_bytes} bytes")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self._max_bytes:
                raise ProfileFetchError(f"the document is larger than {self._max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def hand_over_faq(self, *, key: str, question: str, answer: str) -> dict[str, Any]:
        """Creates an FAQ entry in the site (once per `key`) and returns it. The site's own
        refusal (bad text, FAQ full) comes back as the same ApiError; an unreachable site as
        503."""
        try:
            response = self._client.post(
                FAQ_HAND_OVER_PATH, json={"key": key, "question": question, "answer": answer}
            )
        except httpx.HTTPError as exc:
            logger.warning("the site is unreachable for an FAQ entry: %s", type(exc).__name__)
            raise SITE_UNAVAILABLE from exc
        body = _json_object(response)
        if response.status_code in (200, 201) and isinstance(body.get("id"), int):
            return body
        if 400 <= response.status_code < 500 and isinstance(body.get("error"), str):
            fields = body.get("fields")
            raise ApiError(
                response.status_code,
                body["error"],
                str(body.get("message") or body["error"]),
                fields=fields if isinstance(fields, dict) else None,
            )
        logger.warning("the site refused an FAQ entry: HTTP %s", response.status_code)
        raise SITE_UNAVAILABLE

    def import_legacy_faq(self, entries: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """Hands the entries over; the site's answer ({imported, refused}). Raises
        ProfileFetchError when the site cannot take them now."""
        try:
            response = self._client.post(FAQ_IMPORT_PATH, json={"entries": list(entries)})
        except httpx.HTTPError as exc:
            raise ProfileFetchError(f"the site is unreachable ({type(exc).__name__})") from exc
        body = _json_object(response)
        if response.status_code != 200 or not isinstance(body.get("imported"), list):
            raise ProfileFetchError(f"the site answered the FAQ import with {response.status_code}")
        return body

    def close(self) -> None:
        self._client.close()


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
