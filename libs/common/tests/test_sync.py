"""ReplicaSync: reload only on a new version, keep the last good copy through failures, log an
outage once, stop cleanly."""

import logging
import threading
import time

import pytest

from mysite_common.sync import ReplicaSync
from mysite_testing.waiting import eventually


class Source:
    """A version that tests change, and a record of what was reloaded."""

    def __init__(self) -> None:
        self.version = 1
        self.failing: Exception | None = None
        self.reload_failing = False
        self.checks = 0
        self.reloaded: list[int] = []

    def check(self) -> int:
        self.checks += 1
        if self.failing is not None:
            raise self.failing
        return self.version

    def reload(self, version: int) -> None:
        if self.reload_failing:
            raise ValueError("cannot load this version")
        self.reloaded.append(version)


def syncer(source: Source, interval: float = 0.01) -> ReplicaSync[int]:
    return ReplicaSync("test", interval_seconds=interval, check=source.check, reload=source.reload)


def test_reloads_only_when_the_version_changes() -> None:
    source = Source()
    sync = syncer(source)
    assert sync.sync_now() is True
    assert sync.sync_now() is False
    assert sync.sync_now() is False
    source.version = 2
    assert sync.sync_now() is True
    assert source.reloaded == [1, 2]
    assert sync.version == 2
    assert sync.attempted.is_set()


def test_a_failed_reload_is_retried_at_the_next_poll() -> None:
    source = Source()
    sync = syncer(source)
    source.reload_failing = True
    assert sync.sync_now() is False
    assert sync.version is None
    assert sync.error == "cannot load this version"
    assert sync.attempted.is_set()  # readiness does not wait for the outage to end
    source.reload_failing = False
    assert sync.sync_now() is True
    assert sync.error is None
    assert source.reloaded == [1]


def test_forget_version_reloads_the_same_version_again() -> None:
    source = Source()
    sync = syncer(source)
    sync.sync_now()
    sync.forget_version()
    assert sync.sync_now() is True
    assert source.reloaded == [1, 1]


def test_an_outage_is_logged_once_and_its_end_once(caplog: pytest.LogCaptureFixture) -> None:
    source = Source()
    sync = syncer(source)
    sync.sync_now()
    source.failing = ConnectionError("the database is away")
    with caplog.at_level(logging.INFO, logger="mysite_common.sync"):
        for _ in range(20):
            assert sync.sync_now() is False
        source.failing = None
        sync.sync_now()
        sync.sync_now()
    messages = [record.getMessage() for record in caplog.records]
    assert messages == [
        "test: cannot sync, keeping the last good copy: the database is away",
        "test: in sync again",
    ]
    assert source.reloaded == [1]  # the outage kept the last good copy


def test_the_background_thread_follows_changes_and_stops() -> None:
    source = Source()
    sync = syncer(source)
    sync.start()
    try:
        assert sync.attempted.wait(5)
        source.version = 7
        assert eventually(lambda: source.reloaded == [1, 7])
    finally:
        sync.stop()
    checks = source.checks
    time.sleep(0.1)
    assert source.checks == checks  # stopped: no more polls
    assert not any(thread.name == "sync-test" for thread in threading.enumerate())


def test_wake_polls_before_the_interval_is_over() -> None:
    source = Source()
    sync = syncer(source, interval=60)
    sync.start()
    try:
        assert sync.attempted.wait(5)
        source.version = 2
        sync.wake()
        assert eventually(lambda: source.reloaded == [1, 2], timeout=2)
    finally:
        sync.stop()


def test_the_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        ReplicaSync("x", interval_seconds=0, check=lambda: 1, reload=lambda _v: None)


def test_a_start_after_stop_starts_nothing() -> None:
    source = Source()
    sync = syncer(source)
    sync.stop()
    sync.start()
    time.sleep(0.05)
    assert source.checks == 0
    assert not any(thread.name == "sync-test" for thread in threading.enumerate())
