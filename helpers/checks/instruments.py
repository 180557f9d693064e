"""Look-alikes the checks hand to a learner's child code so that a race shows up every time.

A missing lock loses updates only when two processes happen to interleave between a read and
a write. These objects behave like the real ones but pause briefly on every read, which makes
that interleaving (and so the lost updates) near certain when nothing holds a lock, and changes
nothing when something does. They run in children and in manager processes, so this module is
small and imports only the standard library.
"""

from __future__ import annotations

import time
from multiprocessing.managers import DictProxy, SyncManager
from typing import Any

READ_PAUSE_S = 0.001


class SlowCounter:
    """Wraps a synchronized ``Value``: same ``.value``, ``get_lock()``, ``with``; slow reads."""

    def __init__(self, value: Any) -> None:
        self._shared = value

    @property
    def value(self) -> Any:
        current = self._shared.value
        time.sleep(READ_PAUSE_S)
        return current

    @value.setter
    def value(self, new: Any) -> None:
        self._shared.value = new

    def get_lock(self) -> Any:
        return self._shared.get_lock()

    def get_obj(self) -> Any:
        return self._shared.get_obj()

    def acquire(self, *args: Any, **kwargs: Any) -> bool:
        return self._shared.acquire(*args, **kwargs)

    def release(self) -> None:
        self._shared.release()

    def __enter__(self) -> bool:
        return self._shared.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._shared.__exit__(*exc)

    def __repr__(self) -> str:
        return f"<a shared int Value that reads slowly: {self._shared.get_obj().value}>"


class SlowDict(dict):
    """A dict whose lookups take a moment; served by ``CheckManager`` as a ``DictProxy``."""

    def __getitem__(self, key: Any) -> Any:
        found = super().__getitem__(key)
        time.sleep(READ_PAUSE_S)
        return found

    def get(self, key: Any, default: Any = None) -> Any:
        found = super().get(key, default)
        time.sleep(READ_PAUSE_S)
        return found


class CheckManager(SyncManager):
    """A SyncManager that can also serve a ``SlowDict``: ``CheckManager(ctx=ctx).SlowDict()``."""


CheckManager.register("SlowDict", SlowDict, DictProxy)
