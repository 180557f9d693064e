"""helpers.context: one way to get a multiprocessing context, chosen by MP_START_METHOD."""

import multiprocessing

import pytest

from helpers.context import (
    DEFAULT_START_METHOD,
    START_METHODS,
    get_context,
    start_method_from_environment,
)

AVAILABLE = [m for m in START_METHODS if m in multiprocessing.get_all_start_methods()]


def test_default_is_spawn_when_unset_or_empty():
    assert DEFAULT_START_METHOD == "spawn"
    assert start_method_from_environment({}) == "spawn"
    assert start_method_from_environment({"MP_START_METHOD": "  "}) == "spawn"


@pytest.mark.parametrize("method", START_METHODS)
def test_environment_names_the_method(method):
    assert start_method_from_environment({"MP_START_METHOD": method}) == method


def test_unknown_method_in_environment_lists_the_valid_ones():
    with pytest.raises(ValueError) as caught:
        start_method_from_environment({"MP_START_METHOD": "thread"})
    message = str(caught.value)
    assert "MP_START_METHOD='thread'" in message
    for method in START_METHODS:
        assert method in message


@pytest.mark.parametrize("method", AVAILABLE)
def test_get_context_follows_the_environment(method, monkeypatch):
    monkeypatch.setenv("MP_START_METHOD", method)
    assert get_context().get_start_method() == method


def test_get_context_rejects_a_bad_argument():
    with pytest.raises(ValueError, match="method='threads' is not a start method; use one of"):
        get_context("threads")
    with pytest.raises(ValueError, match="is not a start method"):
        get_context(3)


def test_get_context_leaves_the_global_default_alone(monkeypatch):
    before = multiprocessing.get_start_method(allow_none=True)
    monkeypatch.setenv("MP_START_METHOD", AVAILABLE[-1])
    get_context()
    assert multiprocessing.get_start_method(allow_none=True) == before
