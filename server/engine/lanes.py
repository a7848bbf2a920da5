"""The slow lane: queries known to be slow may occupy only some of the evaluators.

A query cannot be priced before it runs, and a running one cannot be pre-empted, so the evaluator pool alone
lets a storm of slow queries hold every evaluator until the time limit while cheap queries wait (measured:
cheap p99 7.3 s during a storm, against 75 ms without). The lane remembers queries that ran past
``slow_query_s`` (or hit the time limit) and runs them again only through ``slow_lane_workers`` slots per
process; when those are taken the client is told at once to come back later (503 with Retry-After) instead of
holding a web thread in a queue. The remaining evaluators stay free for everything else.

What it does not stop: a client that changes the text of a slow query each time gets one full run per
variant. Per-client rate limits belong to the reverse proxy (docs/reliability.md).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Hashable, Iterator

from server.engine.cache import LruCache
from server.errors import Overloaded
from server.engine.store import QueryJob

REMEMBERED_SLOW_QUERIES = 4096


def fingerprint(job: QueryJob) -> Hashable:
    """What makes a query slow: its text (whitespace-normalised), dataset and inference, not its media type."""
    return (" ".join(job.query.split()), job.inference, job.default_graphs, job.named_graphs)


class SlowLane:
    """Remembers slow queries and bounds how many of them run at once."""

    def __init__(self, slots: int, slow_query_s: float, retry_after_s: float) -> None:
        self.slots = slots
        self.slow_query_s = slow_query_s
        self.retry_after_s = retry_after_s
        self._known: LruCache[float] = LruCache(REMEMBERED_SLOW_QUERIES if slots > 0 else 0)
        self._free = threading.BoundedSemaphore(max(slots, 1))
        self.refused = 0

    def is_known(self, job: QueryJob) -> bool:
        return self._known.get(fingerprint(job)) is not None

    def observe(self, job: QueryJob, seconds: float, timed_out: bool) -> None:
        """Remember ``job`` if it was slow, so that its next run goes through the lane."""
        if timed_out or seconds >= self.slow_query_s:
            self._known.put(fingerprint(job), seconds, 0)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slow-lane slot for the duration, or raise ``Overloaded`` without waiting."""
        if not self._free.acquire(blocking=False):
            self.refused += 1
            raise Overloaded(
                f"this query ran slowly before and the {self.slots} slow-query slot(s) are busy "
                "(settings slow_query_s, slow_lane_workers); try again later or make the query cheaper",
                details={"reason": "slow-lane"},
                headers={"Retry-After": str(max(1, round(self.retry_after_s)))},
            )
        try:
            yield
        finally:
            self._free.release()
