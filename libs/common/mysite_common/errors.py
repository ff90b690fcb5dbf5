"""One JSON error shape for every service: {"error": code, "message": text, "fields"?: {...}}.

Bad input always gets a 4xx with a message a person can act on; the offending input is never
echoed back (it may be huge, or a password).
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SqlTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

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


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(
        error_body(exc.code, exc.message, exc.fields), exc.status_code, headers=exc.headers
    )


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    message, fields = describe_validation_error(exc)
    return JSONResponse(error_body("invalid_request", message, fields), 422)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return JSONResponse(error_body(code, message), exc.status_code, headers=exc.headers)


async def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    logger.warning("database unavailable", extra={"error": type(exc).__name__})
    return JSONResponse(
        error_body("unavailable", "The service is briefly unavailable; please try again."),
        503,
        headers={"Retry-After": "5"},
    )


async def _unexpected_error(_request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error", exc_info=exc)
    return JSONResponse(error_body("internal_error", "Something went wrong on our side."), 500)


def install_json_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    # Lost connection, server gone, pool exhausted: the database, not the request, is at fault.
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(SqlTimeoutError, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected_error)
