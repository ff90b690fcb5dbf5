"""Builds a service's FastAPI app with what every service has, so each app.py stays short."""

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI

from mysite_common.errors import ErrorPage, install_error_handlers
from mysite_common.health import Readiness, ReadinessCheck, health_router
from mysite_common.logs import configure_logging
from mysite_common.middleware import (
    BodySizeLimitMiddleware,
    CsrfMiddleware,
    HeadAsGetMiddleware,
    JsonDepthLimitMiddleware,
    RequestContextMiddleware,
)
from mysite_common.settings import ServiceSettings

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[Any]]


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    routers: Sequence[APIRouter],
    readiness: Mapping[str, ReadinessCheck],
    lifespan: Lifespan | None = None,
    body_limits: Mapping[str, int] | None = None,
    csrf_exempt_paths: tuple[str, ...] = (),
    error_page: ErrorPage | None = None,
) -> FastAPI:
    configure_logging(settings.service_name, settings.log_level)
    checks = Readiness(readiness)

    @asynccontextmanager
    async def service_lifespan(app: FastAPI) -> AsyncIterator[None]:
        checks.start()
        try:
            if lifespan is None:
                yield
            else:
                async with lifespan(app):
                    yield
        finally:
            checks.stop()

    openapi_url = f"/api/{settings.service_name}/openapi.json"
    app = FastAPI(
        title=title,
        lifespan=service_lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None if settings.is_production else openapi_url,
    )
    install_error_handlers(app, error_page)
    app.state.readiness = checks
    app.state.client_ip_depth = settings.client_ip_depth
    app.include_router(health_router(checks))
    for router in routers:
        app.include_router(router)
    # Starlette runs the last added middleware first: request id and logging wrap everything.
    app.add_middleware(JsonDepthLimitMiddleware)
    app.add_middleware(CsrfMiddleware, exempt_paths=csrf_exempt_paths)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        overrides=dict(body_limits or {}),
    )
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)
    return app
