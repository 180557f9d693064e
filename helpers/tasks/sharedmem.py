"""Child-side code for notebook 05: results handed back through shared memory.

Children stay silent: they write into memory the parent can see (a ``sharedctypes`` object,
a ``SharedMemory`` segment, a ``ShareableList``) or send back the *name* of a segment they made,
and the parent prints. Every process that attaches to a segment closes its own handle; exactly
one process unlinks it. A few parent-side helpers (``shared_array``, ``segment_state``,
``tracker_warning``) live here too, so the notebook and the tests use the same code.

numpy is imported inside the functions that use it, so the children (and the separate
programs) that don't need it start without paying for it.
"""

from __future__ import annotations

import os
import random
import re
import struct
import sys
import time
from collections.abc import MutableSequence
from multiprocessing import resource_tracker
from multiprocessing.connection import Connection
from multiprocessing.shared_memory import ShareableList, SharedMemory
from typing import TYPE_CHECKING, Any, Protocol

from helpers.scripts import run_python

if TYPE_CHECKING:
    import numpy as np

WAIT_S = 30.0
"""How long a child waits for its parent's next instruction before giving up."""

_TRACKER_WARNING = re.compile(
    r"resource_tracker: There appear to be \d+ leaked \w+ objects to clean up at shutdown"
)


class HasValue(Protocol):
    """Anything with a ``.value``: a ``RawValue``, or the wrapper ``Value`` returns."""

    value: Any


class LockedValue(HasValue, Protocol):
    """A synchronized ``Value``: it has ``.value`` and ``get_lock()``."""

    def get_lock(self) -> Any: ...


# --- small building blocks -------------------------------------------------------------------


def draw(seed: int) -> float:
    """Return the first random number in [0, 1) of a generator seeded with ``seed``."""
    return random.Random(seed).random()


def expected_result(n: int) -> np.ndarray:
    """The array every numpy child in this notebook computes: square roots of 0 .. n-1."""
    import numpy as np

    return np.sqrt(np.arange(n, dtype=np.float64))


def shared_array(shm: SharedMemory, shape: tuple[int, ...], dtype: str = "float64") -> np.ndarray:
    """Return a numpy view of ``shm`` (no copy) that keeps the segment's buffer pinned.

    ``np.frombuffer`` holds an export of the buffer, so ``shm.close()`` raises ``BufferError``
    while this view (or any view of it) is alive, instead of unmapping memory under it.
    """
    import numpy as np

    count = int(np.prod(shape))
    return np.frombuffer(shm.buf, dtype=dtype, count=count).reshape(shape)


def segment_state(name: str) -> str:
    """Say whether a segment named ``name`` exists: "present" or "absent", on every platform.

    It opens the segment read-only and closes it at once, with the calls ``SharedMemory``
    itself makes underneath (private modules), because attaching a ``SharedMemory`` would
    register the name with this process's resource tracker before Python 3.13.
    """
    name = name.lstrip("/")
    try:
        if os.name == "nt":
            import _winapi

            handle = _winapi.OpenFileMapping(_winapi.FILE_MAP_READ, False, name)
            _winapi.CloseHandle(handle)
        else:
            import _posixshmem

            os.close(_posixshmem.shm_open("/" + name, os.O_RDONLY, mode=0o600))
    except FileNotFoundError:
        return "absent"
    return "present"


def tracker_warning(stderr: str) -> str:
    """Return the resource tracker's leak report found in ``stderr`` (without the names), or ""."""
    found = _TRACKER_WARNING.search(stderr)
    return found.group(0) if found else ""


# --- sharedctypes -----------------------------------------------------------------------------


def store_draw(out: HasValue, seed: int) -> None:
    """Store a seeded draw in ``out.value`` (a ``RawValue`` or a ``Value``)."""
    out.value = draw(seed)


def store_draw_in_slot(results: MutableSequence[float], index: int, seed: int) -> None:
    """Store a seeded draw in ``results[index]``: one slot per child, so no lock is needed."""
    results[index] = draw(seed)


def add_draw(total: LockedValue, count: LockedValue, seed: int) -> None:
    """Add a seeded draw to ``total`` and 1 to ``count``, both under ``total``'s lock.

    The two updates belong together, so the parent gives both values the same lock. Reading
    or writing ``.value`` takes that lock again inside the ``with``, so it must be an RLock.
    """
    x = draw(seed)
    with total.get_lock():
        total.value += x
        count.value += 1


# --- multiprocessing.shared_memory -----------------------------------------------------------


def store_draw_in_segment(name: str, seed: int) -> None:
    """Attach to the segment ``name``, write a seeded draw as a C double at offset 0, close."""
    shm = SharedMemory(name=name)
    struct.pack_into("d", shm.buf, 0, draw(seed))
    shm.close()


def store_draw_in_list(list_name: str, index: int, seed: int) -> None:
    """Attach to the ``ShareableList`` ``list_name``, store a seeded draw at ``index``, close."""
    results = ShareableList(name=list_name)
    results[index] = draw(seed)
    results.shm.close()


def fill_in_place(name: str, n: int) -> None:
    """Attach to the parent's segment ``name`` and compute the result straight into it."""
    import numpy as np

    shm = SharedMemory(name=name)
    view = shared_array(shm, (n,))
    np.sqrt(np.arange(n, dtype=np.float64), out=view)
    del view  # release the view before closing, or close() raises BufferError
    shm.close()


def wait_for_ack(conn: Connection, timeout: float = WAIT_S) -> bool:
    """Wait up to ``timeout`` s for one message on ``conn`` (the parent's "attached").

    Returns False if none came in time or the other end hung up (``recv()`` raises
    ``EOFError``; on Windows ``poll()`` may raise ``BrokenPipeError`` first, CPython issue
    85180).
    """
    try:
        if conn.poll(timeout):
            conn.recv()
            return True
    except (EOFError, OSError):
        pass
    return False


def create_and_send(conn: Connection, n: int, timeout: float = WAIT_S) -> None:
    """Create a segment, compute the result into it, send (name, shape, dtype); no unlink.

    The child keeps its handle until the parent says it has attached (bounded by ``timeout``):
    on Windows a segment disappears with its last handle, so closing first could lose it.
    Whoever receives the name owns the segment from then on and must unlink it.
    """
    import numpy as np

    shm = SharedMemory(create=True, size=n * 8)
    try:
        view = shared_array(shm, (n,))
        np.sqrt(np.arange(n, dtype=np.float64), out=view)
        del view
        conn.send((shm.name, (n,), "float64"))
        wait_for_ack(conn, timeout)  # until the parent holds a handle of its own
    finally:
        shm.close()  # the child's handle goes; the segment stays, since nobody unlinked it
        conn.close()


def create_then_die(conn: Connection, name: str, size: int) -> None:
    """Create the segment ``name`` and start writing, then die before reporting on ``conn``."""
    shm = SharedMemory(name=name, create=True, size=size)
    shm.buf[0] = 1
    os._exit(3)  # no cleanup and no report, as if the child crashed here
    conn.send("done")  # never reached


def hand_over(conn: Connection, name: str, n: int) -> None:
    """Serve timed hand-overs of an n-element result until told "stop" (or left waiting).

    For each mode the parent sends, compute the result, note the time, and hand it over:
    "pickle" sends the whole array through ``conn``; "copy" copies it into the shared segment
    ``name``; "in place" has computed it straight into the segment. Then reply with the time
    at which the result was ready, so the parent can time the hand-over alone.
    """
    import numpy as np

    shm = SharedMemory(name=name)
    view = shared_array(shm, (n,))
    local = np.empty(n)
    try:
        while conn.poll(WAIT_S):
            mode = conn.recv()
            if mode == "stop":
                break
            if mode == "in place":
                np.sqrt(np.arange(n, dtype=np.float64), out=view)
                conn.send(time.time())
            elif mode == "copy":
                np.sqrt(np.arange(n, dtype=np.float64), out=local)
                ready = time.time()
                np.copyto(view, local)
                conn.send(ready)
            elif mode == "pickle":
                np.sqrt(np.arange(n, dtype=np.float64), out=local)
                conn.send((time.time(), local))
            else:
                raise ValueError(f"unknown mode {mode!r}")
    finally:
        del view
        shm.close()
        conn.close()


# --- another program, with its own resource tracker ------------------------------------------

READER_CODE = """\
import sys
from helpers.tasks.sharedmem import attach_and_read
print(attach_and_read(sys.argv[1], int(sys.argv[2]), untracked=sys.argv[3] == "untracked"))
"""
"""What the separate reading program runs (``python -c READER_CODE NAME SIZE MODE``)."""


def attach_and_read(name: str, size: int, untracked: bool = False) -> str:
    """Attach to ``name`` as an unrelated program would, read ``size`` bytes as text, close.

    With ``untracked=True`` this program's resource tracker is kept out of it: by
    ``track=False`` on Python 3.13+, by unregistering the name right after attaching before.
    (Do this only in a program of your own; a multiprocessing child shares its parent's tracker.)
    """
    if untracked and sys.version_info >= (3, 13):
        shm = SharedMemory(name=name, track=False)
    else:
        shm = SharedMemory(name=name)
        if untracked:
            resource_tracker.unregister(shm._name, "shared_memory")  # what track=False does
    text = bytes(shm.buf[:size]).decode()
    shm.close()
    return text


def owner_and_reader(untracked: bool, timeout: float = 30.0) -> list[str]:
    """Create a segment, let a separate Python program read it, and report what became of it.

    Meant to run as the main code of a fresh interpreter (the "owner" program). Returns
    lines describing what the reader read, what its stderr said and whether the segment
    survived the reader's exit; the owner then closes and tries to unlink.
    """
    shm = SharedMemory(create=True, size=16)
    shm.buf[:5] = b"hello"
    mode = "untracked" if untracked else "tracked"
    reader = run_python(READER_CODE, timeout=timeout, args=[shm.name, "5", mode])
    report = [
        f"the reader read: {reader.stdout.strip()!r}",
        "the reader's stderr: "
        + (tracker_warning(reader.stderr) or reader.stderr.strip() or "empty"),
        f"the segment after the reader exited: {segment_state(shm.name)}",
    ]
    shm.close()
    try:
        shm.unlink()
        report.append("the owner's unlink(): done")
    except FileNotFoundError:
        report.append("the owner's unlink(): FileNotFoundError (someone else removed it)")
    return report
