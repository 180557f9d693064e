"""Parent side of 08-when-things-go-wrong: bring back what happened in a child.

- ``unwrap`` turns a tagged outcome, ``("ok", value)`` or ``("error", traceback text)`` as put
  by ``helpers.tasks.failures.report_outcome``, back into the value, or raises ``ChildError``
  carrying the child's traceback.
- ``relayed_logs`` hands children a queue for their log records (see
  ``helpers.tasks.failures.log_to_queue``) and prints the records in the cell that started
  them, instead of leaving children to print into the kernel's streams.
- ``poll_or_eof`` is ``Connection.poll`` that behaves the same on Windows once every writer
  of a pipe is gone.
"""

from __future__ import annotations

import logging
import queue
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from typing import Any, TextIO

_FRAME_LINE = re.compile(r'^\s*File ".*", line \d+, in (\S+)\s*$')


class ChildTraceback(Exception):
    """The traceback text of a child; shown as the cause of a ``ChildError``."""

    def __str__(self) -> str:
        return "\n" + str(self.args[0]) if self.args else ""


class ChildError(RuntimeError):
    """A child's task raised; ``child_traceback`` holds the traceback text the child sent."""

    def __init__(self, summary: str, child_traceback: str) -> None:
        super().__init__(summary, child_traceback)  # both in args, so the error pickles too
        self.child_traceback = child_traceback

    def __str__(self) -> str:
        return str(self.args[0])


def _check_positive(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")


def last_line(traceback_text: str) -> str:
    """The last non-blank line of a traceback: the exception's type and message."""
    if not isinstance(traceback_text, str):
        raise TypeError(f"traceback_text must be a str, not {type(traceback_text).__name__}")
    lines = [line for line in traceback_text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def frame_names(traceback_text: str) -> list[str]:
    """The function names of a traceback's frames, outermost first (file paths left out)."""
    if not isinstance(traceback_text, str):
        raise TypeError(f"traceback_text must be a str, not {type(traceback_text).__name__}")
    return [m.group(1) for m in map(_FRAME_LINE.match, traceback_text.splitlines()) if m]


def poll_or_eof(conn: Any, timeout: float = 0.0) -> bool:
    """``conn.poll(timeout)``: True when ``recv()`` will not wait, a message or the end of file.

    Once every writing end of a pipe is closed, ``poll()`` returns True on Linux and macOS,
    and ``recv()`` then raises ``EOFError``. On Windows ``poll()`` raises ``BrokenPipeError``
    instead (CPython issue 85180), so that counts as True here too: ``recv()`` then raises
    ``EOFError`` there as well.
    """
    try:
        return conn.poll(timeout)
    except BrokenPipeError:
        return True


def unwrap(outcome: Any) -> Any:
    """Return the value of ``("ok", value)``; for ``("error", text)`` raise ``ChildError``.

    The ``ChildError`` says which exception the child raised; its ``child_traceback`` (also
    shown as the error's cause) is the child's full traceback text.
    """
    if not (isinstance(outcome, tuple) and len(outcome) == 2 and outcome[0] in ("ok", "error")):
        raise ValueError(
            f"outcome must be ('ok', value) or ('error', traceback text), not {outcome!r:.80}"
        )
    tag, payload = outcome
    if tag == "ok":
        return payload
    if not isinstance(payload, str):
        raise TypeError(
            "outcome: an 'error' outcome carries traceback text (str), "
            f"not {type(payload).__name__}"
        )
    summary = last_line(payload) or "an error without a traceback"
    raise ChildError(f"the child raised {summary}", payload) from ChildTraceback(payload)


def drain(items: Any, *, quiet: float = 0.2, timeout: float = 10.0) -> list:
    """Take everything from a queue: stop once nothing arrives for ``quiet`` seconds.

    ``timeout`` bounds the whole call, in case producers never stop. Call it after the
    producers have exited (joined): then everything they put is already on its way.
    """
    if not hasattr(items, "get"):
        raise TypeError(f"items must be a queue (with a get method), not {type(items).__name__}")
    _check_positive("quiet", quiet)
    _check_positive("timeout", timeout)
    deadline = time.monotonic() + timeout
    taken = []
    while time.monotonic() < deadline:
        try:
            taken.append(items.get(timeout=min(quiet, max(0.0, deadline - time.monotonic()))))
        except queue.Empty:
            break
    return taken


def format_record(record: logging.LogRecord) -> str:
    """One line per record: the child's process name, the level, the message."""
    if not isinstance(record, logging.LogRecord):
        raise TypeError(f"record must be a logging.LogRecord, not {type(record).__name__}")
    return f"[{record.processName}] {record.levelname}: {record.getMessage()}"


@contextmanager
def relayed_logs(
    ctx: BaseContext, *, quiet: float = 0.2, timeout: float = 10.0, file: TextIO | None = None
) -> Iterator[Any]:
    """Yield a queue for children's log records; on leaving the block, print what arrived.

    Start children with ``helpers.tasks.failures.log_to_queue(log_queue, task, *args)`` and
    join them inside the block. The lines are printed grouped by process name (sorted), each
    child's lines in the order it logged them, so the output does not depend on timing.
    """
    if not isinstance(ctx, BaseContext):
        raise TypeError(
            f"ctx must be a multiprocessing context (from get_context()), not {type(ctx).__name__}"
        )
    _check_positive("quiet", quiet)
    _check_positive("timeout", timeout)
    log_queue = ctx.Queue()
    try:
        yield log_queue
    finally:
        records = drain(log_queue, quiet=quiet, timeout=timeout)
        log_queue.close()
        log_queue.join_thread()
        for record in sorted(records, key=lambda r: getattr(r, "processName", "")):
            print(format_record(record), file=file)
