"""Run the whole notebook suite several times and report every failure: ``make stress``.

A notebook that passes once but fails one run in five is flaky; this finds it. Usage:
``python -m tests.stress [--runs N] [--workers W] [--start-methods spawn,fork,forkserver]``
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


LOG_DIR = ROOT / "build" / "stress"


def run_once(run: int, workers: int, start_methods: str | None) -> tuple[bool, list[str], float]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "notebooks",
        "-q",
        "-p",
        "no:cacheprovider",
        "-n",
        str(workers),
        "--dist",
        "loadscope",
    ]
    if start_methods:
        command += ["--start-methods", start_methods]
    began = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    # Keep the whole output: a failure seen once in five runs must be readable afterwards.
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    (LOG_DIR / f"run-{run}.log").write_text(done.stdout + done.stderr)
    failures = sorted(set(re.findall(r"^(?:FAILED|ERROR) (.+?)(?: - |$)", done.stdout, flags=re.M)))
    return done.returncode == 0, failures, time.monotonic() - began


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=positive_int, default=5, help="how many times (default 5)")
    parser.add_argument("--workers", type=positive_int, default=3, help="parallel notebook runs")
    parser.add_argument("--start-methods", default=None, help="default: every available method")
    args = parser.parse_args(argv)
    passed = 0
    for run in range(1, args.runs + 1):
        ok, failures, seconds = run_once(run, args.workers, args.start_methods)
        passed += ok
        print(
            f"run {run}/{args.runs}: {'passed' if ok else 'FAILED'} in {seconds:.0f} s", flush=True
        )
        for failure in failures:
            print(f"    {failure}")
    print(f"{passed} of {args.runs} runs passed (full output of each run: {LOG_DIR})")
    return 0 if passed == args.runs else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
