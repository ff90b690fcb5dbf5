"""The version probe: shared reads under load, never a read older than the request."""

import asyncio
import contextlib
import threading
import time

from mysite_site.freshness import FreshnessProbe


class SlowCounter:
    """A stand-in for the database: each read takes a while and sees the value at its start."""

    def __init__(self) -> None:
        self.value = 1
        self.reads = 0
        self.lock = threading.Lock()

    def read(self) -> int:
        with self.lock:
            self.reads += 1
            seen = self.value
        time.sleep(0.05)
        return seen


def test_concurrent_requests_share_reads() -> None:
    counter = SlowCounter()
    probe = FreshnessProbe(counter.read)

    async def main() -> list[int]:
        return await asyncio.gather(*(probe.current() for _ in range(50)))

    assert asyncio.run(main()) == [1] * 50
    # The first caller starts a read; the 49 that arrive after it began share the next one.
    assert counter.reads == 2


def test_a_request_that_arrives_during_a_read_waits_for_a_newer_one() -> None:
    counter = SlowCounter()
    probe = FreshnessProbe(counter.read)

    async def main() -> tuple[int, int]:
        first = asyncio.ensure_future(probe.current())
        await asyncio.sleep(0.01)  # the first read is under way and has seen 1
        counter.value = 2  # an edit commits now
        second = await probe.current()  # arrived after the edit: must see it
        return await first, second

    assert asyncio.run(main()) == (1, 2)
    assert counter.reads == 2


def test_a_failed_read_fails_its_waiters_and_the_next_call_reads_again() -> None:
    calls = {"count": 0}

    def flaky() -> int:
        calls["count"] += 1
        if calls["count"] == 1:
            raise RuntimeError("database down")
        return 7

    probe = FreshnessProbe(flaky)

    async def main() -> int:
        with contextlib.suppress(RuntimeError):
            await probe.current()
        return await probe.current()

    assert asyncio.run(main()) == 7
