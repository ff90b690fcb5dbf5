"""Keeping a replica's in-memory copy in step with shared state: one background poller.

Several replicas of a service each keep something in memory that lives elsewhere (auth's
revoked sessions in its `revocations` table; the chatbot's knowledge, the site's document).
Each follows it the same way: every `interval_seconds` a cheap `check()` says which version
is current, and `reload(version)` runs only when that differs from the version loaded last.

- A failing `check()` or `reload()` keeps what the replica has (the last good copy) and is
  tried again at the next poll; the outage is logged once when it starts and once when it
  ends, not at every poll.
- A `reload()` that fails leaves the loaded version unchanged, so the next poll retries it.
- `sync_now()` polls at once on the caller's thread (after this replica changed the state
  itself, say); `wake()` asks the background thread to poll early.
- `attempted` is set once the first poll has finished, whatever its outcome: readiness can
  wait on it without waiting for an outage to end.

The site uses it when SITE_SYNC_SECONDS is above 0; by default it reads the version for
each request instead, because a page must never be older than an edit that committed before
its request arrived, which a background poll cannot promise (see mysite_site/freshness.py
and docs/architecture.md, "Between services").
"""

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

Version = TypeVar("Version")

_UNSET: object = object()


class ReplicaSync(Generic[Version]):
    def __init__(
        self,
        name: str,
        *,
        interval_seconds: float,
        check: Callable[[], Version],
        reload: Callable[[Version], None],
    ) -> None:
        if interval_seconds <= 0:
            raise ValueError("the sync interval must be positive")
        self.name = name
        self.interval_seconds = interval_seconds
        self._check = check
        self._reload = reload
        self._version: object = _UNSET
        self.error: str | None = None
        self.attempted = threading.Event()
        # One poll at a time: the background thread and a caller of sync_now().
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def version(self) -> Version | None:
        """The version loaded last, None before the first successful reload."""
        version = self._version
        return None if version is _UNSET else version  # type: ignore[return-value]

    def forget_version(self) -> None:
        """The next poll reloads even if the version did not change."""
        self._version = _UNSET

    def sync_now(self) -> bool:
        """Polls once on this thread; True if a new version was loaded. Never raises."""
        with self._lock:
            try:
                version = self._check()
                changed = version != self._version
                if changed:
                    self._reload(version)
                    self._version = version
            except Exception as exc:
                self._note_error(exc)
                return False
            finally:
                self.attempted.set()
        self._note_error(None)
        return changed

    def _note_error(self, exc: Exception | None) -> None:
        error = None if exc is None else (str(exc) or type(exc).__name__)
        if error is not None and self.error is None:
            logger.warning("%s: cannot sync, keeping the last good copy: %s", self.name, error)
            logger.debug("%s: the sync error", self.name, exc_info=exc)
        elif error is None and self.error is not None:
            logger.info("%s: in sync again", self.name)
        self.error = error

    # --- the background thread ------------------------------------------------------------

    def start(self, *, first_sync: bool = True) -> None:
        """Polls every `interval_seconds` on a thread of its own; `first_sync=False` waits an
        interval before the first poll (the caller has just polled itself). After stop(),
        does nothing: a shutdown that raced a late start leaves no thread behind."""
        with self._lock:
            if self._stopping.is_set() or self._thread is not None:
                return
            thread = threading.Thread(
                target=self._run, args=(first_sync,), name=f"sync-{self.name}", daemon=True
            )
            thread.start()
            self._thread = thread

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        with self._lock:
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self, first_sync: bool) -> None:
        if first_sync:
            self.sync_now()
        while not self._stopping.is_set():
            self._wake.wait(self.interval_seconds)
            self._wake.clear()
            if self._stopping.is_set():
                break
            self.sync_now()
