"""helpers.plotting.result_routes draws notebook 09's picture of where each result travels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

from helpers.plotting.result_routes import plot_result_routes  # noqa: E402


@pytest.fixture
def ax():
    figure = plot_result_routes()
    yield figure.axes[0]
    plt.close(figure)


def _texts(ax):
    return [t.get_text() for t in ax.texts if not isinstance(t, Annotation)]


def test_one_box_per_process(ax):
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(boxes) == 9
    texts = _texts(ax)
    for name in ("notebook\n(your kernel)", "manager server\nqueue.Queue", "Listener's client"):
        assert name in texts
    assert [t for t in texts if t.startswith("client ")] == ["client 0", "client 1", "client 2"]
    assert sum("results stay here" in t for t in texts) == 2
    assert any(t.startswith("Dask scheduler\n(inside the notebook's") for t in texts)


def test_each_way_back_has_its_labelled_arrows(ax):
    arrows = [c for c in ax.get_children() if isinstance(c, Annotation)]
    assert len(arrows) == 9  # three puts, get, send, two gathers, result, worker to worker
    texts = _texts(ax)
    for label in ("put()", "get(timeout)", "send() → accept_within + recv()", "gather"):
        assert label in texts
    assert "result(timeout) / gather" in texts
    assert "input of\nthe next task" in texts


def test_title_says_what_the_arrows_are(ax):
    assert ax.get_title() == "Where each result travels (red arrows)"
    assert any("each box is a process" in t for t in _texts(ax))
