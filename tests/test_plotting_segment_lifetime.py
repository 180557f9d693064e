"""helpers.plotting.segment_lifetime draws notebook 05's creator, owner, tracker and segment."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

from helpers.plotting.segment_lifetime import (  # noqa: E402
    LANES,
    MESSAGE,
    SEGMENT_SPAN,
    TRACKER,
    plot_segment_lifetime,
)


@pytest.fixture
def fig():
    figure = plot_segment_lifetime()
    yield figure
    plt.close(figure)


def texts(fig):
    return [t.get_text() for t in fig.axes[0].texts if not isinstance(t, Annotation)]


def at(fig, text):
    """The (x, y) of the drawn text that starts with ``text``."""
    (found,) = [t for t in fig.axes[0].texts if t.get_text().startswith(text)]
    return found.get_position()


def test_names_every_lane_and_step(fig):
    drawn = texts(fig)
    for _, label in LANES.values():
        assert label in drawn
    for step in ("create", "fill,", "attach", 'send\n"attached"', "close", "read,", "unlink"):
        assert any(t.startswith(step) for t in drawn), step
    assert drawn.count("register") == 1 and "unregister" in drawn
    assert "every process closes, exactly one unlinks" in fig.axes[0].get_title()


def test_the_child_closes_after_the_parent_attached_and_one_unlink_comes_last(fig):
    child_y, parent_y = LANES["child"][0], LANES["parent"][0]
    assert at(fig, "close")[1] == child_y and at(fig, "attach")[1] == parent_y
    assert at(fig, "attach")[0] < at(fig, 'send\n"attached"')[0] < at(fig, "close")[0]
    parent_steps = [
        t.get_position()[0] for t in fig.axes[0].texts if t.get_position()[1] == parent_y
    ]
    assert at(fig, "unlink") == (max(parent_steps), parent_y)
    assert sum(t.startswith("unlink") for t in texts(fig)) == 1


def test_arrows_are_two_messages_and_three_registrations(fig):
    arrows = [c for c in fig.axes[0].get_children() if isinstance(c, Annotation)]
    messages = [a for a in arrows if a.arrowprops["color"] == MESSAGE]
    registrations = [a for a in arrows if a.arrowprops["color"] == TRACKER]
    assert len(messages) == 2 and len(registrations) == 3
    assert all(a.arrowprops["linestyle"] == ":" for a in registrations)
    assert {"the name", '"attached"'} <= set(texts(fig))


def test_the_segment_lives_from_create_to_unlink_and_the_notes_say_windows_and_tracker(fig):
    bars = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    (bar,) = bars
    assert (bar.get_x(), bar.get_x() + bar.get_width()) == pytest.approx(SEGMENT_SPAN)
    notes = " ".join(texts(fig))
    assert "Windows a segment disappears with its last handle" in notes
    assert "tracker removes what is still registered when the program ends" in notes
