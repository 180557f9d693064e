"""Exercise 5.3's check and the Windows rule "attach before the child closes its handle".

The taught answer hands the child a Pipe end and acknowledges once it has attached. An answer
written before that (join, then attach) still passes on Linux and macOS, where a segment lasts
until unlinked, but the check names the missing acknowledgement as what would break on Windows.
"""

from __future__ import annotations

import sys

import pytest

from helpers.checks import evaluate
from tests.checks_support import define, notebooks_with_exercises, setup_namespace
from tests.checks_wrong_answers import CHECK_LIMIT_S

JOIN_THEN_ATTACH = """
def result_or_cleanup(ctx, target, n):
    name = f"ex05_{{os.getpid()}}_" + secrets.token_hex(4)
    child = ctx.Process(target=target, args=(name, n))
    child.start()
    child.join(timeout=20)
    if child.exitcode != 0:
        {on_failure}
    shm = SharedMemory(name=name)
    view = np.ndarray((n,), dtype=np.float64, buffer=shm.buf)
    result = view.copy()
    del view
    shm.close()
    shm.unlink()
    return result
""".format(
    on_failure="try:\n"
    "            leftover = SharedMemory(name=name)\n"
    "        except FileNotFoundError:\n"
    "            pass\n"
    "        else:\n"
    "            leftover.close()\n"
    "            leftover.unlink()\n"
    '        raise ChildFailed("the child failed")'
)

NO_ANSWER = """
def result_or_cleanup(ctx, target, n):
    name = f"ex05_{os.getpid()}_" + secrets.token_hex(4)
    here, there = ctx.Pipe()
    child = ctx.Process(target=target, args=(name, n, there))
    child.start()
    there.close()
    child.join(timeout=20)
    here.close()
    raise ChildFailed("never reached: the check stops the join first")
"""


def answer(source):
    notebook = next(p for p in notebooks_with_exercises() if p.name.startswith("05"))
    namespace = setup_namespace(notebook)
    define(source, namespace)
    return namespace["result_or_cleanup"]


@pytest.mark.skipif(sys.platform == "win32", reason="on Windows the segment is gone: it fails")
def test_join_then_attach_passes_on_posix_and_is_told_about_windows():
    feedback = evaluate("5.3", answer(JOIN_THEN_ATTACH), method="spawn", timeout=CHECK_LIMIT_S)
    assert feedback.status == "passed", str(feedback)
    assert "One thing to fix for Windows" in feedback.saw
    assert "args=(name, n, child_end)" in feedback.saw


def test_a_parent_that_never_acknowledges_is_told_the_child_waits_for_it():
    feedback = evaluate("5.3", answer(NO_ANSWER), method="spawn", timeout=3)
    assert feedback.status == "failed", str(feedback)
    assert "The child waits for your answer before it closes" in feedback.hint


def test_an_array_that_differs_is_described_by_what_differs_and_where():
    import numpy as np

    from helpers.checks.nb05_shared_memory import _describe_difference

    expected = np.sqrt(np.arange(10, dtype=np.float64))
    half = expected.copy()
    half[6:] = 0.0
    assert _describe_difference("big_result", half, expected) == (
        "big_result returned the first 6 square roots right, and then 4 zeros from index 6 to "
        "the end: the last 4 of the 10 elements were never filled."
    )
    off = expected.copy()
    off[[3, 7]] += 1.0
    assert _describe_difference("big_result", off, expected) == (
        f"2 of the 10 elements differ, the first at index 3: {off[3]!r} where the square root "
        f"of 3 is {expected[3]!r}."
    )
    assert _describe_difference("big_result", np.zeros(10), expected) == (
        "big_result returned 10 zeros: the child never filled the array."
    )
    assert "shape (5,), dtype float64; expected shape (10,)" in _describe_difference(
        "big_result", expected[:5], expected
    )
