"""Plain-text tables of a run's results, for the terminal and the notebook."""

from __future__ import annotations

from helpers.bench.methods import COPY_FREE, label
from helpers.bench.sizes import format_size


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def references_table(result: dict) -> list[str]:
    ref = result["reference"]
    lines = ["physical references"]
    if "memcpy_GBps" in ref:
        lines.append(
            f"  memcpy bandwidth ({format_size(ref['memcpy_bytes'])} copies):"
            f" ~{ref['memcpy_GBps']:.3g} GB/s"
        )
    for row in ref.get("memcpy_by_size", []):
        lines.append(f"  memcpy {format_size(row['bytes']):>7}: ~{row['GBps']:.3g} GB/s")
    for name in ("pipe", "socketpair"):
        if f"{name}_GBps" in ref:
            lines.append(f"  {name} stream: ~{ref[f'{name}_GBps']:.3g} GB/s")
    if "roundtrip_us" in ref:
        lines.append(f"  1-byte round trip: ~{ref['roundtrip_us']:.3g} us (median)")
    return lines


def start_table(result: dict) -> list[str]:
    lines = ["process start + join (median)"]
    for row in result["start"]:
        lines.append(
            f"  {row['start_method']:>10}: ~{row['median_ms']:.3g} ms"
            f"  (~{_ratio(row['ratio_to_roundtrip'])} round trips)"
        )
    return lines


def latency_table(result: dict) -> list[str]:
    lines = ["one small result back: round trip in us (median / p90 / p99)"]
    for row in result["latency"]:
        lines.append(
            f"  {label(row['method']):>28}: ~{row['median_us']:.3g} / ~{row['p90_us']:.3g}"
            f" / ~{row['p99_us']:.3g}  (x~{_ratio(row['ratio_to_roundtrip'])} the raw"
            " round trip)"
        )
    return lines


def throughput_table(result: dict) -> list[str]:
    lines = ["an array back: GB/s (fraction of the memcpy bandwidth measured alongside)"]
    sizes = sorted({row["bytes"] for row in result["throughput"]})
    methods = list(dict.fromkeys(row["method"] for row in result["throughput"]))
    cells = {(row["method"], row["bytes"]): row for row in result["throughput"]}
    lines.append(" " * 38 + "".join(f"{format_size(n):>16}" for n in sizes))
    for method in methods:
        text = f"  {label(method):>36}"
        for n in sizes:
            row = cells.get((method, n))
            cell = "" if row is None else f"~{row['GBps']:.3g} ({row['ratio_to_memcpy']:.0%})"
            text += f"{cell:>16}"
        lines.append(text)
    return lines


def copy_free_ratios(result: dict, min_bytes: int = 16 << 20) -> dict[tuple[str, int], float]:
    """Fraction of memcpy reached by the copy-free ways at ``min_bytes`` and above."""
    return {
        (row["method"], row["bytes"]): row["ratio_to_memcpy"]
        for row in result["throughput"]
        if row["method"] in COPY_FREE and row["bytes"] >= min_bytes
    }


def full_report(result: dict) -> str:
    parts = []
    if result["reference"]:
        parts.append(references_table(result))
    for key, table in (
        ("start", start_table),
        ("latency", latency_table),
        ("throughput", throughput_table),
    ):
        if result[key]:
            parts.append(table(result))
    bar = copy_free_ratios(result)
    if bar:
        parts.append(
            ["copy-free ways at 16 MB and above, as a fraction of memcpy:"]
            + [f"  {label(m)} {format_size(n)}: {r:.0%}" for (m, n), r in sorted(bar.items())]
        )
    return "\n\n".join("\n".join(lines) for lines in parts)
