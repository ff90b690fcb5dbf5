"""/static/: the site's CSS, scripts and images, from memory, with fingerprinted URLs."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mysite_common.errors import ApiError
from mysite_site.assets import IMMUTABLE
from mysite_site.deps import Assets

router = APIRouter(include_in_schema=False)


@router.get("/static/{path:path}")
async def static_file(request: Request, assets: Assets, path: str) -> Response:
    asset = assets.files.get(path)
    if asset is None:
        raise ApiError(404, "not_found", "No such file.")
    etag = f'"{asset.digest}"'
    # The URL names the content's hash (?v=...): it may be kept for a year. Without it (an
    # old link), browsers check back.
    fingerprinted = request.query_params.get("v") == asset.digest
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE if fingerprinted else "public, no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.content_type, headers=headers)
