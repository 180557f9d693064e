"""The set-up check at the top of 00-start-here: is this environment ready for the course?"""

from __future__ import annotations

import importlib.util
import multiprocessing
import sys

from helpers.context import START_METHODS

COURSE_PACKAGES = ("matplotlib", "ipywidgets", "numpy", "nbval")


def setup_problems() -> list[str]:
    """Return what is missing, in words a newcomer can act on (empty when all is well)."""
    problems = []
    if sys.version_info < (3, 11):  # noqa: UP036 - a learner may pick an old kernel
        problems.append(
            f"Python 3.11 or newer is needed; this kernel runs {sys.version.split()[0]}"
        )
    missing = [name for name in COURSE_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        problems.append(
            f"missing packages: {', '.join(missing)}; run `make lab` from the course folder "
            "(or `pip install -r requirements.txt`) and pick the course's kernel"
        )
    if importlib.util.find_spec("helpers.tasks") is None:
        problems.append(
            "the helpers package is not importable; run `pip install -e .` in the course folder"
        )
    return problems


def check_setup() -> bool:
    """Print a short report and return True when the course can run here."""
    problems = setup_problems()
    if problems:
        for problem in problems:
            print("✗", problem)
        return False
    print("✓ Python 3.11 or newer")
    print("✓ course packages installed:", ", ".join(COURSE_PACKAGES))
    print("✓ helpers package importable, so children can find their code")
    # In the course's order: get_all_start_methods() lists this Python's default first, which
    # moved from fork to forkserver on Linux in 3.14.
    available = [m for m in START_METHODS if m in multiprocessing.get_all_start_methods()]
    print("✓ start methods available here:", ", ".join(available))
    return True
