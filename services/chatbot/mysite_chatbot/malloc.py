"""glibc malloc tuning for a replica, done from inside the process so that it holds however
the server is started (`python -m mysite_chatbot serve`, the image, ECS).

Kiwi (partly: it also has a mimalloc of its own), the encoder and numpy allocate through
glibc's malloc. By default glibc gives threads that allocate at once arenas of their own
(up to 8 per core), each keeping what it freed, and the heap keeps what the engine's build
freed. Two arenas and one `malloc_trim(0)` once the engine is ready: a replica measured
402 MB instead of 405 when ready after a warm start and no difference after load (413 and
412 MB): glibc then holds only 2-4 MB it does not use. (A cold start saved 20 MB more while
it unpacked the encoder in the replica's own process; a child process does that now,
embeddings.py.) Figures: docs/performance.md (chatbot, **Memory**).

On a libc other than glibc (musl, macOS) both functions do nothing and return False.
"""

import ctypes
import os
from functools import cache

# mallopt's parameter number for the arena limit (malloc.h: M_ARENA_MAX -8).
M_ARENA_MAX = -8


@cache
def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None)  # the process's own symbols, the C library's among them
    except (OSError, TypeError):
        return None
    if not all(hasattr(libc, name) for name in ("gnu_get_libc_version", "mallopt", "malloc_trim")):
        return None
    libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    libc.mallopt.restype = ctypes.c_int
    libc.malloc_trim.argtypes = [ctypes.c_size_t]
    libc.malloc_trim.restype = ctypes.c_int
    return libc


def limit_arenas(count: int = 2) -> bool:
    """At most `count` malloc arenas from now on; call it before threads start (an arena
    already made stays). MALLOC_ARENA_MAX in the environment, if set, wins. True if set."""
    libc = _glibc()
    if libc is None or "MALLOC_ARENA_MAX" in os.environ:
        return False
    return bool(libc.mallopt(M_ARENA_MAX, count))


def release_free_memory() -> bool:
    """Hands the free memory of every arena back to the kernel (`malloc_trim(0)`). True if
    it ran (glibc), whether or not there was anything to give back."""
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
