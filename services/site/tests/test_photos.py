"""The profile photo: checked by content, re-encoded without metadata, stored in the database,
served with a content address; bad uploads get a clear message and store nothing."""

import io
from typing import Any

import pytest
from PIL import Image
from site_support import Browser, image_bytes

from mysite_site.photos import MAX_PIXELS


def upload(
    owner: Browser, data: bytes, name: str = "me.jpg", content_type: str = "image/jpeg"
) -> Any:
    return owner.send("POST", "/api/site/photo", files={"photo": (name, data, content_type)})


@pytest.mark.parametrize(
    ("image_format", "content_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")],
)
def test_upload_each_accepted_format(
    owner: Browser, anonymous: Browser, image_format: str, content_type: str
) -> None:
    response = upload(
        owner, image_bytes(image_format), name="photo.bin", content_type="application/octet-stream"
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["content_type"] == content_type
    assert body["url"].startswith("/api/site/photo/")
    served = anonymous.get(body["url"])
    assert served.status_code == 200
    assert served.headers["Content-Type"] == content_type
    assert "immutable" in served.headers["Cache-Control"]
    assert Image.open(io.BytesIO(served.content)).format == image_format
    # The photo is published at once: in the API and on the page.
    assert anonymous.get("/api/site/profile").json()["basics"]["image"] == body["url"]
    assert f'src="{body["url"]}"' in anonymous.get("/").text


def test_metadata_is_stripped_and_large_photos_are_shrunk(
    owner: Browser, anonymous: Browser
) -> None:
    image = Image.new("RGB", (2400, 1600), (10, 20, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (37.0, 33.0, 0.0)}  # a GPS position
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif.tobytes())
    assert b"SecretCam" in output.getvalue()
    response = upload(owner, output.getvalue())
    assert response.status_code == 201
    stored = anonymous.get(response.json()["url"]).content
    assert b"SecretCam" not in stored
    reopened = Image.open(io.BytesIO(stored))
    assert not reopened.getexif()
    assert max(reopened.size) == 1024


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"", "empty.jpg"),
        (b"<script>alert(1)</script>", "photo.jpg"),
        (b"GIF89a" + b"\x00" * 100, "photo.png"),
        (image_bytes("GIF"), "photo.gif"),
        (image_bytes("BMP"), "photo.jpg"),
        (image_bytes("JPEG")[:200], "truncated.jpg"),
        (image_bytes("PNG")[:-30], "truncated.png"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "broken.png"),
    ],
)
def test_bad_images_are_refused_and_store_nothing(
    owner: Browser, anonymous: Browser, minimal_resume: dict[str, Any], data: bytes, name: str
) -> None:
    owner.send("PUT", "/api/site/profile", json=minimal_resume)
    response = upload(owner, data, name=name)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid_image"
    assert response.json()["message"]
    assert "image" not in anonymous.get("/api/site/profile").json()["basics"]


def test_a_decompression_bomb_is_refused(owner: Browser) -> None:
    side = int(MAX_PIXELS**0.5) + 200
    bomb = Image.new("1", (side, side))  # tiny on disk, enormous decoded
    output = io.BytesIO()
    bomb.save(output, "PNG", optimize=True)
    assert len(output.getvalue()) < 2 * 1024 * 1024
    response = upload(owner, output.getvalue(), name="bomb.png")
    assert response.status_code == 422


def test_more_than_two_megabytes_is_refused(owner: Browser) -> None:
    # A valid image with trailing bytes: just over 2 MB, within the request body limit.
    data = image_bytes("PNG") + b"\x00" * (2 * 1024 * 1024)
    response = upload(owner, data, name="big.png")
    assert response.status_code == 413
    assert "2 MB" in response.json()["message"]
    # Far larger: refused by the body limit before it is even read.
    huge = upload(owner, b"\x00" * (3 * 1024 * 1024), name="huge.png")
    assert huge.status_code == 413


def test_only_the_owner_may_upload(member: Browser, anonymous: Browser) -> None:
    assert upload(member, image_bytes("JPEG")).status_code == 403
    assert upload(anonymous, image_bytes("JPEG")).status_code == 401


def test_a_new_photo_replaces_the_old_one_and_removal_works(
    owner: Browser, anonymous: Browser
) -> None:
    first = upload(owner, image_bytes("JPEG", (40, 40))).json()["url"]
    second = upload(owner, image_bytes("PNG", (50, 50))).json()["url"]
    assert first != second
    assert anonymous.get("/api/site/profile").json()["basics"]["image"] == second
    # The old one is gone from the database (a replica may still hold it in memory).
    fresh_digest_check = anonymous.get(first)
    assert fresh_digest_check.status_code in (200, 404)
    removed = owner.send("DELETE", "/api/site/photo")
    assert removed.status_code == 200
    assert "image" not in anonymous.get("/api/site/profile").json()["basics"]


def test_unknown_photos_are_404(anonymous: Browser) -> None:
    assert anonymous.get("/api/site/photo/" + "0" * 64).status_code == 404
    assert anonymous.get("/api/site/photo/not-a-digest").status_code == 404


def test_the_draft_keeps_the_new_photo(owner: Browser, minimal_resume: dict[str, Any]) -> None:
    owner.send("PUT", "/api/site/profile", json=minimal_resume)
    owner.send("PUT", "/api/site/admin/draft", json={**minimal_resume, "x": 1})
    url = upload(owner, image_bytes("JPEG")).json()["url"]
    assert owner.get("/api/site/admin/draft").json()["resume"]["basics"]["image"] == url
