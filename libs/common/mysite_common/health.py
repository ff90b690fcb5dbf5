"""Liveness (/healthz: the process answers) and readiness (/readyz: it can do its job)."""

import logging
from collections.abc import Callable, Mapping

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response

logger = logging.getLogger(__name__)

ReadinessCheck = Callable[[], None]


def health_router(checks: Mapping[str, ReadinessCheck]) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    def readyz() -> JSONResponse:
        results: dict[str, str] = {}
        ready = True
        for name, check in checks.items():
            try:
                check()
                results[name] = "ok"
            except Exception as exc:  # any failure means not ready; say which
                logger.warning("readiness check failed", extra={"check": name, "error": str(exc)})
                results[name] = "failing"
                ready = False
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", "checks": results}, 200 if ready else 503
        )

    @router.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
