"""Child code for 08-when-things-go-wrong: children that fail, hang, log, or clean up.

Children here stay silent. A child that must fail loudly first points its stderr at
``os.devnull`` (``silence_stderr``), so no traceback lands in the notebook's kernel; the
parent learns what happened from exit codes, from tagged outcomes, or from relayed logs.
"""

from __future__ import annotations

import logging
import logging.handlers
import mmap
import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


def silence_stderr() -> None:
    """Send this process's stderr (the Python stream and file descriptor 2) to ``os.devnull``."""
    devnull = open(os.devnull, "w")  # stays open as long as the process
    os.dup2(devnull.fileno(), 2)
    sys.stderr = devnull


def raise_quietly(message: str) -> None:
    """Raise ``ValueError(message)`` without a handler, after silencing stderr: exit code 1."""
    silence_stderr()
    raise ValueError(message)


def parse_positive(text: str) -> float:
    """Return ``float(text)``, or raise ``ValueError`` if it is not a positive number."""
    value = float(text)
    if not value > 0:
        raise ValueError(f"expected a positive number, got {value}")
    return value


def report_outcome(results: Any, task: Callable[..., Any], *args: Any) -> None:
    """Run ``task(*args)``; put ``("ok", value)`` or ``("error", traceback text)`` on ``results``.

    The traceback travels as a string: a string always pickles, and it keeps the child's
    file names and line numbers, which a pickled exception loses.
    """
    try:
        outcome = ("ok", task(*args))
    except Exception:
        outcome = ("error", traceback.format_exc())
    results.put(outcome)


def exit_with(code: int) -> None:
    """End the process at once with ``code``: no exception, no cleanup, nothing printed."""
    os._exit(code)


def exit_after(code: int, delay: float = 0.0, died_at: Any = None, conn: Any = None) -> None:
    """Wait ``delay`` seconds, note the time in ``died_at`` (a ``Value``), then end at once with
    ``code``: as sudden as a kill, no ``except``, no ``finally``, nothing sent.

    ``conn`` stands for the end of a pipe the child was to send its result through: it is
    held, never used, and closed by the operating system when the child dies.
    """
    time.sleep(delay)
    if died_at is not None:
        died_at.value = time.time()
    os._exit(code)


def allocate(nbytes: int) -> int:
    """Allocate ``nbytes`` and return how many bytes the block has."""
    block = bytearray(nbytes)
    return len(block)


def ram_and_swap() -> int:
    """Linux: the bytes of RAM plus swap, from ``/proc/meminfo`` (MemTotal + SwapTotal)."""
    sizes = {}
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            key, _, rest = line.partition(":")
            sizes[key] = int(rest.split()[0]) * 1024  # the file gives kB
    return sizes["MemTotal"] + sizes["SwapTotal"]


def reserve_untouched(sizes: list[int]) -> list[str]:
    """Ask for blocks of ``sizes`` bytes, all held at once, and never touch them.

    Each block is an anonymous private ``mmap``: the system promises the memory (or
    refuses to) but uses none of it until a page is written, and nothing here writes.
    Returns "granted" or "refused" for each request, in order; every block is unmapped
    before it returns, so whatever the answers, no memory is used.
    """
    flags = {} if os.name == "nt" else {"flags": mmap.MAP_PRIVATE}
    blocks, answers = [], []
    try:
        for size in sizes:
            try:
                blocks.append(mmap.mmap(-1, size, **flags))
                answers.append("granted")
            except (OSError, MemoryError, OverflowError):
                answers.append("refused")
    finally:
        for block in blocks:
            block.close()
    return answers


def send_then_receive(conn: Any, nbytes: int, sent: Any) -> None:
    """Send ``nbytes`` bytes, set the ``sent`` Event, receive a message, send back its length.

    If the other side also sends a big message before it receives, both wait for ever:
    each is stuck in its send, waiting for the other to read.
    """
    conn.send_bytes(bytes(nbytes))
    sent.set()
    if conn.poll(30):
        conn.send(len(conn.recv_bytes()))
    conn.close()


class TwoPartError(Exception):
    """An exception whose ``__init__`` takes two arguments: it pickles, but does not unpickle.

    Pickle rebuilds an exception by calling its class with ``self.args``, which here holds
    a single string.
    """

    def __init__(self, part: str, problem: str) -> None:
        super().__init__(f"{part}: {problem}")
        self.part, self.problem = part, problem


def check_pump(temperature: float) -> str:
    """Return ``"pump ok"``, or raise ``TwoPartError("pump", "too hot")`` above 90 degrees."""
    if temperature > 90:
        raise TwoPartError("pump", "too hot")
    return "pump ok"


def clean_readings(results: Any, readings: list[float]) -> None:
    """Drop negative readings, log what happened, and put the mean of the rest on ``results``."""
    log.info("received %d readings", len(readings))
    kept = [r for r in readings if r >= 0]
    for r in readings:
        if r < 0:
            log.warning("dropped negative reading %s", r)
    log.debug("kept %s", kept)  # below INFO: filtered out in the child
    results.put((multiprocessing.current_process().name, sum(kept) / len(kept)))
    log.info("sent the mean; readings kept: %d", len(kept))


def log_to_queue(log_queue: Any, task: Callable[..., Any], *args: Any) -> None:
    """Run ``task(*args)`` with every log record at INFO and above sent to ``log_queue``.

    The root logger's handlers are replaced, not added to: under fork the child inherits the
    parent's handlers, which would write to the parent's streams from the child.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(logging.handlers.QueueHandler(log_queue))
    root.setLevel(logging.INFO)
    try:
        task(*args)
    except Exception:
        log.exception("the task failed")


def sleep_until_interrupted(ready: Any, cleaned_up: Any, catch: bool = False) -> None:
    """Set ``ready``, then sleep (at most 30 s) until SIGINT arrives as ``KeyboardInterrupt``.

    With ``catch`` the child handles the interrupt and returns: exit code 0. Without it the
    ``KeyboardInterrupt`` propagates like any uncaught exception: exit code 1, its traceback
    silenced. Either way the ``finally`` block runs and sets ``cleaned_up``, which is what
    SIGTERM and SIGKILL would not allow.
    """
    silence_stderr()
    try:
        ready.set()
        time.sleep(30)
    except KeyboardInterrupt:
        if not catch:
            raise
    finally:
        cleaned_up.set()


def ignore_sigterm(ready: Any, stop: Any) -> None:
    """Ignore SIGTERM, set ``ready``, then wait (at most 30 s) for the ``stop`` Event."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    ready.set()
    stop.wait(30)


def start_grandchild(method: str) -> int:
    """Start a daemonic grandchild that sleeps for 30 s; return its pid without waiting for it.

    When this child exits, multiprocessing terminates its daemonic children. A child that is
    itself daemonic may not start children at all.
    """
    grandchild = multiprocessing.get_context(method).Process(
        target=time.sleep, args=(30,), daemon=True
    )
    grandchild.start()
    return grandchild.pid


def start_grandchild_then_wait(results: Any) -> None:
    """Start a daemonic grandchild, put its pid on ``results``, then wait (30 s) to be killed.

    Killed, this child runs none of its exit code, so nobody terminates the grandchild.
    The grandchild is started with spawn: a forked one would inherit every file descriptor
    of this child, among them the one behind this child's ``sentinel``, and the parent's
    ``join`` would then wait for the grandchild to end as well.
    """
    results.put(start_grandchild("spawn"))
    results.close()
    results.join_thread()  # the pid is in the pipe before anyone kills this child
    time.sleep(30)


def stdout_type(results: Any) -> None:
    """Put the type of this process's ``sys.stdout``, as ``module.Class``."""
    cls = type(sys.stdout)
    results.put(f"{cls.__module__}.{cls.__qualname__}")
