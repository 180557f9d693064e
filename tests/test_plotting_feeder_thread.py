"""helpers.plotting.feeder_thread draws notebook 03's feeder thread, pipe and join."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

from helpers.plotting.feeder_thread import DATA, WAIT, plot_feeder_thread  # noqa: E402


@pytest.fixture
def fig():
    figure = plot_feeder_thread()
    yield figure
    plt.close(figure)


def texts(fig):
    return [t.get_text() for t in fig.axes[0].texts if not isinstance(t, Annotation)]


def test_labels_both_processes_and_every_step(fig):
    drawn = texts(fig)
    assert "child process" in drawn and "parent" in drawn
    for start in ("put(item)", "buffer", "feeder thread", "pipe", "get(timeout)", "join()"):
        assert any(t.startswith(start) for t in drawn), start
    assert any("child's exit" in t and "feeder" in t for t in drawn)
    assert any(t.startswith("An item bigger than the pipe") and "Get first" in t for t in drawn)


def test_data_arrows_run_from_put_to_get_and_wait_arrows_from_join(fig):
    arrows = [c for c in fig.axes[0].get_children() if isinstance(c, Annotation)]
    data = [a for a in arrows if a.arrowprops["color"] == DATA]
    waits = [a for a in arrows if a.arrowprops["color"] == WAIT]
    assert len(data) == 4  # put -> buffer -> feeder -> pipe -> get
    assert len(waits) == 3  # join -> exit -> feeder -> pipe
    assert all(a.arrowprops["linestyle"] == "--" for a in waits)
    assert "join waits for the exit" in texts(fig)
