"""Progress bars for a benchmark run: a text bar on a terminal, a widget in Jupyter, or nothing.

A run calls ``begin(total)`` once, then ``working_on(label)`` before each step and ``advance()``
after it, then ``finish()``. ``auto_progress()`` picks the right bar for where it runs.
"""

from __future__ import annotations

import shutil
import sys
from typing import Protocol, TextIO


class Progress(Protocol):
    def begin(self, total: int) -> None: ...
    def working_on(self, label: str) -> None: ...
    def advance(self) -> None: ...
    def finish(self) -> None: ...


class Silent:
    """No bar (output redirected to a file, or tests)."""

    def begin(self, total: int) -> None:
        self.total, self.done = total, 0

    def working_on(self, label: str) -> None:
        self.label = label

    def advance(self) -> None:
        self.done += 1

    def finish(self) -> None:
        pass


class TerminalBar(Silent):
    """``[#######.......]  12/40  latency: Queue``, redrawn in place on ``stream`` (stderr)."""

    WIDTH = 24

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.label = ""

    def _draw(self) -> None:
        filled = self.WIDTH * self.done // max(self.total, 1)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        text = f"[{bar}] {self.done:>3}/{self.total}  {self.label}"
        columns = shutil.get_terminal_size((80, 20)).columns
        self.stream.write("\r" + text[: columns - 1].ljust(columns - 1))
        self.stream.flush()

    def begin(self, total: int) -> None:
        super().begin(total)
        self._draw()

    def working_on(self, label: str) -> None:
        super().working_on(label)
        self._draw()

    def advance(self) -> None:
        super().advance()
        self._draw()

    def finish(self) -> None:
        self.label = "done"
        self._draw()
        self.stream.write("\n")
        self.stream.flush()


class WidgetBar(Silent):
    """An ipywidgets progress bar with a label; shown in the notebook by ``begin`` (or by the
    explorer, which puts ``box`` in its own layout and passes ``show=False``)."""

    def __init__(self, show: bool = True) -> None:
        import ipywidgets as widgets

        self.show = show
        self.bar = widgets.IntProgress(value=0, min=0, max=1, description="measuring")
        self.text = widgets.Label(value="")
        self.box = widgets.HBox([self.bar, self.text])

    def begin(self, total: int) -> None:
        super().begin(total)
        self.bar.max = max(total, 1)
        self.bar.value = 0
        self.bar.bar_style = ""
        if self.show:
            from IPython.display import display

            display(self.box)

    def working_on(self, label: str) -> None:
        super().working_on(label)
        self.text.value = label

    def advance(self) -> None:
        super().advance()
        self.bar.value = self.done

    def finish(self) -> None:
        self.text.value = "done"
        self.bar.bar_style = "success"


def in_jupyter() -> bool:
    """True inside a Jupyter kernel (IPython with a kernel attached)."""
    ipython_module = sys.modules.get("IPython")
    if ipython_module is None:
        return False
    shell = ipython_module.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def auto_progress() -> Progress:
    """A widget in Jupyter, a text bar on a terminal, otherwise nothing."""
    if in_jupyter():
        return WidgetBar()
    if sys.stderr.isatty():
        return TerminalBar()
    return Silent()
