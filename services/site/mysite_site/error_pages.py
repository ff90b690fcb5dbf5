"""HTML error pages for everything outside /api/ and /internal/ (which answer JSON), and the
redirect to /login of a page that needs a logged-in visitor."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from mysite_common.errors import ApiError, describe_validation_error, error_body
from mysite_site import i18n
from mysite_site.deps import page_context
from mysite_site.page import LoginRequiredError, page_response, redirect

logger = logging.getLogger(__name__)

ERROR_PAGE_STATUSES = frozenset({400, 401, 403, 404, 405, 413, 422, 429, 500, 502, 503, 504})


async def error_page(
    request: Request,
    status_code: int,
    *,
    message: str | None = None,
    login_next: str | None = None,
) -> HTMLResponse:
    page = await page_context(request)
    shown = status_code if status_code in ERROR_PAGE_STATUSES else 500
    headers = {"Cache-Control": "no-store"}
    if status_code == 429:
        headers["Retry-After"] = "60"
    return page_response(
        page,
        "error.html",
        status_code=status_code,
        headers=headers,
        status=shown,
        message=message,
        login_url=page.login_url(login_next),
    )


def _is_api(request: Request) -> bool:
    # /internal/: what other services call (the FAQ hand-over) answers JSON too.
    return request.url.path.startswith(("/api/", "/internal/"))


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    if _is_api(request):
        body = error_body(exc.code, exc.message, exc.fields)
        return JSONResponse(body, exc.status_code, headers=exc.headers)
    t = i18n.translator((await page_context(request)).language)
    message = t("error.csrf") if exc.code == "csrf_token_invalid" else None
    response = await error_page(request, exc.status_code, message=message)
    response.headers.update(exc.headers or {})
    return response


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if _is_api(request):
        message, fields = describe_validation_error(exc)
        return JSONResponse(error_body("invalid_request", message, fields), 422)
    return await error_page(request, 400)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if _is_api(request):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return JSONResponse(error_body(code, message), exc.status_code, headers=exc.headers)
    response = await error_page(request, exc.status_code)
    response.headers.update(exc.headers or {})
    return response


async def _login_required(request: Request, _exc: Exception) -> Response:
    page = await page_context(request)
    return redirect(page.login_url(), status_code=302)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    logger.error("unhandled error", exc_info=exc)
    if _is_api(request):
        return JSONResponse(error_body("internal_error", "Something went wrong on our side."), 500)
    try:
        return await error_page(request, 500)
    except Exception:  # the error page itself failed: answer plainly
        logger.exception("error page failed")
        return HTMLResponse("<h1>500</h1>", status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """JSON errors under /api/ (the shared shape), the site's own pages everywhere else."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(LoginRequiredError, _login_required)
    app.add_exception_handler(Exception, _unexpected_error)
