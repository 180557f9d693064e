"""Sizes in bytes, as people write them: ``1KB``, ``64K``, ``16MB``, ``1GB``, ``4096``.

K, M and G are powers of 1024 here (``16MB`` is 16 MiB); an array of float64 needs a whole
number of 8-byte items, so a size must be a positive multiple of 8.
"""

from __future__ import annotations

import re

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
MAX_SIZE = GiB
_UNITS = {
    "": 1,
    "B": 1,
    "K": KiB,
    "KB": KiB,
    "KIB": KiB,
    "M": MiB,
    "MB": MiB,
    "MIB": MiB,
    "G": GiB,
    "GB": GiB,
    "GIB": GiB,
}
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*$")


def parse_size(text: str) -> int:
    """``"16MB"`` -> 16777216. Raises ValueError saying what is wrong with ``text``."""
    match = _SIZE.match(text)
    if not match or match.group(2).upper() not in _UNITS:
        raise ValueError(f"{text!r} is not a size (write e.g. 1KB, 64K, 16MB, 1GB or 4096)")
    nbytes = float(match.group(1)) * _UNITS[match.group(2).upper()]
    if nbytes <= 0:
        raise ValueError(f"{text!r}: a size must be greater than 0")
    if nbytes != int(nbytes) or int(nbytes) % 8:
        raise ValueError(f"{text!r}: a size must be a whole number of 8-byte float64 items")
    if nbytes > MAX_SIZE:
        raise ValueError(f"{text!r}: the largest size this benchmark measures is 1GB")
    return int(nbytes)


def parse_sizes(text: str) -> tuple[int, ...]:
    """``"1KB,16MB"`` -> (1024, 16777216), sorted, without repeats."""
    parts = [part for part in text.split(",") if part.strip()]
    if not parts:
        raise ValueError("no size given (write e.g. 1KB,16MB)")
    return tuple(sorted({parse_size(part) for part in parts}))


def format_size(nbytes: int) -> str:
    """16777216 -> ``"16 MB"`` (powers of 1024, as ``parse_size`` reads them)."""
    for unit, factor in (("GB", GiB), ("MB", MiB), ("KB", KiB)):
        if nbytes >= factor and nbytes % factor == 0:
            return f"{nbytes // factor} {unit}"
    return f"{nbytes} B"
