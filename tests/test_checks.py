"""helpers.checks: every solution in the notebooks passes its check under every start method,
every student placeholder reads as "not attempted", and the checker itself behaves: clear
errors for bad arguments, never a traceback, never a hang, nothing left behind."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import re
import sys
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from helpers.checks import check_exercise, evaluate, exercise_ids, find_exercise
from helpers.checks.feedback import Feedback
from helpers.checks.session import Exercise, Session, placeholder_state
from helpers.context import get_context
from helpers.processes import wait_for_children
from tests.checks_support import (
    check_calls,
    define,
    exercise_too_new,
    load_exercises,
    notebooks_with_exercises,
    setup_namespace,
    start_methods_in_turn,
)
from tests.test_context import AVAILABLE

NOTEBOOKS = notebooks_with_exercises()
SOLUTIONS = [(path, call.exercise) for path in NOTEBOOKS for call in check_calls(path)]


def _ids(pairs):
    return [exercise for _, exercise in pairs]


def test_every_check_cell_names_a_known_exercise_and_every_exercise_has_one():
    in_notebooks = [exercise for _, exercise in SOLUTIONS]
    assert len(in_notebooks) == len(set(in_notebooks)), "an exercise is checked twice"
    assert sorted(in_notebooks, key=lambda i: tuple(map(int, i.split(".")))) == exercise_ids()


def test_each_notebook_has_two_to_four_exercises_under_numbered_headings():
    import nbformat

    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        number = int(path.name[:2])
        headings = [
            line
            for cell in nb.cells
            if cell.cell_type == "markdown"
            for line in cell.source.splitlines()
            if line.startswith("### Exercise ")
        ]
        assert 2 <= len(headings) <= 4, path.name
        for index, heading in enumerate(headings, start=1):
            assert heading.startswith(f"### Exercise {number}.{index} "), heading
        markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
        exercises_at = next(i for i, s in enumerate(markdown) if s.startswith("## Exercises"))
        key_points_at = next(i for i, s in enumerate(markdown) if s.startswith("## Key points"))
        assert exercises_at < key_points_at, f"{path.name}: exercises come before the key points"


def test_solution_cells_carry_nbgrader_metadata_and_markers():
    import nbformat

    for path in NOTEBOOKS:
        grade_ids = []
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader")
            if meta is None:
                assert "BEGIN SOLUTION" not in cell.source, path.name
                continue
            assert meta["schema_version"] == 3 and meta["grade"] is False and meta["task"] is False
            grade_ids.append(meta["grade_id"])
            if meta["solution"]:
                assert meta["locked"] is False
                assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
        assert len(grade_ids) == len(set(grade_ids)), f"{path.name}: grade ids must be unique"


def pytest_generate_tests(metafunc):
    """Each notebook solution under one start method in turn (the notebook runs prove it under
    all three); ``--all-start-methods`` runs every one under every method."""
    if metafunc.function.__name__ == "test_the_notebook_solution_passes_its_check":
        every = metafunc.config.getoption("--all-start-methods")
        cases = start_methods_in_turn(SOLUTIONS, every)
        metafunc.parametrize(
            ("path", "exercise", "method"),
            [(path, exercise, method) for (path, exercise), method in cases],
            ids=[f"{exercise}-{method}" for (_, exercise), method in cases],
        )


def test_the_notebook_solution_passes_its_check(path: Path, exercise: str, method: str):
    too_new = exercise_too_new(exercise)
    if too_new:
        pytest.skip(too_new)
    _, answers = load_exercises(path)
    feedback = evaluate(exercise, answers[exercise], method=method)
    assert feedback.status == "passed", str(feedback)
    assert str(feedback).startswith(f"✔ Exercise {exercise} passed (start method: {method})")
    assert multiprocessing.active_children() == []


def results_by_deadline_with_executors(ctx, calls, timeout):
    """6.3 with executors instead of a Pool: one per call, since a worker that dies breaks
    its whole executor; the hung worker is ended the way section 5 of notebook 06 shows."""
    end = time.monotonic() + timeout
    executors, futures = [], []
    for function, args in calls:
        executors.append(cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx))
        futures.append(executors[-1].submit(function, *args))
    results = []
    for future in futures:
        try:
            results.append(future.result(timeout=max(0.0, end - time.monotonic())))
        except (cf.TimeoutError, BrokenProcessPool):
            results.append(None)
    for executor in executors:
        if sys.version_info >= (3, 14):
            executor.terminate_workers()
        else:
            workers = list(executor._processes.values())
            executor.shutdown(wait=False, cancel_futures=True)
            for worker in workers:
                worker.terminate()
    wait_for_children(timeout=10)
    return results


@pytest.mark.parametrize("method", AVAILABLE)
def test_an_executor_answer_to_the_deadline_exercise_passes(method: str):
    feedback = evaluate("6.3", results_by_deadline_with_executors, method=method)
    assert feedback.status == "passed", str(feedback)
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize(("path", "exercise"), SOLUTIONS, ids=_ids(SOLUTIONS))
def test_the_student_placeholder_is_not_attempted(path: Path, exercise: str):
    _, answers = load_exercises(path, student=True)
    began = time.monotonic()
    feedback = evaluate(exercise, answers[exercise], method="spawn")
    assert feedback.status == "not attempted", str(feedback)
    assert "NotImplementedError" in feedback.saw
    assert str(feedback).startswith(f"… Exercise {exercise}: not attempted yet.")
    assert time.monotonic() - began < 1.0, "a placeholder is recognised without running anything"


def test_check_exercise_prints_the_feedback(capsys):
    path = next(p for p in NOTEBOOKS if p.name.startswith("01"))
    _, answers = load_exercises(path, student=True)
    check_exercise("1.1", answers["1.1"], method=AVAILABLE[-1])
    assert capsys.readouterr().out.startswith("… Exercise 1.1: not attempted yet.")


# --- arguments ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["9.9", "1.7", "", "1", 1.1, None])
def test_an_unknown_exercise_id_is_a_value_error_naming_the_allowed_ids(bad):
    with pytest.raises(ValueError) as raised:
        evaluate(bad, print)
    message = str(raised.value)
    assert repr(bad) in message
    for known in ("1.1", "3.2", "5.3"):
        assert known in message


@pytest.mark.parametrize("bad", [0, -1, "10", True])
def test_a_bad_timeout_is_a_value_error(bad):
    with pytest.raises(ValueError, match="timeout"):
        evaluate("1.1", print, timeout=bad)


def test_a_bad_start_method_is_a_value_error():
    with pytest.raises(ValueError, match="start method"):
        evaluate("1.1", print, method="thread")


def test_find_exercise_and_ids():
    assert exercise_ids()[:3] == ["1.1", "1.2", "1.3"]
    exercise = find_exercise("3.2")
    assert isinstance(exercise, Exercise) and exercise.answer == "collect_payloads"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("mean_in_child", "Pass the function itself, without quotes"),
        (42, "not a function"),
        (int, "not a function"),
    ],
)
def test_the_wrong_kind_of_answer_gets_a_hint(answer, expected):
    feedback = evaluate("1.1", answer, method="spawn")
    assert feedback.status == "failed"
    assert expected in str(feedback)


def test_a_module_exercise_wants_the_module():
    feedback = evaluate("4.3", print, method="spawn")
    assert feedback.status == "failed" and "Pass the module itself" in feedback.hint


def test_a_child_module_not_saved_yet_is_named():
    namespace = setup_namespace(next(p for p in NOTEBOOKS if p.name.startswith("03")))
    define(
        """
def squares_in_order(ctx, tasks):
    return [x * x for x, _ in tasks]
""",
        namespace,
    )
    import sys

    sys.modules.pop("exercise_03_1", None)
    from helpers.exercises import remove_child_modules

    remove_child_modules()
    feedback = evaluate("3.1", namespace["squares_in_order"], method="spawn")
    assert feedback.status == "failed"
    assert "%%child_module exercise_03_1" in feedback.hint


# --- the checker's own robustness ------------------------------------------------------------


def test_a_bug_in_a_check_is_reported_not_raised(monkeypatch):
    def broken_check(answer, session):
        return {}["missing"]

    fake = Exercise("1.1", "broken", "f", ("f",), broken_check)
    monkeypatch.setattr("helpers.checks.find_exercise", lambda exercise_id: fake)

    def f(ctx):
        return 1

    feedback = evaluate("1.1", f, method="spawn")
    assert feedback.status == "check error"
    assert "KeyError" in feedback.saw and "not in your answer" in feedback.hint


@pytest.mark.parametrize("method", AVAILABLE)
def test_a_hung_answer_is_stopped_and_located(method):
    """A parent waiting for ever on a child that waits for ever: bounded, diagnosed, cleaned."""
    namespace = setup_namespace(next(p for p in NOTEBOOKS if p.name.startswith("03")))
    define(
        """
def collect_payloads(ctx, sizes):
    child = ctx.Process(target=children.send_after, args=(None, 60, None))
    child.start()
    child.join()
    return []
""",
        namespace,
    )
    began = time.monotonic()
    feedback = evaluate("3.2", namespace["collect_payloads"], method=method, timeout=1.5)
    elapsed = time.monotonic() - began
    assert feedback.status == "failed", str(feedback)
    assert "still waiting in `child.join()` (line 5, in collect_payloads)" in feedback.saw
    assert elapsed < 10, f"the check took {elapsed:.1f} s"
    assert multiprocessing.active_children() == []
    assert [t for t in threading.enumerate() if t.name == "exercise-check"] == []


def test_children_started_with_another_context_are_found_and_stopped():
    namespace = setup_namespace(next(p for p in NOTEBOOKS if p.name.startswith("02")))
    define(
        """
from helpers.context import get_context as _get_context

def receive_from_child(ctx, target, args, timeout):
    other = _get_context("spawn")
    parent_end, child_end = other.Pipe()
    child = other.Process(target=target, args=(child_end, *args))
    child.start()
    child_end.close()
    if not parent_end.poll(timeout):
        raise TimeoutError
    value = parent_end.recv()
    parent_end.close()
    return value
""",
        namespace,
    )
    feedback = evaluate("2.2", namespace["receive_from_child"], method="spawn", timeout=3)
    assert feedback.status == "failed"
    assert "another context" in feedback.saw
    assert multiprocessing.active_children() == []


def test_session_close_never_raises_and_leaves_nothing():
    ctx = get_context("spawn")
    session = Session(ctx, deadline=2)
    from helpers.exercises import children

    record = session.start(children.send_after, None, 60, None)
    assert record.started
    session.close()
    session.close()
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize(
    ("source", "state"),
    [
        ("def f():\n    raise NotImplementedError()\n", "untouched"),
        (
            'def f():\n    """Doc."""\n    # YOUR CODE HERE\n    raise NotImplementedError\n',
            "untouched",
        ),
        ("def f():\n    x = 1\n    raise NotImplementedError()\n", "unfinished"),
        ("def f():\n    return 1\n", "written"),
        ("def f():\n    if False:\n        raise NotImplementedError()\n    return 1\n", "written"),
        ("class C:\n    def a(self):\n        raise NotImplementedError()\n", "untouched"),
        (
            "class C:\n    def a(self):\n        raise NotImplementedError()\n"
            "    def b(self):\n        return 1\n",
            "unfinished",
        ),
    ],
)
def test_placeholder_state(source, state):
    """Functions typed into a notebook, and functions and classes in a child module."""
    from helpers.exercises import save_module

    module = save_module("exercise_test_placeholder", source, quiet=True)
    assert placeholder_state(getattr(module, "f", None) or module.C) == state
    if source.startswith("def"):
        namespace: dict = {"__name__": "__main__"}
        define(source, namespace)
        assert placeholder_state(namespace["f"]) == state


def test_placeholder_state_without_source_is_unknown():
    assert placeholder_state(len) == "unknown"
    assert placeholder_state(lambda: 1) in ("written", "unknown")


def test_feedback_text_and_validation():
    assert str(Feedback("2.1", "passed", "all good.", method="fork")) == (
        "✔ Exercise 2.1 passed (start method: fork): all good."
    )
    failed = str(Feedback("2.1", "failed", "it broke.", "fix it.", method="spawn"))
    assert failed.splitlines() == [
        "✘ Exercise 2.1: not yet (start method: spawn).",
        "  What the check saw: it broke.",
        "  Hint: fix it.",
    ]
    with pytest.raises(ValueError, match="status"):
        Feedback("2.1", "great", "")


def test_the_wrong_answer_table_has_at_least_two_per_exercise():
    from tests.checks_wrong_answers import WRONG

    for exercise in exercise_ids():
        assert sum(w.exercise == exercise for w in WRONG) >= 2, exercise
    assert len({w.id for w in WRONG}) == len(WRONG)


def test_a_busy_loop_is_stopped_too():
    """An answer that never waits on anything, it just loops: stopped, and nothing is left."""
    namespace = setup_namespace(next(p for p in NOTEBOOKS if p.name.startswith("03")))
    define(
        """
def collect_payloads(ctx, sizes):
    while True:
        pass
""",
        namespace,
    )
    feedback = evaluate("3.2", namespace["collect_payloads"], method="spawn", timeout=1)
    assert feedback.status == "failed"
    # The loop's frame stands on `while True:` up to 3.13 and on `pass` from 3.14 (new bytecode).
    assert re.search(
        r"still running, at `(while True:` \(line 3|pass` \(line 4), in collect_payloads\)",
        feedback.saw,
    ), feedback.saw
    time.sleep(0.2)
    assert [t for t in threading.enumerate() if t.name == "exercise-check"] == []
