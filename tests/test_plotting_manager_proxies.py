"""helpers.plotting.manager_proxies draws notebook 04's parent, manager and children."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers.plotting.manager_proxies import plot_manager_proxies  # noqa: E402


@pytest.fixture
def fig():
    figure = plot_manager_proxies()
    yield figure
    plt.close(figure)


def test_draws_the_four_processes_and_what_they_hold(fig):
    (ax,) = fig.axes
    texts = [t.get_text() for t in ax.texts]
    assert ax.get_title() == "Parent, manager and children"
    assert sum("holds proxies" in t for t in texts) == 3
    assert any(t.startswith("parent") for t in texts)
    assert sum(t.startswith("child") for t in texts) == 2
    assert any("owns the real objects" in t and "Namespace" in t for t in texts)
    assert any("request\nreply" == t for t in texts)
    assert any(t.startswith("every proxy access") for t in texts)


def test_every_proxy_holder_has_a_two_headed_arrow_to_the_manager(fig):
    (ax,) = fig.axes
    arrows = [c for c in ax.get_children() if isinstance(c, matplotlib.text.Annotation)]
    assert len(arrows) == 3
    assert all(a.arrowprops["arrowstyle"] == "<->" for a in arrows)
