"""Pictures of a run: latency bars, throughput against size, start-up cost, and the steps."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, NullFormatter

from helpers.bench.methods import COPY_FREE, label
from helpers.bench.sizes import format_size

_STYLE = {  # one colour per family: copy-free green, shared memory with a copy olive, pickled warm
    "shm-reused": ("tab:green", "o", "-"),
    "rawarray": ("tab:green", "s", "--"),
    "shm-new": ("tab:olive", "D", "-"),
    "pipe": ("tab:blue", "o", "-"),
    "pipe-bytes": ("tab:cyan", "^", "-"),
    "pipe-bytes-into": ("tab:cyan", "v", "--"),
    "queue": ("tab:orange", "o", "-"),
    "manager": ("tab:red", "x", "-"),
    "pool": ("tab:purple", "o", "-"),
    "executor": ("tab:pink", "s", "--"),
}


def plot_latency(result: dict, title: str = "One small result back from a running child"):
    """Horizontal bars: median round trip per way, a line to p90, a tick at p99 (log scale)."""
    rows = sorted(result["latency"], key=lambda r: r["median_us"])
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(rows) + 1.6))
    names = [label(r["method"]) for r in rows]
    medians = [r["median_us"] for r in rows]
    ax.barh(names, medians, color="tab:blue", alpha=0.75, label="median")
    ax.hlines(
        range(len(rows)),
        medians,
        [r["p90_us"] for r in rows],
        color="black",
        lw=1.5,
        label="to p90",
    )
    ax.scatter(
        [r["p99_us"] for r in rows], range(len(rows)), marker="|", s=120, color="black", label="p99"
    )
    roundtrip = result["reference"].get("roundtrip_us")
    if roundtrip:
        ax.axvline(roundtrip, color="tab:gray", ls=":", label="raw 1-byte round trip (median)")
    ax.set_xscale("log")
    plain = FuncFormatter(lambda value, _: f"{value:g}")
    ax.xaxis.set_major_formatter(plain)
    ax.xaxis.set_minor_formatter(plain)
    ax.tick_params(axis="x", which="minor", labelsize="x-small")
    ax.set_xlabel("microseconds per round trip (log scale)")
    ax.invert_yaxis()
    ax.set_title(title)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small")
    fig.tight_layout()
    return fig


def plot_throughput(result: dict, title: str = "Returning a float64 array: GB/s against size"):
    """GB/s against array size, log-log, one line per way, with the physical references."""
    fig, ax = plt.subplots(figsize=(10.5, 5.5))
    methods = list(dict.fromkeys(r["method"] for r in result["throughput"]))
    for method in methods:
        rows = sorted(
            (r for r in result["throughput"] if r["method"] == method), key=lambda r: r["bytes"]
        )
        color, marker, line = _STYLE.get(method, ("tab:gray", "o", "-"))
        ax.plot(
            [r["bytes"] for r in rows],
            [r["GBps"] for r in rows],
            color=color,
            marker=marker,
            ls=line,
            lw=2.2 if method in COPY_FREE else 1.3,
            ms=4,
            label=label(method),
        )
    ref = result["reference"]
    by_size = sorted(ref.get("memcpy_by_size", []), key=lambda r: r["bytes"])
    if by_size:
        ax.plot(
            [r["bytes"] for r in by_size],
            [r["GBps"] for r in by_size],
            color="black",
            lw=0.8,
            alpha=0.5,
            label="memcpy of the same size (in cache when small)",
        )
    for key, text, style in (
        ("memcpy_GBps", "memcpy bandwidth (256 MB copies)", "--"),
        ("socketpair_GBps", "raw socketpair (under Pipe, Manager)", "-."),
        ("pipe_GBps", "raw os.pipe (under Queue, pools)", ":"),
    ):
        if key in ref:
            ax.axhline(
                ref[key], color="black", ls=style, lw=1.2, label=f"{text}: {ref[key]:.2g} GB/s"
            )
    sizes = sorted({r["bytes"] for r in result["throughput"]})
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(sizes, [format_size(n) for n in sizes], rotation=45)
    ax.minorticks_off()
    ax.set_xlabel("size of the returned array")
    ax.set_ylabel("GB/s (higher is better; log scale)")
    ax.set_title(title)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small")
    ax.grid(True, which="major", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_start(result: dict, title: str = "Starting and joining one child"):
    """Bars of the median start + join per start method."""
    rows = result["start"]
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(rows) + 1.4))
    ax.barh([r["start_method"] for r in rows], [r["median_ms"] for r in rows], color="tab:blue")
    ax.bar_label(ax.containers[0], labels=[f"{r['median_ms']:.2g} ms" for r in rows], padding=3)
    ax.set_xlabel("milliseconds (median)")
    ax.set_xlim(0, max(r["median_ms"] for r in rows) * 1.25)
    ax.invert_yaxis()
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_anatomy(result: dict, title: str | None = None):
    """Bars of GB/s per step taken alone, with the memcpy bandwidth as a line (log scale)."""
    rows = result["anatomy"]
    nbytes = rows[0]["bytes"]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.5))
    ax.barh([r["step"] for r in rows], [r["GBps"] for r in rows], color="tab:orange")
    ax.bar_label(ax.containers[0], labels=[f"{r['GBps']:.2g} GB/s" for r in rows], padding=3)
    memcpy = result["reference"].get("memcpy_GBps")
    if memcpy:
        ax.axvline(memcpy, color="black", ls="--", lw=1, label="memcpy bandwidth")
        ax.legend(loc="lower right", fontsize="small")
    ax.set_xscale("log")
    ax.set_xlim(right=max(r["GBps"] for r in rows) * 4)
    ax.set_xlabel("GB/s (log scale)")
    ax.invert_yaxis()
    ax.set_title(title or f"Each step alone, on {format_size(nbytes)}")
    fig.tight_layout()
    return fig


def plot_one_size(result: dict, nbytes: int, title: str | None = None):
    """The explorer's picture: GB/s per way at one size, with the memcpy bandwidth."""
    rows = sorted(
        (r for r in result["throughput"] if r["bytes"] == nbytes), key=lambda r: -r["GBps"]
    )
    fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(rows), 1) + 1.5))
    if rows:
        ax.barh(
            [label(r["method"]) for r in rows],
            [r["GBps"] for r in rows],
            color=[_STYLE.get(r["method"], ("tab:gray",))[0] for r in rows],
        )
        ax.bar_label(
            ax.containers[0],
            labels=[f"{r['ratio_to_memcpy']:.0%}" if r["ratio_to_memcpy"] else "" for r in rows],
            padding=3,
        )
        ax.set_xscale("log")
        # Plain-text tick labels: the default log labels go through mathtext, whose parser
        # failed once in a live explorer run (ParseException on "$\\mathdefault{10^{-1}}$").
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    memcpy = result["reference"].get("memcpy_GBps")
    if memcpy:
        ax.axvline(memcpy, color="black", ls="--", lw=1, label="memcpy bandwidth")
        ax.legend(loc="lower right", fontsize="small")
    ax.set_xlabel("GB/s (log scale); labels: fraction of the memcpy bandwidth")
    ax.invert_yaxis()
    ax.set_title(title or f"Returning a {format_size(nbytes)} array")
    fig.tight_layout()
    return fig
