"""Known-wrong answers to the exercises: each gets its own hint, under one start method (all
three with ``--all-start-methods``), and its check leaves no process and no segment behind
(table and runner in tests/checks_wrong_answers.py and tests/wrong_answers_nbNN.py).

One class per notebook or two: pytest-xdist's loadscope hands each class to its own worker, so
the slow ones (every wrong answer that hangs is stopped after its time limit) run side by side.
"""

import pytest

from tests.checks_support import (
    exercise_too_new,
    notebooks_with_exercises,
    start_methods_in_turn,
)
from tests.checks_wrong_answers import WRONG, assert_gets_its_hint, wrong_answers


def pytest_generate_tests(metafunc):
    """Each wrong answer under one start method, in turn down the whole table (the hint never
    depends on the method); ``--all-start-methods`` (``make stress``) runs all three."""
    if "wrong" not in metafunc.fixturenames:
        return
    every = metafunc.config.getoption("--all-start-methods")
    mine = wrong_answers(*metafunc.cls.notebooks)
    cases = [(w, m) for w, m in start_methods_in_turn(WRONG, every) if w in mine]
    metafunc.parametrize(("wrong", "method"), cases, ids=[f"{w.id}-{m}" for w, m in cases])


class WrongAnswersOf:
    notebooks: tuple[int, ...] = ()

    def test_a_known_wrong_answer_gets_its_hint(self, wrong, method):
        assert_gets_its_hint(wrong, method)


class TestNotebook01(WrongAnswersOf):
    notebooks = (1,)


class TestNotebook02(WrongAnswersOf):
    notebooks = (2,)


class TestNotebook03(WrongAnswersOf):
    notebooks = (3,)


class TestNotebooks04And05(WrongAnswersOf):
    notebooks = (4, 5)


class TestNotebook06(WrongAnswersOf):
    notebooks = (6,)


class TestNotebook07(WrongAnswersOf):
    notebooks = (7,)


class TestNotebook08(WrongAnswersOf):
    notebooks = (8,)


class TestNotebook09(WrongAnswersOf):
    notebooks = (9,)


class TestNotebook10(WrongAnswersOf):
    notebooks = (10,)

    def test_a_known_wrong_answer_gets_its_hint(self, wrong, method):
        too_new = exercise_too_new(wrong.exercise)
        if too_new:
            pytest.skip(too_new)
        assert_gets_its_hint(wrong, method)


def test_every_notebook_with_exercises_has_its_class():
    covered = {n for cls in WrongAnswersOf.__subclasses__() for n in cls.notebooks}
    wanted = {int(path.name[:2]) for path in notebooks_with_exercises()}
    assert wanted <= covered, f"add a class for notebook(s) {sorted(wanted - covered)}"
