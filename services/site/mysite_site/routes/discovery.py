"""What crawlers and link previews fetch: /robots.txt, /sitemap.xml, and the photo as a
1200x630 preview image."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from mysite_site import photos, seo
from mysite_site.deps import DatabaseDep, Photos, Profiles, Settings

router = APIRouter(include_in_schema=False)

# Crawlers come back often; an hour keeps them cheap and an edit visible the same day.
_CRAWLER_CACHE = "public, max-age=3600"


@router.get("/robots.txt")
async def robots(settings: Settings) -> Response:
    return Response(
        seo.robots_txt(settings), media_type="text/plain", headers={"Cache-Control": _CRAWLER_CACHE}
    )


@router.get("/sitemap.xml")
async def sitemap(settings: Settings, profiles: Profiles) -> Response:
    try:
        published_at = (await profiles.current()).published_at
    except Exception:
        published_at = None  # the addresses do not depend on the profile; only lastmod does
    return Response(
        seo.sitemap_xml(settings, published_at),
        media_type="application/xml",
        headers={"Cache-Control": _CRAWLER_CACHE},
    )


@router.get("/api/site/photo/{digest}" + seo.SOCIAL_IMAGE_SUFFIX)
async def social_image(
    request: Request, cache: Photos, database: DatabaseDep, digest: str
) -> Response:
    """The profile photo centred on a 1200x630 card: the size link previews ask for."""
    key = digest + seo.SOCIAL_IMAGE_SUFFIX
    rendition = cache.get(key)
    if rendition is None:
        photo = await photos.read_photo(database, digest)
        body = await run_in_threadpool(seo.render_social_image, photo.data)
        width, height = seo.SOCIAL_IMAGE_SIZE
        rendition = photos.StoredPhoto(key, "image/jpeg", width, height, body)
        cache.put(rendition)
    headers = {
        # Derived from content-addressed bytes: it can never change under this address.
        "Cache-Control": "public, max-age=31536000, immutable",
        "ETag": f'"{digest[:32]}-social"',
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    return Response(rendition.data, media_type="image/jpeg", headers=headers)
