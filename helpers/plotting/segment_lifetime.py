"""Notebook 05's picture: a segment's life between creator, owner and resource tracker.

One lane per party (the child that creates the segment, the parent that owns it, the resource
tracker they share) and one for the segment itself, with time running left to right: every
process closes its handle, exactly one unlinks, and the tracker only keeps the list.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

MESSAGE = "tab:blue"
TRACKER = "0.45"
SEGMENT = "tab:green"

LANES = {
    "child": (4.0, "child\n(creates)"),
    "parent": (3.0, "parent\n(owner)"),
    "tracker": (2.0, "resource tracker\n(shared by both)"),
    "segment": (1.0, "the segment"),
}

# (lane, x, text): what each party does, in order of time
EVENTS = [
    ("child", 1.0, "create"),
    ("child", 2.2, "fill,\nsend name"),
    ("parent", 3.4, "attach"),
    ("parent", 4.6, 'send\n"attached"'),
    ("child", 5.8, "close"),
    ("parent", 7.0, "read,\nclose"),
    ("parent", 8.2, "unlink\n(once)"),
    ("tracker", 1.0, "register"),
    ("tracker", 3.4, "register\n(a set: no change)"),
    ("tracker", 8.2, "unregister"),
]
# (from lane, from x, to lane, to x, label): messages between the two processes
MESSAGES = [
    ("child", 2.2, "parent", 3.4, "the name"),
    ("parent", 4.6, "child", 5.8, '"attached"'),
]
# (lane, x): who tells the tracker (a dotted arrow down to the tracker's lane)
REGISTRATIONS = [("child", 1.0), ("parent", 3.4), ("parent", 8.2)]
SEGMENT_SPAN = (1.0, 8.2)
FOOTNOTES = [
    "Every process closes its own handle; exactly one (the owner) unlinks.",
    'The child waits for "attached" before it closes: on Windows a segment disappears with its '
    "last handle (and there is no tracker).",
    "Nobody unlinks? The tracker removes what is still registered when the program ends, and "
    "warns. A separate program has a tracker of its own.",
]


def plot_segment_lifetime() -> Figure:
    """Draw who creates, attaches, closes and unlinks a segment handed back by a child.

    Lanes from top to bottom: the child that creates the segment, the parent that receives
    its name and owns it, the resource tracker both talk to, and the segment's lifetime (a
    green bar from ``create`` to the single ``unlink``). Blue arrows are the two messages of
    pattern (b) (the name, then the parent's "attached"); grey dotted arrows are
    registrations with the tracker. Returns the Figure.
    """
    fig, ax = plt.subplots(figsize=(10.5, 4.8))
    ax.set(xlim=(-1.2, 8.9), ylim=(-0.75, 4.6))
    ax.axis("off")
    for lane, (y, label) in LANES.items():
        ax.text(-1.1, y, label, ha="left", va="center", fontsize=10, weight="bold")
        if lane != "segment":
            ax.plot([0.4, 8.8], [y, y], color="0.85", lw=1, zorder=0)
    for lane, x, text in EVENTS:
        colour = "#fde2c8" if text.startswith("unlink") else "white"
        ax.text(
            x,
            LANES[lane][0],
            text,
            ha="center",
            va="center",
            fontsize=9,
            bbox=dict(boxstyle="round,pad=0.35", fc=colour, ec="0.3"),
        )
    for source, x0, target, x1, label in MESSAGES:
        y0, y1 = LANES[source][0], LANES[target][0]
        step = 0.3 if y1 > y0 else -0.3
        ax.annotate(
            "",
            (x1 - 0.35, y1 - step),
            (x0 + 0.35, y0 + step),
            arrowprops=dict(arrowstyle="->", lw=2, color=MESSAGE),
        )
        ax.text((x0 + x1) / 2 + 0.15, (y0 + y1) / 2, label, fontsize=9, color=MESSAGE)
    for lane, x in REGISTRATIONS:
        y = LANES[lane][0]
        ax.annotate(
            "",
            (x, LANES["tracker"][0] + 0.3),
            (x, y - 0.32),
            arrowprops=dict(arrowstyle="->", lw=1.2, color=TRACKER, linestyle=":"),
        )
    start, end = SEGMENT_SPAN
    ax.barh(LANES["segment"][0], end - start, left=start, height=0.32, color=SEGMENT, alpha=0.7)
    ax.text(
        (start + end) / 2,
        LANES["segment"][0],
        "exists from create to unlink",
        ha="center",
        va="center",
        fontsize=9,
    )
    for row, note in enumerate(FOOTNOTES):
        ax.text(-1.1, 0.3 - 0.33 * row, note, fontsize=8.5, color="0.25", va="center")
    ax.set_title("Pattern (b): every process closes, exactly one unlinks", fontsize=12)
    fig.tight_layout()
    return fig
