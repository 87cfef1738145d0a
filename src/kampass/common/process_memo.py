"""Results kept in the process between requests, for computations that are pure functions of their key.

A :class:`ProcessMemo` is a bounded, thread-safe least-recently-used map. It suits figures whose key
names everything they depend on (data stamps, the inputs themselves or a digest of them), so that a
changed input is a new key and never a stale hit; it is not for figures that read the database behind
the key's back. Each gunicorn worker process has its own memo; nothing is shared or written to disk.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")

_every: weakref.WeakSet[ProcessMemo[object]] = weakref.WeakSet()


def clear_all() -> None:
    """Empty every memo of the process (the tests do so between tests, whose rows are rolled back)."""
    for memo in list(_every):
        memo.clear()


class ProcessMemo(Generic[T]):
    """At most ``size`` results by key, the least recently used dropped first.

    >>> memo: ProcessMemo[int] = ProcessMemo(size=2)
    >>> calls = []
    >>> memo.get_or_compute("a", lambda: calls.append("a") or 1), memo.get_or_compute("a", lambda: 99)
    (1, 1)
    >>> _ = memo.get_or_compute("b", lambda: 2); _ = memo.get_or_compute("c", lambda: 3)
    >>> "a" in memo, "c" in memo, calls
    (False, True, ['a'])
    """

    def __init__(self, *, size: int) -> None:
        if size < 1:
            raise ValueError("size must be positive")
        self.size = size
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()
        _every.add(self)  # type: ignore[arg-type]

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result kept for ``key``, else ``compute()`` (outside the lock: two threads asking for a
        new key at once may both compute it; the results are equal, the later one is kept)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def for_request(self, key: Hashable, compute: Callable[[], T]) -> T:
        """:meth:`get_or_compute`, looked up once per page request (:mod:`kampass.common.request_memo`): a
        page that asks for the same figure from several places takes the lock once."""
        from kampass.common.request_memo import memoised

        return memoised(("process_memo", id(self), key), lambda: self.get_or_compute(key, compute))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
