"""helpers.plotting.pipe_ends draws notebook 02's two copies of the child's pipe end."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

from helpers.plotting.pipe_ends import BAD, CLOSED, GOOD, OPEN, plot_pipe_ends  # noqa: E402


@pytest.fixture
def fig():
    figure = plot_pipe_ends()
    yield figure
    plt.close(figure)


def texts(fig):
    return [t for t in fig.axes[0].texts if not isinstance(t, Annotation)]


def test_both_situations_show_both_copies_of_child_end(fig):
    drawn = [t.get_text() for t in texts(fig)]
    assert sum(t.startswith("The parent forgot child_end.close()") for t in drawn) == 1
    assert sum(t.startswith("The parent closed its copy") for t in drawn) == 1
    assert sum("parent's copy" in t for t in drawn) == 2
    assert sum("child's copy" in t and "it died" in t for t in drawn) == 2
    assert drawn.count("parent_end\n(open)") == 2
    assert any("both are closed" in t for t in drawn)


def test_only_the_closed_copy_gives_eof(fig):
    by_text = {t.get_text(): t for t in texts(fig)}
    forgot = next(t for s, t in by_text.items() if s.startswith("no message"))
    closed = next(t for s, t in by_text.items() if s.startswith("end of file"))
    assert "wait forever" in forgot.get_text() and forgot.get_color() == BAD
    assert "EOFError" in closed.get_text() and closed.get_color() == GOOD
    assert "BrokenPipeError" in closed.get_text()
    assert any(s.endswith("(open)") and "parent's copy" in s for s in by_text)
    assert any(s.endswith("(closed)") and "parent's copy" in s for s in by_text)


def test_open_ends_are_solid_blue_and_closed_ones_grey_dashed(fig):
    lines = [c for c in fig.axes[0].get_children() if isinstance(c, Annotation)]
    solid = [a for a in lines if a.arrowprops["color"] == OPEN]
    dashed = [a for a in lines if a.arrowprops["color"] == CLOSED]
    # parent_end twice; the parent's copy open in the top row only
    assert len(solid) == 3
    # the child's copy twice; the parent's copy closed in the bottom row
    assert len(dashed) == 3
    assert all(a.arrowprops["linestyle"] == "--" for a in dashed)
