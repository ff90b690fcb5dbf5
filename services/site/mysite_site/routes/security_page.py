"""The owner's security page: two-step login (TOTP) from an authenticator app.

The page only shows the controls; its script talks to auth's /api/auth/otp/* through the
gateway, and auth draws the QR code itself (SVG), so no other server is asked for it."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from mysite_site.deps import Page
from mysite_site.page import page_response, require_page_owner
from mysite_site.routes.admin_pages import ADMIN_STRINGS

router = APIRouter(prefix="/admin", include_in_schema=False)


@router.get("/security")
def security_page(page: Page) -> HTMLResponse:
    require_page_owner(page)
    return page_response(
        page, "admin/security.html", script_strings=ADMIN_STRINGS, active="admin", tab="security"
    )
