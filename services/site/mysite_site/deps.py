"""Typed dependencies the site's routes share: each alias names what a route receives, and
this module is the only one that reads app.state for a request.

All `async def`: they only read app.state, and FastAPI runs a plain `def` dependency in its
threadpool (one thread hop per dependency per request).
"""

import logging
from typing import Annotated

from fastapi import Depends, Request

from mysite_common.db import Database
from mysite_common.identity import Identity, identity_from_headers, require_member, require_owner
from mysite_common.notifications import NotificationSender
from mysite_site import i18n
from mysite_site.assets import StaticAssets
from mysite_site.config import SiteSettings
from mysite_site.csrf import check_csrf_token, visitor_token
from mysite_site.freshness import LoadedProfile, ProfileCache
from mysite_site.knowledge import KnowledgeCache
from mysite_site.page import PageContext
from mysite_site.photos import PhotoCache
from mysite_site.rendering import Templates

logger = logging.getLogger(__name__)


async def _settings(request: Request) -> SiteSettings:
    settings: SiteSettings = request.app.state.settings
    return settings


async def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def _profiles(request: Request) -> ProfileCache:
    profiles: ProfileCache = request.app.state.profile_cache
    return profiles


async def _knowledge(request: Request) -> KnowledgeCache:
    knowledge: KnowledgeCache = request.app.state.knowledge
    return knowledge


async def _photos(request: Request) -> PhotoCache:
    photos: PhotoCache = request.app.state.photo_cache
    return photos


async def _notifier(request: Request) -> NotificationSender:
    notifier: NotificationSender = request.app.state.notifier
    return notifier


async def _assets(request: Request) -> StaticAssets:
    assets: StaticAssets = request.app.state.assets
    return assets


async def page_context(request: Request) -> PageContext:
    """What every page knows. Also called directly by the home page (the hottest route: it
    saves the dependency machinery's share) and by the error pages."""
    settings: SiteSettings = request.app.state.settings
    # `?lang=` first: each language version has an address of its own (hreflang, sitemap).
    language = i18n.as_language(request.query_params.get("lang")) or i18n.negotiate(
        request.cookies.get(i18n.LANGUAGE_COOKIE),
        request.headers.get("accept-language"),
        settings.default_language,
    )
    token, is_new = visitor_token(request, settings)
    profiles: ProfileCache = request.app.state.profile_cache
    try:
        profile: LoadedProfile | None = await profiles.current()
    except Exception:
        logger.warning("profile unavailable while building a page", exc_info=True)
        profile = None
    templates: Templates = request.app.state.templates
    return PageContext(
        request=request,
        settings=settings,
        templates=templates,
        language=language,
        viewer=identity_from_headers(request.headers),
        csrf_token=token,
        csrf_is_new=is_new,
        profile=profile,
    )


Settings = Annotated[SiteSettings, Depends(_settings)]
DatabaseDep = Annotated[Database, Depends(_database)]
Profiles = Annotated[ProfileCache, Depends(_profiles)]
Knowledge = Annotated[KnowledgeCache, Depends(_knowledge)]
Photos = Annotated[PhotoCache, Depends(_photos)]
Notifier = Annotated[NotificationSender, Depends(_notifier)]
Assets = Annotated[StaticAssets, Depends(_assets)]
Page = Annotated[PageContext, Depends(page_context)]


async def _csrf_checked(request: Request, settings: Settings) -> None:
    await check_csrf_token(request, settings)


async def _member_with_csrf(request: Request, settings: Settings) -> Identity:
    # Identity first, so a visitor who is not logged in hears 401, not a CSRF complaint.
    member = require_member(request)
    await check_csrf_token(request, settings)
    return member


async def _owner_with_csrf(request: Request, settings: Settings) -> Identity:
    owner = require_owner(request)
    await check_csrf_token(request, settings)
    return owner


# For routes that change state: who may, and proof that the request came from our page.
CsrfChecked = Depends(_csrf_checked)
CheckedMember = Annotated[Identity, Depends(_member_with_csrf)]
CheckedOwner = Annotated[Identity, Depends(_owner_with_csrf)]
