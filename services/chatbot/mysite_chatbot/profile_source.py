"""The owner's published profile, fetched from the site service with If-None-Match.

The chatbot asks `GET /api/site/profile?translations=true`. A site that keeps per-language
versions of the profile answers the wrapper {"version": n, "profile": {...}, "translations":
{"en": {...}, ...}} (each translation already merged over the primary, same list positions)
with one ETag over all; an older site answers the plain JSON Resume document (or the wrapper
without translations). Anything else (not JSON, not an object, too large, an error status)
is refused, and the caller keeps the last good profile.
"""

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

from mysite_common.http import service_client

logger = logging.getLogger(__name__)

PROFILE_PATH = "/api/site/profile?translations=true"

Profile = dict[str, Any]
# Language code ("en", "ko") -> the whole profile in that language.
Translations = dict[str, Profile]


class ProfileFetchError(Exception):
    """The site could not be reached or sent something that is not a profile."""


@dataclass(frozen=True)
class FetchedProfile:
    profile: Profile
    # sha256 of the profile's canonical JSON: a new ETag with the same content changes nothing.
    digest: str
    etag: str | None
    translations: Translations = field(default_factory=dict)

    def document(self) -> Profile:
        """What the snapshot stores: the profile with its translations, the wrapper shape."""
        return {"profile": self.profile, "translations": self.translations}


def profile_digest(profile: Profile, translations: Translations | None = None) -> str:
    content: Any = profile if not translations else [profile, translations]
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def parse_profile_document(body: bytes) -> Profile:
    """The JSON Resume object in `body`, unwrapped if the site wraps it; else ProfileFetchError."""
    return parse_profile_with_translations(body)[0]


def parse_profile_with_translations(body: bytes) -> tuple[Profile, Translations]:
    """The JSON Resume object in `body` and its translations (none from an older site)."""
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProfileFetchError("the profile is not valid JSON") from exc
    if not isinstance(document, dict):
        raise ProfileFetchError("the profile is not a JSON object")
    wrapped = document.get("profile")
    if not isinstance(wrapped, dict) or "basics" in document:
        return document, {}
    raw = document.get("translations")
    translations = (
        {
            language: translated
            for language, translated in raw.items()
            if isinstance(language, str) and isinstance(translated, dict)
        }
        if isinstance(raw, dict)
        else {}
    )
    return wrapped, translations


class ProfileClient:
    """Fetches the profile; remembers the ETag of the last good one for conditional requests."""

    def __init__(self, site_url: str, *, timeout: float, max_bytes: int) -> None:
        self._client = service_client(site_url, timeout=timeout)
        self._max_bytes = max_bytes
        self._etag: str | None = None

    def forget_etag(self) -> None:
        self._etag = None

    def fetch(self) -> FetchedProfile | None:
        """The profile if it may have changed, None if the site says 304 Not Modified."""
        headers = {"Accept": "application/json"}
        if self._etag:
            headers["If-None-Match"] = self._etag
        try:
            with self._client.stream("GET", PROFILE_PATH, headers=headers) as response:
                if response.status_code == 304:
                    return None
                if response.status_code == 404:
                    raise ProfileFetchError("the site has no published profile yet")
                if response.status_code != 200:
                    raise ProfileFetchError(f"the site answered HTTP {response.status_code}")
                body = self._read_limited(response)
                etag = response.headers.get("etag")
        except httpx.HTTPError as exc:
            raise ProfileFetchError(f"the site is unreachable ({type(exc).__name__})") from exc
        profile, translations = parse_profile_with_translations(body)
        self._etag = etag
        return FetchedProfile(profile, profile_digest(profile, translations), etag, translations)

    def _read_limited(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise ProfileFetchError(f"the profile is larger than {self._max_bytes} bytes")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self._max_bytes:
                raise ProfileFetchError(f"the profile is larger than {self._max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        self._client.close()
