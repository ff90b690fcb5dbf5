"""The files under static/, held in memory and served with fingerprinted URLs."""

import hashlib
import mimetypes
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

# A long year: fingerprinted assets never change under the same URL.
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str
    digest: str


class StaticAssets:
    """Every file under static/, read once at start."""

    def __init__(self) -> None:
        self.files: dict[str, Asset] = {}
        root = resources.files("mysite_site").joinpath("static")
        self._load(root, "")

    def _load(self, folder: Traversable, prefix: str) -> None:
        for entry in folder.iterdir():
            name = f"{prefix}{entry.name}"
            if entry.is_dir():
                self._load(entry, name + "/")
                continue
            body = entry.read_bytes()
            content_type = mimetypes.guess_type(entry.name)[0] or "application/octet-stream"
            if content_type.startswith("text/") or content_type.endswith(("javascript", "json")):
                content_type += "; charset=utf-8"
            self.files[name] = Asset(body, content_type, hashlib.sha256(body).hexdigest()[:12])

    def url(self, path: str) -> str:
        asset = self.files[path]  # a missing asset is a template bug: fail loudly
        return f"/static/{path}?v={asset.digest}"
