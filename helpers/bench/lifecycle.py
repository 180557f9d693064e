"""Parent-side bookkeeping: every child, segment, manager and pool is released, even on Ctrl-C.

Each measurement opens what it needs with the context managers here, inside ``with`` blocks,
so an exception or a ``KeyboardInterrupt`` anywhere still terminates the children, unlinks the
segments, and shuts the managers and pools down.
"""

from __future__ import annotations

import os
import secrets
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing import resource_tracker
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.managers import SyncManager
from multiprocessing.process import BaseProcess
from multiprocessing.shared_memory import SharedMemory
from typing import Any

from helpers.bench.child_common import leave_signals_to_parent
from helpers.bench.child_start import do_nothing

TIMEOUT_S = 120.0
"""The longest any single wait may take (a 1 GB array through a Manager takes seconds)."""

GRACE_S = 5.0
"""How long a child told to stop may take to exit before it is terminated."""


class BenchTimeout(TimeoutError):
    """A child did not answer within ``TIMEOUT_S``."""


class ChildGone(RuntimeError):
    """A child closed its end of the connection: it died before answering."""


def wait_reply(conn: Connection, what: str, timeout: float = TIMEOUT_S) -> Any:
    """Receive the next message on ``conn`` within ``timeout`` seconds, or raise BenchTimeout
    (or ChildGone, when the child died)."""
    if not conn.poll(timeout):
        raise BenchTimeout(f"no reply from the {what} child within {timeout:g} s")
    try:
        return conn.recv()
    except (EOFError, ConnectionResetError):
        raise ChildGone(f"the {what} child died before answering") from None


@contextmanager
def sigint_blocked() -> Iterator[None]:
    """Hold back Ctrl-C while starting children, so that they start with it blocked.

    Ctrl-C in a terminal reaches every process of the group. A child that gets it while still
    starting (before ``leave_signals_to_parent`` runs) would die with a traceback. Processes
    inherit a blocked signal (through fork and exec), and this process gets its Ctrl-C, if
    any, as soon as the block ends. A no-op where signals cannot be blocked (Windows).
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def stop_process(process: BaseProcess, grace: float = GRACE_S) -> None:
    """Join ``process`` within ``grace`` seconds, else terminate it, else kill it."""
    if process.pid is None:
        return  # never started
    process.join(grace)
    if process.exitcode is None:
        process.terminate()
        process.join(GRACE_S)
    if process.exitcode is None:
        process.kill()
        process.join(GRACE_S)


@contextmanager
def running(ctx: BaseContext, target: Any, *args: Any) -> Iterator[BaseProcess]:
    """Start a daemon child running ``target(*args)``; on leaving, make sure it is gone.

    Leaving normally gives the child ``GRACE_S`` to finish (tell it to stop first); leaving by
    an exception (Ctrl-C included) terminates it at once.
    """
    process = ctx.Process(target=target, args=args, daemon=True)
    grace = 0.0
    try:
        with sigint_blocked():
            process.start()
        yield process
        grace = GRACE_S
    finally:
        stop_process(process, grace)


@contextmanager
def manager(ctx: BaseContext) -> Iterator[SyncManager]:
    """A started ``SyncManager`` whose server ignores Ctrl-C; always shut down afterwards."""
    mgr = SyncManager(ctx=ctx)
    try:
        with sigint_blocked():
            mgr.start(leave_signals_to_parent)
        yield mgr
    finally:
        if hasattr(mgr, "shutdown"):
            mgr.shutdown()
        elif getattr(mgr, "_process", None) is not None:  # interrupted while starting
            stop_process(mgr._process, 0.0)


def ensure_resource_tracker() -> None:
    """Start this process's resource tracker now (Ctrl-C held back), if it is not running.

    Children then share it: a forked child finding none would start its own, which would
    report the segments the parent unlinked as leaked when the child exits.
    """
    with sigint_blocked():
        resource_tracker.ensure_running()


@contextmanager
def pool(ctx: BaseContext) -> Iterator[Any]:
    """A one-worker ``Pool`` whose worker ignores Ctrl-C; terminated and joined afterwards."""
    with sigint_blocked():
        workers = ctx.Pool(1, initializer=leave_signals_to_parent)
    try:
        yield workers
    finally:
        workers.terminate()
        workers.join()


@contextmanager
def executor(ctx: BaseContext) -> Iterator[Any]:
    """A one-worker ``ProcessPoolExecutor`` whose worker ignores Ctrl-C; shut down afterwards."""
    from concurrent.futures import ProcessPoolExecutor

    workers = ProcessPoolExecutor(
        max_workers=1, mp_context=ctx, initializer=leave_signals_to_parent
    )
    try:
        with sigint_blocked():  # the executor starts its worker on the first submit
            workers.submit(do_nothing).result(timeout=TIMEOUT_S)
        yield workers
    finally:
        workers.shutdown(wait=True, cancel_futures=True)


def unlink_by_name(name: str) -> bool:
    """Remove the segment ``name`` if it exists; True if it did."""
    try:
        shm = SharedMemory(name=name)
    except FileNotFoundError:
        return False
    except ValueError:
        # Size 0: its creator was killed between creating and sizing it, so it cannot be
        # mapped (nor was it registered with the resource tracker). Remove the name directly.
        import _posixshmem

        _posixshmem.shm_unlink(f"/{name}")
        return True
    shm.close()
    shm.unlink()
    return True


def segment_prefix(pid: int | None = None) -> str:
    """How the names of the segments made by the benchmark run in process ``pid`` begin."""
    return f"psm_bench_{os.getpid() if pid is None else pid}_"


class Segments:
    """Names of the shared-memory segments a measurement may create, to unlink them all at the end.

    A name is recorded *before* anyone creates the segment, so one created by a child that was
    then killed is still found.
    """

    def __init__(self) -> None:
        self.names: set[str] = set()

    def new_name(self) -> str:
        """A fresh name, now on the list: ``psm_bench_<pid>_<hex>``.

        ``psm_`` is the prefix Python gives its own segments; the pid of the process running
        the benchmark lets anyone tell which run made a segment (26 characters at most, within
        macOS's limit of 31).
        """
        name = f"{segment_prefix()}{secrets.token_hex(4)}"
        while name in self.names:
            name = f"{segment_prefix()}{secrets.token_hex(4)}"
        self.names.add(name)
        return name

    def create(self, size: int) -> SharedMemory:
        """Create a segment of ``size`` bytes, on the list."""
        return SharedMemory(name=self.new_name(), create=True, size=size)

    def release(self, shm: SharedMemory) -> None:
        """Close and unlink ``shm`` (drop every numpy view of it first) and strike it off."""
        shm.close()
        shm.unlink()
        self.names.discard(shm.name.lstrip("/"))

    def unlink_all(self) -> None:
        """Remove whatever segment on the list still exists (all of them, even if one fails)."""
        failed = []
        for name in sorted(self.names):
            try:
                unlink_by_name(name)
            except OSError as exc:
                failed.append(f"{name}: {exc}")
        self.names.clear()
        if failed:
            raise OSError("could not remove shared-memory segments: " + "; ".join(failed))


@contextmanager
def segments() -> Iterator[Segments]:
    """A ``Segments`` list whose remaining segments are unlinked on leaving."""
    made = Segments()
    try:
        yield made
    finally:
        made.unlink_all()
