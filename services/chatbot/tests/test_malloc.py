"""The replica's glibc malloc tuning (mysite_chatbot.malloc): it runs on glibc, and on any
other C library it does nothing rather than fail."""

import platform
import types

import pytest

from mysite_chatbot import malloc

ON_GLIBC = platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not ON_GLIBC, reason="glibc only")
def test_on_glibc_the_arena_limit_is_set_and_free_memory_given_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert malloc.limit_arenas(2) is True
    assert malloc.release_free_memory() is True


def test_an_arena_limit_given_in_the_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert malloc.limit_arenas(2) is False


def test_a_c_library_without_glibc_malloc_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    # musl or macOS: the process's symbols have no gnu_get_libc_version, mallopt, malloc_trim.
    monkeypatch.setattr(malloc.ctypes, "CDLL", lambda _name: types.SimpleNamespace())
    assert malloc._glibc.__wrapped__() is None
    monkeypatch.setattr(malloc, "_glibc", lambda: None)
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert malloc.limit_arenas(2) is False
    assert malloc.release_free_memory() is False


def test_no_c_library_to_open_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_name: object) -> None:
        raise OSError("no such library")

    monkeypatch.setattr(malloc.ctypes, "CDLL", refuse)
    assert malloc._glibc.__wrapped__() is None
