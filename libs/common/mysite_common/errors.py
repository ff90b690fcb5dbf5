"""One JSON error shape for every service: {"error": code, "message": text, "fields"?: {...}}.

Bad input always gets a 4xx with a message a person can act on; the offending input is never
echoed back (it may be huge, or a password).
"""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SqlTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ExceptionHandler

logger = logging.getLogger(__name__)

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
    503: "unavailable",
}


class ApiError(Exception):
    """Raise from anywhere in a request to answer with a clear JSON error."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": code, "message": message}
    if fields:
        body["fields"] = fields
    return body


def _field_name(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def describe_validation_error(exc: RequestValidationError) -> tuple[str, dict[str, str]]:
    fields: dict[str, str] = {}
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            return "The request body is not valid JSON.", {}
        name = _field_name(tuple(error.get("loc", ())))
        fields.setdefault(name, str(error.get("msg", "invalid value")))
    summary = "; ".join(f"{name}: {message}" for name, message in fields.items())
    return f"Invalid request: {summary}", fields


# Paths that always answer JSON, also in a service with HTML error pages (the site).
JSON_PATH_PREFIXES = ("/api/", "/internal/")

# A service's HTML answer to an error on one of its pages: the site's error pages.
ErrorPage = Callable[[Request, ApiError], Awaitable[Response]]


def _validation_error(exc: Exception) -> ApiError:
    assert isinstance(exc, RequestValidationError)
    message, fields = describe_validation_error(exc)
    return ApiError(422, "invalid_request", message, fields=fields)


def _http_error(exc: Exception) -> ApiError:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return ApiError(exc.status_code, code, message, headers=dict(exc.headers or {}) or None)


def _database_unavailable(exc: Exception) -> ApiError:
    logger.warning("database unavailable", extra={"error": type(exc).__name__})
    return ApiError(
        503,
        "unavailable",
        "The service is briefly unavailable; please try again.",
        headers={"Retry-After": "5"},
    )


def _unexpected_error(exc: Exception) -> ApiError:
    logger.error("unhandled error", exc_info=exc)
    return ApiError(500, "internal_error", "Something went wrong on our side.")


def _as_is(exc: Exception) -> ApiError:
    assert isinstance(exc, ApiError)
    return exc


_ERRORS: dict[type[Exception], Callable[[Exception], ApiError]] = {
    ApiError: _as_is,
    RequestValidationError: _validation_error,
    StarletteHTTPException: _http_error,
    # Lost connection, server gone, pool exhausted: the database, not the request, is at fault.
    OperationalError: _database_unavailable,
    SqlTimeoutError: _database_unavailable,
    Exception: _unexpected_error,
}


def install_error_handlers(app: FastAPI, error_page: ErrorPage | None = None) -> None:
    """Every error as the shared JSON body. With `error_page`, a request outside
    JSON_PATH_PREFIXES (a page) gets that instead, with the same status and error."""

    def handler(to_error: Callable[[Exception], ApiError]) -> ExceptionHandler:
        async def handle(request: Request, exc: Exception) -> Response:
            error = to_error(exc)
            if error_page is not None and not request.url.path.startswith(JSON_PATH_PREFIXES):
                return await error_page(request, error)
            body = error_body(error.code, error.message, error.fields)
            return JSONResponse(body, error.status_code, headers=error.headers)

        return handle

    for exception_type, to_error in _ERRORS.items():
        app.add_exception_handler(exception_type, handler(to_error))
