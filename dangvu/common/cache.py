"""The default Django cache: files under ``DANGVU_HOME/cache``, shared by every server process.

Django's file cache writes each entry atomically, but its ``add`` and ``incr`` read and then write,
so two worker processes counting at the same moment could lose a count (the duplicate-check budget
in :mod:`dangvu.accounts.throttle`), and its ``incr`` gives the entry the default 5-minute timeout,
so a day's budget would start over 5 minutes after the last check. Here both run under one
exclusive lock file and ``incr`` keeps the entry's expiry. The cache stays
outside the database on purpose: a count must survive the rollback of the request that spent it.
"""

from __future__ import annotations

import os
import pickle
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks

LOCK_NAME = ".lock"  # not a *.djcache file, so clear() and culling leave it alone


class SharedFileCache(FileBasedCache):
    """FileBasedCache whose read-then-write operations are atomic across processes."""

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self._createdir()
        with open(os.path.join(self._dir, LOCK_NAME), "ab") as handle:
            locks.lock(handle, locks.LOCK_EX)
            try:
                yield
            finally:
                locks.unlock(handle)

    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        with self._locked():
            return super().add(key, value, timeout, version)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        # decr() is incr(-delta), so it is covered too.
        with self._locked():
            try:
                with open(self._key_to_file(key, version), "rb") as f:
                    expiry = pickle.load(f)
                    value = pickle.loads(zlib.decompress(f.read()))
            except (FileNotFoundError, EOFError):
                expiry, value = 0, None
            left = None if expiry is None else expiry - time.time()
            if left is not None and left <= 0:
                raise ValueError(f"Key '{key}' not found")
            value += delta
            self.set(key, value, timeout=left, version=version)  # written aside, then renamed
            return value
