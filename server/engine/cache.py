"""A small thread-safe LRU cache of finished query results.

The dataset is read-only between snapshots, so a result depends only on the query job (query, dataset,
inference, media type, row limit); a new snapshot means a new process and an empty cache.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, Hashable, TypeVar

V = TypeVar("V")


class LruCache(Generic[V]):
    def __init__(self, capacity: int, max_entry_bytes: int = 1_000_000) -> None:
        self.capacity = capacity
        self.max_entry_bytes = max_entry_bytes
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        if self.capacity <= 0:
            return None
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: V, size: int) -> None:
        if self.capacity <= 0 or size > self.max_entry_bytes:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
