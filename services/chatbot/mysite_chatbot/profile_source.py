"""The owner's published profile, fetched from the site service with If-None-Match.

The site answers `GET /api/site/profile` with the JSON Resume document and an ETag. Either
shape is accepted: the plain document, or a wrapper {"version": n, "profile": {...}}. Anything
else (not JSON, not an object, too large, an error status) is refused, and the caller keeps
the last good profile.
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

import httpx

from mysite_common.http import service_client

logger = logging.getLogger(__name__)

PROFILE_PATH = "/api/site/profile"

Profile = dict[str, Any]


class ProfileFetchError(Exception):
    """The site could not be reached or sent something that is not a profile."""


@dataclass(frozen=True)
class FetchedProfile:
    profile: Profile
    # sha256 of the profile's canonical JSON: a new ETag with the same content changes nothing.
    digest: str
    etag: str | None


def profile_digest(profile: Profile) -> str:
    canonical = json.dumps(profile, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def parse_profile_document(body: bytes) -> Profile:
    """The JSON Resume object in `body`, unwrapped if the site wraps it; else ProfileFetchError."""
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProfileFetchError("the profile is not valid JSON") from exc
    if not isinstance(document, dict):
        raise ProfileFetchError("the profile is not a JSON object")
    wrapped = document.get("profile")
    if isinstance(wrapped, dict) and "basics" not in document:
        document = wrapped
    return document


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
        profile = parse_profile_document(body)
        self._etag = etag
        return FetchedProfile(profile, profile_digest(profile), etag)

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
