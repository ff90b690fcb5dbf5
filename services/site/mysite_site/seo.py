"""Found and shared: what search engines and link previews read.

OpenGraph and Twitter card tags on every page (KakaoTalk, Slack, LinkedIn, Facebook and X read
them), schema.org `ProfilePage` + `Person` JSON-LD built from the JSON Resume, canonical and
`hreflang` links, `/robots.txt` and `/sitemap.xml`, and the 1200x630 rendition of the owner's
photo that previews show. Every absolute address starts with the configured public URL
(`MYSITE_PUBLIC_URL`), never with the request's Host header, which a client chooses.
"""

import html
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import nh3
from PIL import Image, ImageFilter, ImageOps, ImageStat

from mysite_site import i18n
from mysite_site.config import SiteSettings
from mysite_site.markup import render_markdown
from mysite_site.resume import PHOTO_PATH_PREFIX, Resume, is_own_photo, is_web_url

# The size Facebook, LinkedIn and X ask for (1.91:1). KakaoTalk crops previews to 2:1 around
# the middle, so the photo sits in the centre and survives that crop.
SOCIAL_IMAGE_SIZE = (1200, 630)
SOCIAL_IMAGE_SUFFIX = "/social.jpg"
# Pages worth a search result; the others (forms, errors, admin) ask not to be indexed.
INDEXABLE_PATHS = ("/", "/guestbook")
# Query parameters that change a page's content (and so belong in its canonical address).
CANONICAL_PARAMETERS = {"/guestbook": ("page",)}
OPENGRAPH_LOCALES: dict[i18n.Language, str] = {"ko": "ko_KR", "en": "en_US"}
DESCRIPTION_LENGTH = 200


def absolute_url(settings: SiteSettings, path: str) -> str:
    return settings.public_url + path


def language_url(
    settings: SiteSettings, path: str, language: str | None, query: Iterable[tuple[str, str]] = ()
) -> str:
    """The address of one language version of a page (`?lang=` wins over the visitor's
    cookie and Accept-Language, so each version has an address of its own)."""
    kept = CANONICAL_PARAMETERS.get(path, ())
    parameters = [(name, value) for name, value in query if name in kept]
    if language:
        parameters.append(("lang", language))
    return absolute_url(settings, path) + (f"?{urlencode(parameters)}" if parameters else "")


def plain_text(markdown: object, limit: int = DESCRIPTION_LENGTH) -> str:
    """Markdown as one line of plain text, cut at a word near `limit`."""
    if not isinstance(markdown, str) or not markdown.strip():
        return ""
    rendered = nh3.clean(render_markdown(markdown), tags=set())
    text = " ".join(html.unescape(rendered).split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(",.;:·-– ") + "…"


def social_image_path(photo_url: object) -> str | None:
    """The preview image's path for the profile's photo, or None when it has no photo of
    ours (previews, like the page, show only photos stored here)."""
    if not isinstance(photo_url, str) or not is_own_photo(photo_url):
        return None
    return photo_url + SOCIAL_IMAGE_SUFFIX


# ---------------------------------------------------------------- head tags


@dataclass(frozen=True)
class Alternate:
    hreflang: str
    href: str


@dataclass(frozen=True)
class HeadTags:
    """Everything the <head> says about a page to crawlers and link previews."""

    title: str
    description: str
    site_name: str
    canonical: str | None
    og_type: str
    locale: str
    locale_alternates: list[str]
    alternates: list[Alternate]
    image: str | None
    image_alt: str
    indexable: bool
    json_ld: Any = None
    image_size: tuple[int, int] = SOCIAL_IMAGE_SIZE


def _basics(resume: Resume) -> dict[str, Any]:
    basics = resume.get("basics")
    return basics if isinstance(basics, dict) else {}


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def head_tags(
    settings: SiteSettings,
    resume: Resume,
    *,
    language: i18n.Language,
    path: str,
    query: Iterable[tuple[str, str]],
    is_error: bool,
    content_language: i18n.Language | None = None,
    published_at: datetime | None = None,
) -> HeadTags:
    """`language` is the page's (its address and interface), `content_language` the one its
    profile text is in: the primary's where the visitor's language has no translation."""
    t = i18n.translator(language)
    content_language = content_language or language
    basics = _basics(resume)
    name = _text(basics.get("name"))
    label = _text(basics.get("label"))
    site_name = name or "mysite"
    description = label or plain_text(basics.get("summary"))
    if path == "/guestbook":
        title = f"{t('nav.guestbook')} · {site_name}"
        description = t("seo.guestbook_description", name=site_name)
    elif path == "/" and label:
        title = f"{site_name} · {label}"
    else:
        title = site_name
    indexable = path in INDEXABLE_PATHS and not is_error
    query = list(query)
    canonical = language_url(settings, path, language, query) if indexable else None
    alternates = []
    if indexable:
        alternates = [
            Alternate(other, language_url(settings, path, other, query)) for other in i18n.LANGUAGES
        ]
        # Without ?lang= the page follows the visitor's language: the default for the rest.
        alternates.append(Alternate("x-default", language_url(settings, path, None, query)))
    image_path = social_image_path(basics.get("image"))
    image = absolute_url(settings, image_path) if image_path else None
    return HeadTags(
        title=title,
        description=description,
        site_name=site_name,
        canonical=canonical,
        og_type="profile" if path == "/" else "website",
        # The locale the title and description are written in.
        locale=OPENGRAPH_LOCALES[content_language],
        locale_alternates=[
            OPENGRAPH_LOCALES[other] for other in i18n.LANGUAGES if other != content_language
        ],
        alternates=alternates,
        image=image,
        image_alt=t("home.photo_alt", name=site_name) if image else "",
        indexable=indexable,
        json_ld=(
            profile_json_ld(
                settings,
                resume,
                language=language,
                content_language=content_language,
                published_at=published_at,
            )
            if path == "/" and indexable and name
            else None
        ),
    )


# ---------------------------------------------------------------- schema.org


def _same_as(basics: dict[str, Any]) -> list[str]:
    links = []
    profiles = basics.get("profiles")
    for profile in profiles if isinstance(profiles, list) else []:
        url = profile.get("url") if isinstance(profile, dict) else None
        if isinstance(url, str) and is_web_url(url) and url not in links:
            links.append(url)
    return links


def _items(resume: Resume, key: str) -> list[dict[str, Any]]:
    items = resume.get(key)
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _organization(name: str, url: object, kind: str = "Organization") -> dict[str, Any]:
    organization: dict[str, Any] = {"@type": kind, "name": name}
    if isinstance(url, str) and is_web_url(url):
        organization["url"] = url
    return organization


def person(settings: SiteSettings, resume: Resume) -> dict[str, Any]:
    """schema.org Person from JSON Resume: only what the page itself shows."""
    basics = _basics(resume)
    entity: dict[str, Any] = {"@type": "Person", "name": _text(basics.get("name"))}
    if label := _text(basics.get("label")):
        entity["jobTitle"] = label
    if summary := plain_text(basics.get("summary"), limit=500):
        entity["description"] = summary
    image = basics.get("image")
    if isinstance(image, str) and is_own_photo(image):
        entity["image"] = absolute_url(settings, image)
    url = basics.get("url")
    entity["url"] = url if isinstance(url, str) and is_web_url(url) else absolute_url(settings, "/")
    if email := _text(basics.get("email")):
        entity["email"] = f"mailto:{email}"
    if same_as := _same_as(basics):
        entity["sameAs"] = same_as
    location = basics.get("location")
    if isinstance(location, dict):
        address = {
            schema_key: _text(location.get(resume_key))
            for resume_key, schema_key in (
                ("city", "addressLocality"),
                ("region", "addressRegion"),
                ("countryCode", "addressCountry"),
            )
            if _text(location.get(resume_key))
        }
        if address:
            entity["address"] = {"@type": "PostalAddress", **address}
    current_work = [
        _organization(_text(item.get("name")), item.get("url"))
        for item in _items(resume, "work")
        if _text(item.get("name")) and not _text(item.get("endDate"))
    ]
    if current_work:
        entity["worksFor"] = current_work
    schools = [
        _organization(_text(item.get("institution")), item.get("url"), "EducationalOrganization")
        for item in _items(resume, "education")
        if _text(item.get("institution"))
    ]
    if schools:
        entity["alumniOf"] = schools
    skills = [_text(item.get("name")) for item in _items(resume, "skills")]
    if known := [skill for skill in skills if skill]:
        entity["knowsAbout"] = known
    languages = [_text(item.get("language")) for item in _items(resume, "languages")]
    if spoken := [language for language in languages if language]:
        entity["knowsLanguage"] = spoken
    awards = [_text(item.get("title")) for item in _items(resume, "awards")]
    if titles := [award for award in awards if award]:
        entity["award"] = titles
    return entity


def profile_json_ld(
    settings: SiteSettings,
    resume: Resume,
    *,
    language: i18n.Language,
    content_language: i18n.Language,
    published_at: datetime | None,
) -> dict[str, Any]:
    page: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": language_url(settings, "/", language),
        "inLanguage": content_language,
        "mainEntity": person(settings, resume),
    }
    if published_at is not None:
        page["dateModified"] = published_at.isoformat()
    return page


# ---------------------------------------------------------------- robots.txt, sitemap.xml

# Forms, the owner's pages and the API are not for search results; the photos are, because
# link previews fetch them (and some preview crawlers honour robots.txt).
_DISALLOWED = ("/admin", "/login", "/signup", "/logout", "/errors/", "/guestbook/", "/api/")


def robots_txt(settings: SiteSettings) -> str:
    lines = ["User-agent: *", f"Allow: {PHOTO_PATH_PREFIX}"]
    lines += [f"Disallow: {path}" for path in _DISALLOWED]
    lines += ["", f"Sitemap: {absolute_url(settings, '/sitemap.xml')}", ""]
    return "\n".join(lines)


def sitemap_xml(settings: SiteSettings, last_modified: datetime | None) -> str:
    """Home and guestbook, each language version with its alternates (Google's hreflang
    sitemap form: every <url> lists every version, itself included)."""
    entries = []
    for path in INDEXABLE_PATHS:
        versions = [(code, language_url(settings, path, code)) for code in i18n.LANGUAGES]
        links = "".join(
            f'\n    <xhtml:link rel="alternate" hreflang={quoteattr(code)} href={quoteattr(url)}/>'
            for code, url in [*versions, ("x-default", language_url(settings, path, None))]
        )
        modified = (
            f"\n    <lastmod>{last_modified.date().isoformat()}</lastmod>"
            if last_modified and path == "/"
            else ""
        )
        for _language, url in versions:
            entries.append(f"  <url>\n    <loc>{xml_escape(url)}</loc>{modified}{links}\n  </url>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:xhtml="http://www.w3.org/1999/xhtml">\n' + "\n".join(entries) + "\n</urlset>\n"
    )


# ---------------------------------------------------------------- the preview image


def render_social_image(photo: bytes) -> bytes:
    """The photo in the middle of a 1200x630 card, over a blurred, darkened copy of itself
    (no bars of a colour that clashes with it). JPEG: every preview service reads it."""
    with Image.open(io.BytesIO(photo)) as opened:
        image = opened.convert("RGB")
    width, height = SOCIAL_IMAGE_SIZE
    background = ImageOps.fit(image, SOCIAL_IMAGE_SIZE).filter(ImageFilter.GaussianBlur(40))
    shade = tuple(int(channel * 0.55) for channel in ImageStat.Stat(background).mean)
    background = Image.blend(background, Image.new("RGB", SOCIAL_IMAGE_SIZE, shade), 0.5)  # type: ignore[arg-type]
    portrait = ImageOps.contain(image, (height, height))
    background.paste(portrait, ((width - portrait.width) // 2, (height - portrait.height) // 2))
    output = io.BytesIO()
    background.save(output, "JPEG", quality=85, optimize=True, progressive=True)
    return output.getvalue()
