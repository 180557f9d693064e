"""One known-wrong answer to an exercise, and the text its feedback must contain.

A module of its own so that the table of notebooks 01-05 (tests/checks_wrong_answers.py) and the
files of later notebooks (tests/wrong_answers_nbNN.py) can each be imported first.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Wrong:
    exercise: str
    mistake: str
    answer: str
    expect: str
    modules: dict[str, str] = field(default_factory=dict)
    parent: str = ""
    posix_only: bool = False  # on Windows a segment vanishes with its last handle: no unlink needed
    # Seconds its check may take, when the answer ends by itself but starts slowly (0: the
    # table's limit, which every hanging answer waits out, so it stays short).
    limit_s: float = 0.0

    @property
    def id(self) -> str:
        return f"{self.exercise}-{self.mistake.replace(' ', '-')}"
