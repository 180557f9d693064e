"""The command line: ``python -m helpers.bench [--quick] [--sizes ...] [--methods ...] ...``.

A bad argument prints one line naming it and exits with status 2. Ctrl-C (or SIGTERM) stops
the run; every child, segment, manager and pool is released first, then the exit status is 130.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import sys
from pathlib import Path

from helpers.bench.methods import METHODS
from helpers.bench.sizes import GiB, parse_sizes
from helpers.context import START_METHODS, start_method_from_environment

EXIT_BAD_ARGUMENT = 2
EXIT_INTERRUPTED = 130


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (no usage block) and exit with status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_ARGUMENT, f"{self.prog}: error: {message}\n")


def sizes_argument(text: str) -> tuple[int, ...]:
    try:
        return parse_sizes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def methods_argument(text: str) -> tuple[str, ...]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise argparse.ArgumentTypeError("no method given")
    unknown = [name for name in names if name not in METHODS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown method {', '.join(map(repr, unknown))} (choose from {', '.join(METHODS)})"
        )
    return tuple(dict.fromkeys(names))


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must be at least 1")
    return value


def build_parser() -> OneLineParser:
    parser = OneLineParser(
        prog="python -m helpers.bench",
        description="Measure every way a child process can hand a result back, on this machine.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="sizes up to 16MB and fewer samples (about 15 s on 2 cores)",
    )
    parser.add_argument(
        "--sizes",
        type=sizes_argument,
        metavar="LIST",
        help="array sizes to return, e.g. 1KB,64KB,16MB (K, M, G: powers of 1024)",
    )
    parser.add_argument(
        "--include-1gb",
        action="store_true",
        help="also return a 1 GB array (needs about 5 GB of free memory)",
    )
    parser.add_argument(
        "--methods",
        type=methods_argument,
        metavar="LIST",
        help=f"ways back to measure (default: all): {', '.join(METHODS)}",
    )
    parser.add_argument(
        "--start-method",
        choices=START_METHODS,
        help="how the children start (default: $MP_START_METHOD, else spawn)",
    )
    parser.add_argument(
        "--samples",
        type=positive_int,
        metavar="N",
        help="round trips per latency method (default 2000; 1000 with --quick)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    parser.add_argument(
        "--progress",
        choices=("auto", "bar", "none"),
        default="auto",
        help="progress bar on stderr: auto (only on a terminal), bar, none",
    )
    return parser


def config_from(args: argparse.Namespace, parser: OneLineParser):
    """The run's ``Config`` (imported here, so that a bad argument is refused in a blink)."""
    from helpers.bench.runner import Config

    changes: dict = {}
    if args.start_method:
        import multiprocessing

        if args.start_method not in multiprocessing.get_all_start_methods():
            parser.error(f"argument --start-method: {args.start_method!r} is not available here")
        changes["start_method"] = args.start_method
    else:
        try:
            changes["start_method"] = start_method_from_environment()
        except ValueError as exc:
            parser.error(str(exc))
    if args.sizes:
        changes["sizes"] = args.sizes
    if args.methods:
        changes["methods"] = args.methods
    if args.samples:
        changes["samples"] = args.samples
    make = Config.quick_run if args.quick else Config.full
    config = make(**changes)
    if args.include_1gb and GiB not in config.sizes:
        config = make(**{**changes, "sizes": (*config.sizes, GiB)})
    return config


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def write_json(path: Path, result: dict) -> None:
    """Write ``result`` to ``path`` whole or not at all (a temporary file, then a rename)."""
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(json.dumps(result, indent=1) + "\n")
    os.replace(temporary, path)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    config = config_from(args, parser)
    if args.json is not None and not args.json.parent.is_dir():
        parser.error(f"argument --json: folder {str(args.json.parent)!r} does not exist")
    from helpers.bench.progress import Silent, TerminalBar, auto_progress
    from helpers.bench.report import full_report
    from helpers.bench.runner import run_benchmark

    progress = {"auto": auto_progress, "bar": TerminalBar, "none": Silent}[args.progress]()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        result = run_benchmark(config, progress)
    except KeyboardInterrupt:
        print("interrupted: every child, segment, manager and pool was released", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
    result["machine"]["command"] = shlex.join(["python", "-m", "helpers.bench", *argv])
    print(full_report(result))
    if args.json is not None:
        write_json(args.json, result)
        print(f"\nwrote {args.json}")
    return 0
