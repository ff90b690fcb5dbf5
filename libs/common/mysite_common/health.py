"""Liveness (/healthz: the process answers) and readiness (/readyz: it can do its job).

Readiness checks run in a background thread and /readyz reports the last result, so the
gateway's health checks answer at once even when every worker thread is busy: a service
under load must not be taken out of rotation for being slow to say it is fine.

A replica is ready once every check has passed (database reachable, warm-up done, caches
loaded). A later failure is reported ("degraded", with the failing check) but keeps the 200:
it is a shared dependency such as the database, which every replica shares, and taking all
of them out of rotation would turn a partial outage (routes that need no database) into a
total one.
"""

import logging
import threading
from collections.abc import Callable, Mapping

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response

logger = logging.getLogger(__name__)

ReadinessCheck = Callable[[], None]

# Set when the process was asked to stop: /readyz says so while requests in flight finish.
DRAINING = threading.Event()


class Readiness:
    """Runs the checks every `interval` seconds; `results` holds the latest outcome."""

    def __init__(self, checks: Mapping[str, ReadinessCheck], interval: float = 1.0) -> None:
        self.checks = dict(checks)
        self.interval = interval
        self.results: dict[str, str] = dict.fromkeys(self.checks, "starting")
        self._started = False
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def ready(self) -> bool:
        if self._started:
            return True
        self._started = all(result == "ok" for result in self.results.values())
        return self._started

    @property
    def degraded(self) -> bool:
        return any(result != "ok" for result in self.results.values())

    def check_now(self) -> None:
        results = {}
        for name, check in self.checks.items():
            try:
                check()
                results[name] = "ok"
            except Exception as exc:  # any failure means not ready; say which
                if self.results.get(name) == "ok":
                    logger.warning(
                        "readiness check failed", extra={"check": name, "error": str(exc)}
                    )
                results[name] = "failing"
        self.results = results

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="readiness", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stopping.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self.check_now()
            self._stopping.wait(self.interval)


def health_router(readiness: Readiness) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        if DRAINING.is_set() or not readiness.ready:
            status = "unavailable"
        else:
            status = "degraded" if readiness.degraded else "ok"
        return JSONResponse(
            {"status": status, "checks": readiness.results},
            200 if status in ("ok", "degraded") else 503,
        )

    @router.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
