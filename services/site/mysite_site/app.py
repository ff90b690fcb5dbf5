"""The site service's FastAPI app."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from mysite_common.db import Database
from mysite_common.notifications import NotificationSender
from mysite_common.service_app import create_service_app
from mysite_site.assets import StaticAssets
from mysite_site.config import (
    FAQ_IMPORT_BODY_LIMIT,
    PHOTO_UPLOAD_BODY_LIMIT,
    PROFILE_BODY_LIMIT,
    SiteSettings,
)
from mysite_site.error_pages import install_login_redirect, page_for_error
from mysite_site.freshness import ProfileCache
from mysite_site.headers import SecurityHeadersMiddleware
from mysite_site.knowledge import KnowledgeCache
from mysite_site.photos import PhotoCache
from mysite_site.rendering import Templates
from mysite_site.routes import (
    admin_pages,
    discovery,
    faq_api,
    guestbook_api,
    pages,
    profile_api,
    security_page,
    settings_api,
    static,
)


def create_app(settings: SiteSettings | None = None) -> FastAPI:
    settings = settings or SiteSettings.load()
    database = Database(settings.database_url)

    profile_cache = ProfileCache(
        database,
        settings.render_cache_entries,
        settings.profile_language,
        sync_seconds=settings.sync_seconds,
    )
    notifier = NotificationSender(settings.kakao_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        notifier.start()
        profile_cache.start()
        yield
        notifier.stop()
        profile_cache.close()
        database.dispose()

    app = create_service_app(
        settings=settings,
        title="mysite site",
        routers=[
            pages.hot_router,
            profile_api.hot_router,
            static.router,
            profile_api.router,
            guestbook_api.router,
            faq_api.router,
            faq_api.knowledge_router,
            faq_api.internal_router,
            settings_api.router,
            discovery.router,
            admin_pages.router,
            security_page.router,
            pages.router,
        ],
        readiness={"database": database.ping},
        lifespan=lifespan,
        body_limits={
            "/api/site/photo": PHOTO_UPLOAD_BODY_LIMIT,
            "/api/site/profile": PROFILE_BODY_LIMIT,
            "/api/site/admin/draft": PROFILE_BODY_LIMIT,
            "/internal/faq/import": FAQ_IMPORT_BODY_LIMIT,
        },
        error_page=page_for_error,
    )
    install_login_redirect(app)
    app.add_middleware(SecurityHeadersMiddleware)
    assets = StaticAssets()
    app.state.settings = settings
    app.state.database = database
    app.state.assets = assets
    app.state.templates = Templates(settings, assets)
    app.state.profile_cache = profile_cache
    app.state.knowledge = KnowledgeCache(database, profile_cache)
    app.state.photo_cache = PhotoCache()
    app.state.notifier = notifier
    return app
