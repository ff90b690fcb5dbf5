"""Writes the question log from a background thread, in small batches, so a visitor's
answer never waits on a database write (SQLite serialises writers; MariaDB can be slow
for a moment). If the database is away or the queue is full, log rows are dropped with a
warning: the answer matters more than its record."""

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from mysite_chatbot.answering import ChatReply
from mysite_chatbot.models import QuestionLog
from mysite_common.db import Database, utcnow

logger = logging.getLogger(__name__)

MAX_QUEUED = 10_000
MAX_BATCH = 200
PURGE_EVERY_SECONDS = 3600.0


@dataclass(frozen=True)
class LoggedQuestion:
    question: str
    reply: ChatReply
    latency_ms: float
    asked_at: datetime

    def row(self) -> QuestionLog:
        return QuestionLog(
            question=self.question,
            answer=self.reply.answer,
            answered=self.reply.answered,
            confidence=round(self.reply.confidence, 4),
            language=self.reply.language,
            latency_ms=round(self.latency_ms, 2),
            mode=self.reply.mode,
            fallback_reason=self.reply.fallback_reason,
            sources_json=json.dumps(self.reply.sources, ensure_ascii=False),
            asked_at=self.asked_at,
        )


class QuestionLogWriter:
    def __init__(self, database: Database, *, keep_days: int) -> None:
        self._database = database
        # Visitors' questions can hold personal details: they are kept only this long.
        self._keep_days = keep_days
        self._last_purge = 0.0
        self._queue: queue.Queue[LoggedQuestion | None] = queue.Queue(MAX_QUEUED)
        self._thread: threading.Thread | None = None
        self._dropped = 0

    def record(self, question: str, reply: ChatReply, latency_ms: float) -> None:
        try:
            self._queue.put_nowait(LoggedQuestion(question, reply, latency_ms, utcnow()))
        except queue.Full:
            self._dropped += 1
            if self._dropped % 1000 == 1:
                logger.warning(
                    "question log queue full; dropping", extra={"dropped": self._dropped}
                )

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until everything recorded so far is written (tests, shutdown)."""
        pending = self._queue
        with pending.all_tasks_done:
            pending.all_tasks_done.wait_for(lambda: pending.unfinished_tasks == 0, timeout)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="chatbot-question-log", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            self._purge_if_due()
            try:
                first = self._queue.get(timeout=60)
            except queue.Empty:
                continue
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            items = [item for item in batch if item is not None]
            try:
                if items:
                    self._write(items)
            finally:
                for _ in batch:
                    self._queue.task_done()
            if len(items) != len(batch):
                return  # stop() was called; everything before it is written

    def _write(self, items: list[LoggedQuestion]) -> None:
        try:
            with self._database.session() as session:
                session.add_all([item.row() for item in items])
        except Exception as exc:
            logger.warning(
                "could not write the question log; dropping rows",
                extra={"rows": len(items), "error": type(exc).__name__},
            )

    def _purge_if_due(self) -> None:
        if time.monotonic() - self._last_purge < PURGE_EVERY_SECONDS and self._last_purge:
            return
        self._last_purge = time.monotonic()
        self.purge()

    def purge(self) -> int:
        """Deletes questions older than the retention period; every replica may do it."""
        cutoff = utcnow() - timedelta(days=self._keep_days)
        try:
            with self._database.session() as session:
                result = session.execute(delete(QuestionLog).where(QuestionLog.asked_at < cutoff))
                deleted = int(getattr(result, "rowcount", 0) or 0)
        except Exception as exc:
            logger.warning("could not purge the question log", extra={"error": type(exc).__name__})
            return 0
        if deleted:
            logger.info("old questions deleted", extra={"rows": deleted})
        return deleted
