"""What a check says: one Feedback per check, printed as a few plain lines.

The text is the same on every run, start method and Python version for the same answer
(no timings, pids or segment names), so notebooks can show it as committed output.
"""

from __future__ import annotations

from dataclasses import dataclass

PASSED = "passed"
FAILED = "failed"
NOT_ATTEMPTED = "not attempted"
CHECK_ERROR = "check error"
STATUSES = (PASSED, FAILED, NOT_ATTEMPTED, CHECK_ERROR)


@dataclass(frozen=True)
class Feedback:
    """The outcome of checking one exercise.

    ``status`` is one of "passed", "failed", "not attempted" or "check error"; ``saw`` says
    what the check observed, ``hint`` what to do about it (empty when passed).
    """

    exercise: str
    status: str
    saw: str
    hint: str = ""
    method: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {self.status!r}")

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def __str__(self) -> str:
        where = f" (start method: {self.method})" if self.method else ""
        if self.status == PASSED:
            return f"✔ Exercise {self.exercise} passed{where}: {self.saw}"
        if self.status == NOT_ATTEMPTED:
            lines = [f"… Exercise {self.exercise}: not attempted yet. {self.saw}"]
        elif self.status == CHECK_ERROR:
            lines = [
                f"⚠ Exercise {self.exercise}: the check itself ran into a problem{where}.",
                f"  What happened: {self.saw}",
            ]
        else:
            lines = [
                f"✘ Exercise {self.exercise}: not yet{where}.",
                f"  What the check saw: {self.saw}",
            ]
        if self.hint:
            lines.append(f"  Hint: {self.hint}")
        return "\n".join(lines)
