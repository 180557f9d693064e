"""helpers.plotting.full_pipes draws notebook 08's deadlock of two full pipes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

from helpers.plotting.full_pipes import DATA, WAIT, plot_full_pipes  # noqa: E402


@pytest.fixture
def fig():
    figure = plot_full_pipes()
    yield figure
    plt.close(figure)


def texts(fig):
    return [t.get_text() for t in fig.axes[0].texts if not isinstance(t, Annotation)]


def test_labels_both_processes_both_directions_and_the_fix(fig):
    drawn = texts(fig)
    assert "parent" in drawn and "child" in drawn
    assert sum(t.startswith("send_bytes(4 MB)\nblocked") for t in drawn) == 2
    assert sum(t.startswith("recv_bytes()\nnever reached") for t in drawn) == 2
    assert any(t.startswith("parent → child") and "FULL" in t for t in drawn)
    assert any(t.startswith("child → parent") and "FULL" in t for t in drawn)
    assert any("neither ever reads" in t and "Fix:" in t for t in drawn)
    assert "Two full pipes" in fig.axes[0].get_title()


def test_two_sends_into_full_buffers_and_two_waits_for_a_reader(fig):
    arrows = [c for c in fig.axes[0].get_children() if isinstance(c, Annotation)]
    data = [a for a in arrows if a.arrowprops["color"] == DATA]
    waits = [a for a in arrows if a.arrowprops["color"] == WAIT]
    assert len(data) == 2
    assert len(waits) == 2
    assert all(a.arrowprops["linestyle"] == "--" for a in waits)
    drawn = texts(fig)
    assert "waits for the child to read" in drawn
    assert "waits for the parent to read" in drawn
