"""Waiting in tests for something another thread or process does ("within seconds" is the
contract; how long it took is a benchmark's business, not a test's)."""

import time
from collections.abc import Callable


def eventually(check: Callable[[], bool], timeout: float = 15.0, interval: float = 0.05) -> bool:
    """Polls `check` until it holds or `timeout` seconds pass; the last answer of `check`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return check()
