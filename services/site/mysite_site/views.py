"""What the profile page shows, derived from the JSON Resume document (templates stay simple)."""

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from mysite_site.links import display_host, photo_src, safe_href, tel_href
from mysite_site.resume import SECTIONS, Resume


@dataclass(frozen=True)
class ContactLink:
    kind: str  # email, phone, website, or the network's name
    text: str
    href: str | None


@dataclass(frozen=True)
class ProfileView:
    name: str
    initials: str
    label: str
    photo: str | None
    location: str
    summary: str
    contacts: list[ContactLink]
    sections: list[tuple[str, list[dict[str, Any]]]]
    # Where the page's language and a part's differ (a translation that left it out): the
    # part's language, for a `lang` attribute, keyed by (section, position shown) or "summary".
    part_languages: dict[Any, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.name or self.label or self.summary or self.sections or self.photo)

    def lang_attr(self, key: str, index: int | None = None) -> Markup:
        """` lang="ko"` for a part in another language than the page's content, else nothing."""
        language = self.part_languages.get(key if index is None else (key, index))
        return Markup(' lang="{}"').format(language) if language else Markup("")


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _location(basics: dict[str, Any]) -> str:
    location = basics.get("location")
    if not isinstance(location, dict):
        return ""
    parts: list[str] = []
    for key in ("city", "region", "countryCode"):
        part = _text(location.get(key))
        if part and part not in parts:
            parts.append(part)
    return ", ".join(parts)


def _contacts(basics: dict[str, Any]) -> list[ContactLink]:
    contacts: list[ContactLink] = []
    email = _text(basics.get("email"))
    if email:
        contacts.append(ContactLink("email", email, safe_href(f"mailto:{email}")))
    phone = _text(basics.get("phone"))
    if phone:
        contacts.append(ContactLink("phone", phone, tel_href(phone)))
    url = _text(basics.get("url"))
    if url and safe_href(url):
        contacts.append(ContactLink("website", display_host(url), safe_href(url)))
    profiles = basics.get("profiles")
    for profile in profiles if isinstance(profiles, list) else []:
        if not isinstance(profile, dict):
            continue
        network = _text(profile.get("network"))
        href = safe_href(profile.get("url"))
        text = _text(profile.get("username")) or display_host(profile.get("url"))
        if network or text:
            contacts.append(ContactLink(network or "link", text or network, href))
    return contacts


def profile_view(
    resume: Resume,
    *,
    untranslated: set[tuple[str, int]] | None = None,
    summary_untranslated: bool = False,
    basics_untranslated: bool = False,
    fallback_language: str | None = None,
) -> ProfileView:
    """`untranslated`: the (section, position) of items the visitor's language has no
    translation of, shown in `fallback_language` (the primary document's); likewise the
    summary and the name, headline and place."""
    basics = resume.get("basics")
    if not isinstance(basics, dict):
        basics = {}
    name = _text(basics.get("name"))
    sections = []
    part_languages: dict[Any, str] = {}
    for section in SECTIONS:
        items = resume.get(section.key)
        if isinstance(items, list):
            kept: list[dict[str, Any]] = []
            for position, item in enumerate(items):
                if not (isinstance(item, dict) and item):
                    continue
                if fallback_language and (section.key, position) in (untranslated or set()):
                    part_languages[(section.key, len(kept))] = fallback_language
                kept.append(item)
            if kept:
                sections.append((section.key, kept))
    if fallback_language and summary_untranslated:
        part_languages["summary"] = fallback_language
    if fallback_language and basics_untranslated:
        part_languages["basics"] = fallback_language
    return ProfileView(
        name=name,
        initials=name[:1].upper() if name else "?",
        label=_text(basics.get("label")),
        photo=photo_src(basics.get("image")),
        location=_location(basics),
        summary=_text(basics.get("summary")),
        contacts=_contacts(basics),
        sections=sections,
        part_languages=part_languages,
    )
