from typing import ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import SettingsConfigDict

from mysite_common.settings import ServiceSettings
from mysite_common.text import MAX_QUESTION_CHARS

MAX_PHOTO_BYTES = 2 * 1024 * 1024
# Room for the multipart envelope around a photo of the largest allowed size.
PHOTO_UPLOAD_BODY_LIMIT = MAX_PHOTO_BYTES + 64 * 1024
# A resume document, with Markdown in it, is small; this is far above any real one.
PROFILE_BODY_LIMIT = 512 * 1024
# The chatbot hands its old FAQ over in batches of 50 entries, each at most 4000 characters.
FAQ_IMPORT_BODY_LIMIT = 4 * 1024 * 1024


class SiteSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SITE_", extra="ignore", frozen=True)
    service_name: ClassVar[str] = "site"

    # UI language when neither the visitor's choice nor Accept-Language names ko or en.
    default_language: Literal["ko", "en"] = "en"
    # The language of the primary profile (`PUT /api/site/profile`); translations into the
    # other languages are merged over it. Unset: the default language.
    profile_language: Literal["ko", "en", ""] = Field(default="", validate_default=True)
    # The site's public address: canonical links, OpenGraph tags, robots.txt and the sitemap
    # say this, never the request's Host header (which anyone can set). The default is what
    # `make up` serves.
    public_url: str = Field(default="http://127.0.0.1:8000", validation_alias="MYSITE_PUBLIC_URL")
    cookie_secure: bool = Field(default=False, validation_alias="MYSITE_COOKIE_SECURE")
    guestbook_page_size: int = Field(default=20, ge=1, le=100)
    # Entries one member may write per hour: enough for anyone, too few for a spam script.
    guestbook_entries_per_hour: int = Field(default=10, ge=1, le=1000)
    # Rendered pages kept per replica: one per language and logged-in visitor at most.
    render_cache_entries: int = Field(default=512, ge=1, le=100_000)
    # How every replica follows the published profile (mysite_common.sync, as auth and the
    # chatbot do). 0, the default: its version is read for each request (one read shared by
    # the requests waiting for it), so no page is older than an edit committed before it was
    # asked for. N > 0: a background poll every N seconds, one query per replica whatever
    # the traffic, and pages up to N seconds old, the owner's own edits included.
    sync_seconds: float = Field(default=0, ge=0, le=60)
    # The chatbot widget and the "send me a message" form need those services; an
    # installation without them can hide them.
    chat_enabled: bool = True
    messages_enabled: bool = True
    # The owner's FAQ (the chatbot answers from it): what the admin form allows, and how
    # many entries the chatbot's index holds.
    max_faq_question_chars: int = Field(default=MAX_QUESTION_CHARS, ge=10, le=MAX_QUESTION_CHARS)
    max_faq_answer_chars: int = Field(default=4000, ge=10, le=20_000)
    max_faq_entries: int = Field(default=500, ge=1, le=5000)
    # Where the kakao service answers POST /internal/notifications (service to service, never
    # through the public gateway): new guestbook entries are told to the owner. Empty: off.
    kakao_url: str = ""

    @field_validator("public_url")
    @classmethod
    def _absolute_public_url(cls, value: str) -> str:
        value = value.strip().rstrip("/") or "http://127.0.0.1:8000"
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise ValueError("MYSITE_PUBLIC_URL must be an address like https://example.org")
        return value

    @field_validator("profile_language")
    @classmethod
    def _profile_language_default(cls, value: str, info: ValidationInfo) -> str:
        return value or str(info.data.get("default_language", "en"))
