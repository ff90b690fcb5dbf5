"""The profile photo: checked by content (not by name or declared type), re-encoded without
metadata (no camera GPS position leaks), and stored in the database so replicas keep no files.
"""

import hashlib
import io
import logging
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from mysite_common.db import Database
from mysite_common.errors import ApiError
from mysite_site.config import MAX_PHOTO_BYTES
from mysite_site.models import Photo
from mysite_site.profiles import photo_urls_in_use, set_photo_url
from mysite_site.resume import PHOTO_PATH_PREFIX

logger = logging.getLogger(__name__)

# Decoded size bound: a tiny file can claim an enormous canvas (a decompression bomb).
MAX_PIXELS = 40_000_000
# The page shows the photo small; this keeps it sharp on high-density screens.
MAX_SIDE = 1024

_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
NO_SUCH_PHOTO = ApiError(404, "not_found", "No such photo.")


@dataclass(frozen=True)
class StoredPhoto:
    digest: str
    content_type: str
    width: int
    height: int
    data: bytes

    @property
    def url(self) -> str:
        return photo_url(self.digest)


def photo_url(digest: str) -> str:
    return f"{PHOTO_PATH_PREFIX}{digest}"


def _bad_image(message: str) -> ApiError:
    return ApiError(422, "invalid_image", message, fields={"photo": message})


def prepare_photo(data: bytes) -> StoredPhoto:
    """Checks an upload is a JPEG, PNG or WebP image and returns it re-encoded."""
    if len(data) == 0:
        raise _bad_image("The file is empty.")
    if len(data) > MAX_PHOTO_BYTES:
        raise ApiError(
            413,
            "photo_too_large",
            "The photo is larger than 2 MB.",
            fields={"photo": "larger than 2 MB"},
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            image_format = probe.format
            width, height = probe.size
            if image_format not in _FORMATS:
                raise _bad_image("Only JPEG, PNG and WebP images are accepted.")
            if width * height > MAX_PIXELS or width < 1 or height < 1:
                raise _bad_image("The image's dimensions are too large.")
            probe.verify()  # checks structure and checksums without decoding everything
            image = Image.open(io.BytesIO(data))
            image.load()  # decodes: a truncated or corrupt file fails here
    except ApiError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:  # fmt: skip
        raise _bad_image("The file is not a readable JPEG, PNG or WebP image.") from exc
    assert image_format is not None
    return _reencode(image, image_format)


def _reencode(image: Image.Image, image_format: str) -> StoredPhoto:
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    output = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(output, "JPEG", quality=88, optimize=True, progressive=True)
    elif image_format == "PNG":
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(output, "PNG", optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(output, "WEBP", quality=88, method=4)
    encoded = output.getvalue()
    return StoredPhoto(
        digest=hashlib.sha256(encoded).hexdigest(),
        content_type=_FORMATS[image_format],
        width=image.width,
        height=image.height,
        data=encoded,
    )


def store_photo(session: Session, photo: StoredPhoto) -> int:
    """Saves the photo, points the profile at it, and forgets photos no longer used."""
    if session.scalar(select(Photo.id).where(Photo.digest == photo.digest)) is None:
        session.add(
            Photo(
                digest=photo.digest,
                content_type=photo.content_type,
                width=photo.width,
                height=photo.height,
                data=photo.data,
            )
        )
        session.flush()
    version = set_photo_url(session, photo.url)
    _forget_unused(session)
    return version


def remove_photo(session: Session) -> int:
    version = set_photo_url(session, None)
    _forget_unused(session)
    return version


def _forget_unused(session: Session) -> None:
    in_use = {
        url[len(PHOTO_PATH_PREFIX) :]
        for url in photo_urls_in_use(session)
        if url.startswith(PHOTO_PATH_PREFIX)
    }
    session.execute(delete(Photo).where(Photo.digest.not_in(in_use or {""})))
    session.commit()


def load_photo(session: Session, digest: str) -> StoredPhoto | None:
    row = session.scalar(select(Photo).where(Photo.digest == digest))
    if row is None:
        return None
    return StoredPhoto(
        digest=row.digest,
        content_type=row.content_type,
        width=row.width,
        height=row.height,
        data=row.data,
    )


async def read_photo(database: Database, digest: str) -> StoredPhoto:
    """The stored photo with this digest (read in the threadpool), or a 404: also for a
    digest that is not one (64 lowercase hex digits), without asking the database."""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise NO_SUCH_PHOTO

    def load() -> StoredPhoto | None:
        with database.session() as session:
            return load_photo(session, digest)

    photo = await run_in_threadpool(load)
    if photo is None:
        raise NO_SUCH_PHOTO
    return photo


class PhotoCache:
    """Photos by digest: content-addressed, so a cached copy is never wrong."""

    def __init__(self, max_entries: int = 8) -> None:
        self._photos: OrderedDict[str, StoredPhoto] = OrderedDict()
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def get(self, digest: str) -> StoredPhoto | None:
        with self._lock:
            photo = self._photos.get(digest)
            if photo is not None:
                self._photos.move_to_end(digest)
            return photo

    def put(self, photo: StoredPhoto) -> None:
        with self._lock:
            self._photos[photo.digest] = photo
            while len(self._photos) > self._max_entries:
                self._photos.popitem(last=False)
