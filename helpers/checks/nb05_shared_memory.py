"""Checks for the exercises of 05-shared-memory: a child that computes straight into a
segment, a 16 MB result with no pickling, and cleaning up after a child that died."""

from __future__ import annotations

import mmap
import sys
from multiprocessing.shared_memory import SharedMemory
from typing import Any

import numpy as np

from helpers.checks.session import Exercise, Fail, Session, short
from helpers.exercises import children

SQUARES_N = 1000

VIEW_HINT = (
    "Drop (del) every numpy view of shm.buf before shm.close(); np.frombuffer refuses "
    "to let the segment close while a view is alive."
)


def _is_shared_view(array: np.ndarray) -> bool:
    """Whether ``array`` points into a shared segment's memory (without touching its data)."""
    base: Any = array
    while isinstance(base, np.ndarray):
        base = base.base
    # From 3.14 a pickled array (protocol 5 is the default) unpickles onto a memoryview too, of a
    # bytearray; only a view whose memory is an mmap is a segment's.
    while isinstance(base, memoryview):
        base = base.obj
    return isinstance(base, mmap.mmap)


def segment_exists(name: str) -> bool:
    """Whether a segment called ``name`` can still be attached to."""
    try:
        shm = SharedMemory(name=name)
    except (FileNotFoundError, ValueError, OSError):
        return False
    shm.close()
    return True


def _describe_difference(name: str, got: Any, expected: Any) -> str:
    """What differs between two arrays: the shape, or how many elements and where, first."""
    if got.shape != expected.shape or got.dtype != expected.dtype:
        return (
            f"{name} returned an array of shape {got.shape}, dtype {got.dtype}; expected "
            f"shape {expected.shape}, dtype {expected.dtype} ({expected.size:,} square roots)."
        )
    wrong = np.flatnonzero(got != expected)
    first = int(wrong[0])
    if not got.any():
        return f"{name} returned {got.size:,} zeros: the child never filled the array."
    if first + wrong.size == got.size and not got[first:].any():
        return (
            f"{name} returned the first {first:,} square roots right, and then "
            f"{wrong.size:,} zeros from index {first:,} to the end: the last {wrong.size:,} of "
            f"the {got.size:,} elements were never filled."
        )
    return (
        f"{wrong.size:,} of the {got.size:,} elements differ, the first at index {first:,}: "
        f"{got[first]!r} where the square root of {first:,} is {expected[first]!r}."
    )


def check_fill(answer: Any, s: Session) -> str:
    shm = SharedMemory(create=True, size=SQUARES_N * 8)
    s.owned_segments.append(shm.name)
    try:
        record = s.start(answer, shm.name, SQUARES_N)
        alive = s.join([record], s.deadline)
        s.children_failures(
            [record],
            {
                "BufferError": VIEW_HINT,
                "ValueError": "The segment holds n float64 numbers: n * 8 bytes. "
                "Wrap exactly those: "
                "np.ndarray((n,), dtype=np.float64, buffer=shm.buf).",
            },
        )
        if alive:
            raise Fail(
                f"the child was still running after {s.deadline:g} s.",
                "Attach, fill the array, drop the view, close: nothing in it should wait.",
            )
        if not segment_exists(shm.name):
            raise Fail(
                "the segment was gone after the child had exited: the child unlinked it.",
                "Only the segment's owner unlinks it, here the parent, which created it. "
                "The child closes its own handle, and that is all.",
            )
        view = np.frombuffer(shm.buf, dtype=np.float64, count=SQUARES_N)
        got = view.copy()
        as_float32 = np.frombuffer(shm.buf, dtype=np.float32, count=SQUARES_N).copy()
        del view
    finally:
        shm.close()
    expected = np.arange(SQUARES_N, dtype=np.float64) ** 2
    if not np.array_equal(got, expected):
        if np.array_equal(as_float32, expected.astype(np.float32)):
            raise Fail(
                "the segment holds float32 numbers; the parent reads float64.",
                "Both sides must agree on the layout: dtype=np.float64 (8 bytes each).",
            )
        if not got.any():
            raise Fail(
                "the segment still holds only zeros after the child ran.",
                "Write the squares into the array that wraps shm.buf: view[:] = ... "
                "(assigning view = ... only rebinds the name).",
            )
        raise Fail(
            f"the segment holds {got[:4].tolist()} ...; expected the squares "
            f"{expected[:4].tolist()} ...",
            "Fill element i with i * i: np.arange(n, dtype=np.float64) ** 2.",
        )
    return (
        f"the child wrote {SQUARES_N} squares straight into the parent's segment, "
        "closed its handle and left the unlinking to the owner."
    )


BIG_N = 2_000_000  # 16 MB of float64


def check_big(answer: Any, s: Session) -> str:
    name = "big_result"
    with s.watch_segments() as segments:
        outcome = s.call(answer, s.ctx, BIG_N, deadline=max(s.deadline, 20.0))
    hints = {
        "BufferError": VIEW_HINT,
        "ValueError": "The segment must hold n float64 numbers: size=n * 8 bytes.",
        "TypeError": "The segment must hold n float64 numbers: size=n * 8 bytes.",
    }
    s.problems(outcome, name, child_hints=hints, error_hints=hints)
    got = outcome.value
    outcome.value = None
    if not isinstance(got, np.ndarray):
        raise Fail(
            f"{name} returned {short(got)}, not a numpy array.",
            "Return a numpy array of the n results.",
        )
    if _is_shared_view(got):
        del got
        raise Fail(
            f"{name} returned a view of the shared memory, not an array of its own.",
            "Once the segment is closed and unlinked, that view points at memory that is "
            "gone (reading it can crash Python). Return view.copy(), then close and unlink.",
        )
    if not segments:
        pickled = (
            " It made a pipe or a queue: the array went through pickle."
            if (s.ctx._connections or s.ctx._queues)
            else ""
        )
        raise Fail(
            f"{name} used no shared-memory segment.{pickled}",
            "Create SharedMemory(create=True, size=n * 8) in the parent, pass its name to "
            "the child, and let the child compute straight into it.",
        )
    expected = np.sqrt(np.arange(BIG_N, dtype=np.float64))
    if got.shape != expected.shape or not np.array_equal(got, expected):
        raise Fail(
            _describe_difference(name, got, expected),
            "The child fills element i with the square root of i: "
            "np.sqrt(np.arange(n, dtype=np.float64)).",
        )
    left = [seg for seg in segments.values() if not seg.unlinked and segment_exists(seg.name)]
    if left:
        raise Fail(
            f"{len(left)} segment(s) of {left[0].size:,} bytes were never unlinked.",
            "A segment outlives every handle that closed it. Call shm.unlink() exactly "
            "once, in its owner (the parent), after shm.close().",
        )
    s.require_tidy(outcome, name)
    return (
        f"{BIG_N:,} float64 (16 MB) came back through one segment, with no pickling, and "
        "the segment was unlinked."
    )


CLEANUP_HINT = (
    "You chose the segment's name, so you can clean up: attach with "
    "SharedMemory(name=name), close() and unlink(). The child may also have died "
    "before creating it, so catch FileNotFoundError."
)

ACK_HINT = (
    'Pass the child one end of a Pipe, args=(name, n, child_end): the child sends "ready" '
    'and keeps its handle open until you answer. Wait for "ready" with poll(timeout), attach '
    'with SharedMemory(name=name), then send any reply (e.g. "attached") and join.'
)

PORTABILITY_NOTE = (
    " One thing to fix for Windows: you attached only after the child had closed its handle. "
    "That works on Linux and macOS, where the segment stays until it is unlinked, but on "
    "Windows a segment disappears with its last handle. " + ACK_HINT
)


def _segment_name(outcome: Any) -> str | None:
    for record in outcome.children:
        if record.args and isinstance(record.args[0], str):
            return record.args[0]
    return None


def _passes_a_connection(outcome: Any) -> bool:
    """Whether the child got a third argument it can report on and wait on (a Pipe end)."""
    for record in outcome.children:
        if len(record.args) >= 3 and all(
            hasattr(record.args[2], attr) for attr in ("send", "recv", "poll")
        ):
            return True
    return False


def check_cleanup(answer: Any, s: Session) -> str:
    name = "result_or_cleanup"
    n = 1000
    scenarios = [
        (children.make_result, "a child that succeeds"),
        (children.crash_after_create, "a child that died after creating the segment"),
        (children.crash_before_create, "a child that died before creating it"),
    ]
    acknowledged = True
    for target, who in scenarios:
        outcome = s.call(answer, s.ctx, target, n)
        segment = _segment_name(outcome)
        if segment is not None:
            s.owned_segments.append(segment)
        ok = target is children.make_result
        if ok and outcome.children and not _passes_a_connection(outcome):
            # A child that closes before the parent attaches: fine on POSIX, where the segment
            # lasts until unlinked; on Windows it is gone with the child's last handle.
            acknowledged = False
            if sys.platform == "win32":
                raise Fail(
                    f"with {who}, {name} attached only after the child had closed its "
                    "segment: on Windows a segment disappears with its last handle.",
                    ACK_HINT,
                )
        s.problems(
            outcome,
            name,
            check_children=ok,
            error_expected=not ok,
            stuck_hints={"join": "The child waits for your answer before it closes: " + ACK_HINT},
        )
        if not outcome.children:
            raise Fail(
                f"with {who}, {name} started no child.",
                "Start target(name, n, child_end) in a child process.",
            )
        if segment is None:
            raise Fail(
                f"{name} did not pass a segment name to the child.",
                "Start the child with args=(name, n, child_end), name being one you chose.",
            )
        if ok:
            got = outcome.value
            outcome.value = None
            if not isinstance(got, np.ndarray):
                raise Fail(
                    f"with {who}, {name} returned {short(got)}, not a numpy array.",
                    "Attach to the segment, copy the n float64 numbers out, return the copy.",
                )
            if _is_shared_view(got):
                del got
                raise Fail(
                    f"{name} returned a view of the shared memory, not an array of its own.",
                    "Return view.copy(); the segment is closed and unlinked afterwards.",
                )
            if not np.array_equal(got, np.arange(n, dtype=np.float64)):
                raise Fail(
                    f"with {who}, {name} returned {short(got)}; the child wrote 0.0, "
                    "1.0, 2.0, ... (float64).",
                    "Read n float64 numbers: np.ndarray((n,), np.float64, shm.buf).copy().",
                )
        else:
            error = outcome.error
            if error is None:
                raise Fail(
                    f"with {who}, {name} returned {short(outcome.value)} instead of raising.",
                    "When the child's exit code is not 0, raise ChildFailed.",
                )
            if isinstance(error, FileNotFoundError):
                raise Fail(f"with {who}, {name} raised FileNotFoundError.", CLEANUP_HINT)
            if type(error).__name__ != "ChildFailed":
                raise Fail(
                    f"with {who}, {name} raised {type(error).__name__}.",
                    "Raise ChildFailed (from helpers) when the child's exit code is not 0.",
                )
        if segment_exists(segment):
            if ok:
                raise Fail(
                    f"with {who}, the segment was still there after {name} returned.",
                    "After copying the result out, close() and unlink() the segment.",
                )
            raise Fail(f"with {who}, the segment was left behind.", CLEANUP_HINT)
        s.require_tidy(outcome, name)
    return (
        "it returned the result and unlinked the segment, and after each crash it raised "
        "ChildFailed and left no segment behind." + ("" if acknowledged else PORTABILITY_NOTE)
    )


EXERCISES = [
    Exercise(
        "5.1",
        "Compute straight into a segment",
        "fill_squares",
        ("exercise_05_1.fill_squares",),
        check_fill,
    ),
    Exercise(
        "5.2",
        "Return 16 MB without pickling",
        "big_result",
        ("exercise_05_2.compute_into", "big_result"),
        check_big,
    ),
    Exercise(
        "5.3",
        "Clean up after a child that died",
        "result_or_cleanup",
        ("result_or_cleanup",),
        check_cleanup,
    ),
]
