"""The site's HTML error pages, on top of the shared error handling (mysite_common.errors):
an error on a page gets a page in the visitor's language with the same status; /api/ and
/internal/ answer the shared JSON. A page that needs a logged-in visitor redirects to /login."""

import logging

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from mysite_common.errors import ApiError
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


async def page_for_error(request: Request, error: ApiError) -> Response:
    """The page for an error the shared handlers turned into `error` (mysite_common.errors
    calls it for every request outside /api/ and /internal/)."""
    # A malformed query or form on a page is the visitor's address, not an API call: 400.
    status_code = 400 if error.code == "invalid_request" else error.status_code
    try:
        message = None
        if error.code == "csrf_token_invalid":
            message = i18n.translator((await page_context(request)).language)("error.csrf")
        response = await error_page(request, status_code, message=message)
    except Exception:  # the error page itself failed: answer plainly
        logger.exception("error page failed")
        return HTMLResponse(f"<h1>{status_code}</h1>", status_code=status_code)
    response.headers.update(error.headers or {})
    return response


async def _login_required(request: Request, _exc: Exception) -> Response:
    page = await page_context(request)
    return redirect(page.login_url(), status_code=302)


def install_login_redirect(app: FastAPI) -> None:
    app.add_exception_handler(LoginRequiredError, _login_required)
