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
    """Wraps a synchronized ``Value``: same ``.value``, ``get_lock()``, ``with``; slow reads.

    Given ``writes`` (a shared array, one slot per child) and its ``slot``, it also counts the
    writes to ``.value`` made through it, so a check can tell updates that were lost from work
    that was never done."""

    def __init__(self, value: Any, writes: Any = None, slot: int = 0) -> None:
        self._shared = value
        self._writes = writes
        self._slot = slot

    @property
    def value(self) -> Any:
        current = self._shared.value
        time.sleep(READ_PAUSE_S)
        return current

    @value.setter
    def value(self, new: Any) -> None:
        self._shared.value = new
        if self._writes is not None:
            self._writes[self._slot] += 1  # this child's slot alone: no other writer

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
    """A dict whose lookups take a moment; served by ``CheckManager`` as a ``SlowDictProxy``.

    It counts the writes to each key (``counts[key] = ...``), which its proxy's ``writes()``
    returns, so a check can tell updates that were lost from words never counted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writes: dict[Any, int] = {}

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self._writes[key] = self._writes.get(key, 0) + 1

    def writes(self) -> dict[Any, int]:
        return dict(self._writes)

    def __getitem__(self, key: Any) -> Any:
        found = super().__getitem__(key)
        time.sleep(READ_PAUSE_S)
        return found

    def get(self, key: Any, default: Any = None) -> Any:
        found = super().get(key, default)
        time.sleep(READ_PAUSE_S)
        return found


class SlowDictProxy(DictProxy):
    """A dict's proxy, plus the SlowDict's ``writes()``."""

    _exposed_ = (*DictProxy._exposed_, "writes")

    def writes(self) -> dict[Any, int]:
        return self._callmethod("writes")


class CheckManager(SyncManager):
    """A SyncManager that can also serve a ``SlowDict``: ``CheckManager(ctx=ctx).SlowDict()``."""


CheckManager.register("SlowDict", SlowDict, SlowDictProxy)
