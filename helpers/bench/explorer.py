"""A live explorer for the notebook: pick ways back, a size and a start method, press Run.

Nothing is measured until Run is pressed. The button calls ``Explorer.on_run``, which reads
the controls, runs a small benchmark in this kernel (``measure``), and shows a table and a
picture below the controls. Tests call ``on_run`` directly.
"""

from __future__ import annotations

import base64
import io
import traceback
from collections.abc import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display

from helpers.bench.methods import METHODS
from helpers.bench.plots import plot_one_size
from helpers.bench.progress import Progress, WidgetBar
from helpers.bench.report import latency_table, throughput_table
from helpers.bench.runner import Config, run_benchmark
from helpers.bench.sizes import MiB, format_size
from helpers.bench.startup import available_start_methods
from helpers.context import start_method_from_environment

SIZES = (1 << 10, 64 << 10, 1 * MiB, 16 * MiB, 64 * MiB, 256 * MiB)
DEFAULT_METHODS = ("pipe", "queue", "shm-reused", "pool")
TEXT = "Explorer: choose ways back, a size and a start method, then press Run"
"""What the explorer shows where widgets cannot be drawn (and what tests of the notebook see)."""
EXPLORER_SAMPLES = 300
"""Round trips per latency method in the explorer (the command line's default is 2000)."""


def png_output(figure) -> dict:
    """A figure as a notebook ``display_data`` output (a PNG image)."""
    image = io.BytesIO()
    figure.savefig(image, format="png", dpi=80, bbox_inches="tight")
    return {
        "output_type": "display_data",
        "metadata": {},
        "data": {
            "image/png": base64.b64encode(image.getvalue()).decode("ascii"),
            "text/plain": f"<Figure: {figure.axes[0].get_title()}>",
        },
    }


def explorer_config(
    methods: tuple[str, ...], nbytes: int, start_method: str, samples: int = EXPLORER_SAMPLES
) -> Config:
    """What one press of Run measures: the references, then the chosen ways at one size."""
    return Config.quick_run(
        methods=tuple(methods),
        sizes=(nbytes,),
        start_method=start_method,
        sections=("references", "latency", "throughput"),
        samples=samples,
    )


class Explorer:
    """The controls, the Run button, a progress bar and an output area, in one box."""

    def __init__(
        self,
        measure: Callable[[Config, Progress], dict] = run_benchmark,
        samples: int = EXPLORER_SAMPLES,
    ) -> None:
        self.measure = measure
        self.samples = samples
        self.last_result: dict | None = None
        self.methods = widgets.SelectMultiple(
            options=[(METHODS[m].label, m) for m in METHODS],
            value=DEFAULT_METHODS,
            rows=len(METHODS),
            description="ways back",
            layout=widgets.Layout(width="30em"),
        )
        self.size = widgets.Dropdown(
            options=[(format_size(n), n) for n in SIZES], value=16 * MiB, description="array size"
        )
        methods = available_start_methods()
        default = start_method_from_environment()
        self.start_method = widgets.Dropdown(
            options=methods,
            value=default if default in methods else methods[0],
            description="start method",
        )
        self.run_button = widgets.Button(description="Run", button_style="primary", icon="play")
        self.progress = WidgetBar(show=False)
        self.output = widgets.Output()
        self.run_button.on_click(self.on_run)
        controls = widgets.VBox([self.size, self.start_method, self.run_button])
        self.box = widgets.VBox(
            [widgets.HBox([self.methods, controls]), self.progress.box, self.output]
        )

    def config(self) -> Config:
        """The benchmark the controls describe right now."""
        return explorer_config(
            tuple(self.methods.value), self.size.value, self.start_method.value, self.samples
        )

    def on_run(self, _button: widgets.Button | None = None) -> dict | None:
        """Measure what the controls say and show it; return the results (None on failure)."""
        self.run_button.disabled = True
        self.output.outputs = ()
        try:
            if not self.methods.value:
                self.output.append_stdout("Choose at least one way back.\n")
                return None
            config = self.config()
            try:
                result = self.measure(config, self.progress)
            except Exception:
                failure = traceback.format_exc(limit=3)
                self.output.append_stdout(f"The measurement failed:\n{failure}")
                return None
            self.last_result = result
            self.show(result, config)
            return result
        finally:
            self.run_button.disabled = False

    def show(self, result: dict, config: Config) -> None:
        """Put the tables and the picture of one run in the output area.

        The outputs are set on the widget itself (not captured from ``print``), so they reach
        every front end, and tests can read them.
        """
        ref = result["reference"]
        lines = [
            f"start method {config.start_method}; memcpy bandwidth {ref['memcpy_GBps']:.3g} "
            f"GB/s; raw round trip {ref['roundtrip_us']:.3g} us"
        ]
        if result["latency"]:
            lines += latency_table(result)
        if result["throughput"]:
            lines += throughput_table(result)
        self.output.append_stdout("\n".join(lines) + "\n")
        if result["throughput"]:
            figure = plot_one_size(result, config.sizes[0])
            self.output.outputs += (png_output(figure),)
            plt.close(figure)

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """Show the widgets; as text, a fixed sentence (the widgets' own repr varies)."""
        bundle = self.box._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = TEXT
        return bundle

    def display(self) -> None:
        display(self)
