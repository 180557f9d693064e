"""Known-wrong answers to the exercises of notebook 9: each gets its own hint, under every
start method, and its check leaves no process and no segment behind (table and runner in
tests/checks_wrong_answers.py; one file per notebook or two so they run in parallel)."""

import pytest

from tests.checks_wrong_answers import assert_gets_its_hint, wrong_answers
from tests.test_context import AVAILABLE

WRONG = wrong_answers(9)


@pytest.mark.parametrize("method", AVAILABLE)
@pytest.mark.parametrize("wrong", WRONG, ids=[w.id for w in WRONG])
def test_a_known_wrong_answer_gets_its_hint(wrong, method):
    assert_gets_its_hint(wrong, method)
