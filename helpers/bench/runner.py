"""One benchmark run: a plan of steps, executed in order, gathered into one JSON-ready dict.

``Config.full()`` and ``Config.quick_run()`` give the two standard runs; ``run_benchmark(config)``
measures and returns::

    {"machine": {...}, "config": {...},
     "reference": {"memcpy_GBps", "pipe_GBps", "socketpair_GBps", "roundtrip_us", ...},
     "start": [{"start_method", "median_ms", ...}],
     "latency": [{"method", "median_us", "p90_us", "p99_us", ...}],
     "throughput": [{"method", "bytes", "median_s", "GBps", "ratio_to_memcpy", ...}],
     "anatomy": [{"step", "bytes", "median_s", "GBps", ...}]}

Every figure comes with its ratio to the physical reference measured in the same run.
"""

from __future__ import annotations

import datetime
import os
import platform
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, replace

from helpers.bench import anatomy, latency, lifecycle, references, startup, throughput
from helpers.bench.methods import LATENCY_METHODS, METHODS, THROUGHPUT_METHODS
from helpers.bench.progress import Progress, Silent
from helpers.bench.sizes import GiB, MiB, format_size
from helpers.bench.stats import summary
from helpers.bench.timing import Budget, repeat
from helpers.context import get_context, start_method_from_environment

SECTIONS = ("references", "start", "latency", "throughput", "anatomy")

QUICK_SIZES = (1 << 10, 64 << 10, 1 * MiB, 16 * MiB)
FULL_SIZES = tuple(1 << k for k in range(10, 29, 2))  # 1 KiB, 4 KiB, ..., 256 MiB
GIB = GiB
MEMCPY_REFERENCE_BYTES = 256 * MiB
"""The memcpy bandwidth of a run is measured on buffers this big: far beyond the caches, so it
is the machine's memory bandwidth, the ceiling for any large copy."""
ROUNDTRIP_BURST = 100
"""At least this many raw round trips join the reference before each latency method."""
BRACKET_FROM = 16 * MiB
BRACKET_COPIES = 2
"""Each throughput method, and each of its sizes of ``BRACKET_FROM`` or more, is measured between
two bursts of this many 256 MB copies."""


@dataclass(frozen=True)
class Config:
    """What one run measures, and how hard it repeats."""

    start_method: str = field(default_factory=start_method_from_environment)
    sizes: tuple[int, ...] = FULL_SIZES
    methods: tuple[str, ...] = tuple(METHODS)
    sections: tuple[str, ...] = SECTIONS
    quick: bool = False
    samples: int = 2000
    """Round trips per latency method (and for the raw round trip)."""
    start_repeats: int = 20
    repeat_seconds: float = 0.5
    """Time budget per throughput size (more repeats while under it)."""
    min_repeats: int = 7
    max_repeats: int = 300
    stream_bytes: int = 64 * MiB

    @classmethod
    def full(cls, **changes) -> Config:
        """The full run (``python -m helpers.bench``), with ``changes`` to its fields."""
        return replace(cls(), **changes)

    @classmethod
    def quick_run(cls, **changes) -> Config:
        """The quick run (``--quick``): sizes up to 16 MB, fewer samples; with ``changes``."""
        quick = cls(
            sizes=QUICK_SIZES,
            quick=True,
            samples=1000,
            start_repeats=3,
            repeat_seconds=0.1,
            min_repeats=5,
            max_repeats=40,
            stream_bytes=16 * MiB,
        )
        return replace(quick, **changes)

    @property
    def budget(self) -> Budget:
        return Budget(self.repeat_seconds, self.min_repeats, self.max_repeats, warmup=1)

    @property
    def latency_methods(self) -> list[str]:
        return [m for m in LATENCY_METHODS if m in self.methods]

    @property
    def throughput_methods(self) -> list[str]:
        return [m for m in THROUGHPUT_METHODS if m in self.methods]

    @property
    def anatomy_bytes(self) -> int:
        return min(max(self.sizes), 256 * MiB)


Step = tuple[str, Callable[[], None]]


def load_average() -> tuple[float, float, float] | None:
    """Runnable processes over 1, 5, 15 minutes (a busy machine measures slower), if known."""
    return os.getloadavg() if hasattr(os, "getloadavg") else None


def machine_info(config: Config) -> dict:
    """What ran the benchmark (enough to tell two runs' machines apart)."""
    import numpy

    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    hugepages = None
    try:  # Linux: "always [madvise] never" - the bracket marks the policy in force
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as policy:
            hugepages = policy.read().strip()
    except OSError:
        pass
    memory_gb = None
    try:
        memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError, AttributeError):
        pass
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "numpy": numpy.__version__,
        "cpu": model,
        "cpus": os.cpu_count(),
        "memory_GB": memory_gb,
        "transparent_hugepage": hugepages,
        "start_method": config.start_method,
        "date_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "loadavg_start": load_average(),
    }


class Run:
    """The plan of one run, and the results it fills in as it goes."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.ctx = get_context(config.start_method)
        self.result: dict = {
            "machine": machine_info(config),
            "config": {
                **asdict(config),
                "sizes": list(config.sizes),
                "methods": list(config.methods),
                "sections": list(config.sections),
            },
            "reference": {},
            "start": [],
            "latency": [],
            "throughput": [],
            "anatomy": [],
        }
        self.memcpy: dict[int, float] = {}
        self.reference_copier: references.Memcpy | None = None
        self.reference_samples: list[float] = []
        self.round_trips: Callable[[int], list[float]] | None = None
        self.roundtrip_samples: list[float] = []
        self.stack = ExitStack()

    # --- the plan -----------------------------------------------------------------------------

    def steps(self) -> list[Step]:
        c, plan = self.config, []
        if "references" in c.sections:
            plan += [
                (
                    f"reference: memcpy {format_size(MEMCPY_REFERENCE_BYTES)}",
                    lambda: self._memcpy_reference(2 * BRACKET_COPIES),
                )
            ]
            plan += [
                (f"reference: memcpy {format_size(n)}", lambda n=n: self._memcpy(n))
                for n in c.sizes
            ]
            plan += [
                ("reference: os.pipe stream", lambda: self._stream("pipe", False)),
                ("reference: socketpair stream", lambda: self._stream("socketpair", True)),
                ("reference: 1-byte round trip", lambda: self._roundtrip(c.samples)),
            ]
        if "start" in c.sections:
            plan += [
                (f"start: {m}", lambda m=m: self._start(m))
                for m in startup.available_start_methods()
            ]
        if "latency" in c.sections:
            plan += [
                (f"latency: {METHODS[m].label}", lambda m=m: self._latency(m))
                for m in c.latency_methods
            ]
        if "throughput" in c.sections:
            for m in c.throughput_methods:
                plan += [(f"throughput: {METHODS[m].label}", lambda m=m: self._throughput(m))]
        if "anatomy" in c.sections:
            plan += [
                (f"anatomy: {s} {format_size(c.anatomy_bytes)}", lambda s=s: self._anatomy(s))
                for s in anatomy.STEPS
            ]
        return plan

    def total_units(self) -> int:
        """Progress units: one per step, except throughput, which counts one per size."""
        sizes = len(self.config.sizes)
        return sum(sizes if label.startswith("throughput:") else 1 for label, _ in self.steps())

    # --- the steps ----------------------------------------------------------------------------

    def _memcpy(self, nbytes: int) -> None:
        budget = replace(self.config.budget, warmup=2)
        row = references.throughput_summary(nbytes, references.memcpy_seconds(nbytes, budget))
        self.memcpy[nbytes] = row["GBps"]
        self.result["reference"].setdefault("memcpy_by_size", []).append(row)

    def _stream(self, name: str, duplex: bool) -> None:
        nbytes = self.config.stream_bytes
        samples = references.stream_seconds(self.ctx, duplex, nbytes, self.config.budget)
        row = references.throughput_summary(nbytes, samples)
        self.result["reference"][f"{name}_GBps"] = row["GBps"]
        self.result["reference"][f"{name}_stream"] = row

    def _roundtrip(self, samples: int) -> None:
        """Add ``samples`` raw round trips to the run's reference (one echo child for the run)."""
        if self.round_trips is None:
            self.round_trips = self.stack.enter_context(references.echo(self.ctx))
        self.roundtrip_samples += self.round_trips(samples)

    def _start(self, method: str) -> None:
        self.result["start"].append(startup.measure_start(method, self.config.start_repeats))

    def _latency(self, method: str) -> None:
        if "references" in self.config.sections:
            self._roundtrip(max(ROUNDTRIP_BURST, self.config.samples // 10))
        stats = summary(latency.LATENCY[method](self.ctx, self.config.samples), scale=1e6)
        self.result["latency"].append(
            {
                "method": method,
                "label": METHODS[method].label,
                "median_us": stats["median"],
                "p90_us": stats["p90"],
                "p99_us": stats["p99"],
                "q1_us": stats["q1"],
                "q3_us": stats["q3"],
                "samples": stats["samples"],
            }
        )

    def _memcpy_reference(self, copies: int) -> list[float]:
        """Copy ``MEMCPY_REFERENCE_BYTES`` between warm buffers ``copies`` times and return the
        seconds. The run's memcpy bandwidth is the median of all these copies, made in bursts
        across the run (and around every large array), so that one busy moment of a shared
        machine does not decide it."""
        if self.reference_copier is None:
            self.reference_copier = references.Memcpy(MEMCPY_REFERENCE_BYTES)
        n = MEMCPY_REFERENCE_BYTES // 8
        samples = [self.reference_copier.once(n) for _ in range(copies)]
        self.reference_samples += samples
        return samples

    def _throughput(self, method: str) -> None:
        """Each size in turn with one child. Every row gets ``memcpy_nearby_GBps``: the 256 MB
        copies made just around it (around each size of ``BRACKET_FROM`` or more, else around
        the method's small sizes), because the memory speed of a shared machine drifts."""
        sizes = sorted(self.config.sizes)
        around_method = self._memcpy_reference(BRACKET_COPIES)
        rows = []
        with throughput.THROUGHPUT[method](self.ctx, max(sizes) // 8) as fetch:
            for nbytes in sizes:
                label = f"throughput: {METHODS[method].label} {format_size(nbytes)}"
                self.progress.working_on(label)
                bracket = nbytes >= BRACKET_FROM
                around = self._memcpy_reference(BRACKET_COPIES) if bracket else []
                samples = repeat(lambda n=nbytes // 8: fetch(n), self.config.budget)
                around += self._memcpy_reference(BRACKET_COPIES) if bracket else []
                row = {
                    "method": method,
                    "label": METHODS[method].label,
                    "reference": METHODS[method].reference,
                    **references.throughput_summary(nbytes, samples),
                }
                if around:
                    row["memcpy_nearby_GBps"] = self._copies_gbps(around)
                rows.append(row)
                self.progress.advance()
        around_method += self._memcpy_reference(BRACKET_COPIES)
        for row in rows:
            row.setdefault("memcpy_nearby_GBps", self._copies_gbps(around_method))
        self.result["throughput"] += rows

    @staticmethod
    def _copies_gbps(seconds: list[float]) -> float:
        return references.gbps(MEMCPY_REFERENCE_BYTES, summary(seconds)["median"])

    def _anatomy(self, step: str) -> None:
        row = anatomy.measure_step(step, self.config.anatomy_bytes, self.config.budget)
        self.result["anatomy"].append(row)

    # --- running ------------------------------------------------------------------------------

    def execute(self, progress: Progress) -> dict:
        self.progress = progress
        plan = self.steps()
        progress.begin(self.total_units())
        try:
            lifecycle.ensure_resource_tracker()  # every child shares it (see there)
            with self.stack:
                for label, work in plan:
                    progress.working_on(label)
                    work()
                    if not label.startswith("throughput:"):
                        progress.advance()
        finally:
            progress.finish()
            self.reference_copier = None  # 512 MB of buffers
        if self.roundtrip_samples:
            stats = summary(self.roundtrip_samples, scale=1e6)
            self.result["reference"].update(
                {
                    "roundtrip_us": stats["median"],
                    "roundtrip_q1_us": stats["q1"],
                    "roundtrip_q3_us": stats["q3"],
                    "roundtrip_p90_us": stats["p90"],
                    "roundtrip_p99_us": stats["p99"],
                    "roundtrip_samples": stats["samples"],
                }
            )
        if self.reference_samples:
            row = references.throughput_summary(MEMCPY_REFERENCE_BYTES, self.reference_samples)
            self.result["reference"]["memcpy"] = row
            self.result["reference"]["memcpy_GBps"] = row["GBps"]
            self.result["reference"]["memcpy_bytes"] = MEMCPY_REFERENCE_BYTES
        self.result["machine"]["loadavg_end"] = load_average()
        add_ratios(self.result, self.memcpy)
        return self.result


def add_ratios(result: dict, memcpy_by_size: dict[int, float]) -> None:
    """Put every figure next to its physical reference from the same run.

    Throughput: ``ratio_to_memcpy`` divides by ``memcpy_nearby_GBps``, the 256 MB copies made
    just around that measurement (a shared machine's memory speed drifts from second to second);
    ``ratio_to_memcpy_run`` by the run's memcpy bandwidth (the median of all 256 MB copies);
    ``ratio_to_memcpy_same_size`` by a memcpy of the same size (faster while it fits in the
    caches); ``ratio_to_reference`` by the channel under the method (os.pipe, socketpair, or the
    nearby memcpy for shared memory).
    """
    ref = result["reference"]
    memcpy = ref.get("memcpy_GBps")
    roundtrip = ref.get("roundtrip_us")
    for row in result["start"]:
        row["ratio_to_roundtrip"] = row["median_ms"] * 1000 / roundtrip if roundtrip else None
    for row in result["latency"]:
        row["ratio_to_roundtrip"] = row["median_us"] / roundtrip if roundtrip else None
    for row in result["throughput"] + result["anatomy"]:
        same_size = memcpy_by_size.get(row["bytes"])
        nearby = row.get("memcpy_nearby_GBps") or memcpy
        row["ratio_to_memcpy"] = row["GBps"] / nearby if nearby else None
        row["ratio_to_memcpy_run"] = row["GBps"] / memcpy if memcpy else None
        row["ratio_to_memcpy_same_size"] = row["GBps"] / same_size if same_size else None
    for row in result["throughput"]:
        nearby = row.get("memcpy_nearby_GBps") or memcpy
        channel = nearby if row["reference"] == "memcpy" else ref.get(f"{row['reference']}_GBps")
        row["ratio_to_reference"] = row["GBps"] / channel if channel else None


def run_benchmark(config: Config | None = None, progress: Progress | None = None) -> dict:
    """Measure everything ``config`` asks for (a full run by default) and return the results.

    Children, segments, managers and pools are released before this returns or raises,
    including on ``KeyboardInterrupt``.
    """
    run = Run(config if config is not None else Config.full())
    return run.execute(progress if progress is not None else Silent())
