"""helpers.plotting.start_methods draws notebook 00's three start methods as process diagrams."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers.plotting.start_methods import plot_start_methods  # noqa: E402


@pytest.fixture
def fig():
    figure = plot_start_methods()
    yield figure
    plt.close(figure)


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def _arrows(ax):
    return [c for c in ax.get_children() if isinstance(c, matplotlib.text.Annotation)]


def test_one_panel_per_start_method_each_with_the_parent(fig):
    assert fig._suptitle.get_text() == "Three ways to start a child process"
    assert [ax.get_title() for ax in fig.axes] == ["spawn", "fork", "forkserver"]
    for ax in fig.axes:
        assert _texts(ax).count("parent\n(your kernel)") == 1


def test_spawn_starts_a_fresh_interpreter_that_imports_and_unpickles(fig):
    spawn = fig.axes[0]
    texts = _texts(spawn)
    assert any("a fresh Python\ninterpreter" in t for t in texts)
    assert any("imports the target's" in t and "unpickles" in t for t in texts)
    assert len(_arrows(spawn)) == 1


def test_fork_copies_the_parents_memory(fig):
    fork = fig.axes[1]
    texts = _texts(fork)
    assert any("a copy of the\nparent's memory" in t for t in texts)
    assert any("os.fork()" in t for t in texts)
    assert len(_arrows(fork)) == 1


def test_forkserver_starts_a_server_once_that_forks_each_child(fig):
    forkserver = fig.axes[2]
    texts = _texts(forkserver)
    assert any(t.startswith("server") and "started once" in t for t in texts)
    assert {"child 1", "child 2"} <= set(texts)
    assert texts.count("fork") == 2
    arrows = _arrows(forkserver)
    assert len(arrows) == 3 and all(a.arrowprops["arrowstyle"] == "->" for a in arrows)
