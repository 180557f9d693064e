"""Removes a folder of child modules once the kernel that made it has gone, however it ended.

``helpers.exercises`` starts this as ``python -I .../janitor.py FOLDER`` with a pipe on its
standard input whose writing end only the kernel holds (and the kernel's forked
children, which inherit it). When every holder has exited, by a clean shutdown, a SIGTERM from
Jupyter or a SIGKILL, the read below sees end-of-file and the folder goes. A kernel killed
outright runs no exit handler, so this is the one place that can clean up after it.

It runs in a session of its own, so the interrupt Jupyter sends to the kernel's process group
never reaches it; SIGINT or SIGTERM sent to it directly (ipykernel ends its children so at
shutdown) removes the folder too.
"""

from __future__ import annotations

import shutil
import signal
import sys
from pathlib import Path


def _stop(signum, frame) -> None:
    raise SystemExit(0)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python janitor.py FOLDER", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop)
    try:
        while sys.stdin.buffer.read(4096):  # nothing is ever written: this waits for EOF
            pass
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
