"""Automatic feedback for the exercises: ``check_exercise("3.1", squares_in_order)``.

One call per exercise runs the learner's answer under the notebook's start method
(``helpers.context.get_context()``), with a time limit on every wait, and prints a few lines:
a clear pass; what went wrong and a hint; or "not attempted yet" while the answer is still the
placeholder ``raise NotImplementedError()``. The checker never shows a traceback of its own,
never hangs, and leaves no process, manager or shared-memory segment behind.

Each notebook's exercises live in one module here, named ``nbNN_<topic>`` (``nb03_queue``),
which defines ``EXERCISES``: a list of ``session.Exercise``. Modules are found by name, so a
new notebook's checks need no registration. This package is imported by child processes too
(``helpers.checks.guard``), so importing it stays cheap: exercise modules load on first use.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from types import ModuleType
from typing import Any

from helpers.checks.feedback import CHECK_ERROR, FAILED, NOT_ATTEMPTED, PASSED, Feedback

__all__ = ["Feedback", "check_exercise", "evaluate", "exercise_ids", "find_exercise"]

_MODULE_NAME = re.compile(r"^nb(\d\d)_\w+$")


def _notebook_modules() -> dict[str, str]:
    """{"3": "helpers.checks.nb03_queue", ...}: one module per notebook that has exercises."""
    found = {}
    for info in pkgutil.iter_modules(__path__):
        match = _MODULE_NAME.match(info.name)
        if match:
            found[str(int(match.group(1)))] = f"{__name__}.{info.name}"
    return found


def _exercises_in(module_name: str) -> dict[str, Any]:
    module = importlib.import_module(module_name)
    return {exercise.id: exercise for exercise in module.EXERCISES}


def exercise_ids() -> list[str]:
    """Every exercise id the checks know, in course order ("1.1", "1.2", ..., "5.3")."""
    ids: list[str] = []
    for _, module_name in sorted(_notebook_modules().items(), key=lambda item: int(item[0])):
        ids += sorted(_exercises_in(module_name), key=lambda i: tuple(int(p) for p in i.split(".")))
    return ids


def find_exercise(exercise_id: str) -> Any:
    """The exercise called ``exercise_id``; ValueError naming the allowed ids otherwise."""
    if isinstance(exercise_id, str):
        module_name = _notebook_modules().get(exercise_id.split(".")[0].lstrip("0") or "0")
        if module_name is not None:
            exercise = _exercises_in(module_name).get(exercise_id)
            if exercise is not None:
                return exercise
    raise ValueError(
        f"unknown exercise {exercise_id!r}: the exercises are {', '.join(exercise_ids())}"
    )


def _resolve(exercise: Any, answer: Any) -> Any:
    """The object to check: the function (or module) the exercise asks for."""
    from helpers.checks.session import Fail, short

    if exercise.kind == "module":
        if isinstance(answer, ModuleType):
            return answer
        raise Fail(
            f"the check got {short(answer)}, not a module.",
            f"Pass the module itself: check_exercise({exercise.id!r}, {exercise.answer}).",
        )
    if isinstance(answer, ModuleType) and callable(getattr(answer, exercise.answer, None)):
        answer = getattr(answer, exercise.answer)
    if isinstance(answer, str):
        raise Fail(
            f"the check got the string {answer!r}.",
            f"Pass the function itself, without quotes: "
            f"check_exercise({exercise.id!r}, {exercise.answer}).",
        )
    if not callable(answer) or isinstance(answer, type):
        raise Fail(
            f"the check got {short(answer)}, not a function.",
            f"Pass your function: check_exercise({exercise.id!r}, {exercise.answer}).",
        )
    return answer


def _part(exercise: Any, part: str, answer: Any) -> tuple[str, Any]:
    """("state", object) of one part the learner writes; state "missing" if it is not there."""
    from helpers.checks.session import find_module, placeholder_state

    if "." not in part:
        target = answer if exercise.kind == "function" else getattr(answer, part, None)
        return (placeholder_state(target) if target is not None else "missing"), target
    module_name, name = part.split(".", 1)
    module = (
        answer
        if exercise.kind == "module" and answer.__name__ == module_name
        else find_module(module_name)
    )
    target = getattr(module, name, None) if module is not None else None
    return (placeholder_state(target) if target is not None else "missing"), target


def _require_attempt(exercise: Any, answer: Any) -> None:
    """NotAttempted while every part is the placeholder; Fail while some still are."""
    from helpers.checks.session import Fail, NotAttempted

    states = {part: _part(exercise, part, answer)[0] for part in exercise.parts}
    untouched = [p for p, s in states.items() if s == "untouched"]
    unfinished = [p for p, s in states.items() if s == "unfinished"]
    missing = [p for p, s in states.items() if s == "missing"]
    written = [p for p, s in states.items() if s in ("written", "unknown")]

    def names(parts: list[str]) -> str:
        quoted = [f"`{p}`" for p in parts]
        return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]

    modules = sorted({p.split(".")[0] for p in missing if "." in p})
    cells = " and ".join(f"%%child_module {m}" for m in modules)
    if not written and not unfinished:
        if missing:
            raise NotAttempted(f"Run the cell that starts with {cells} first, then this one.")
        verb = "raises" if len(untouched) == 1 else "raise"
        cells = "its cell" if len(untouched) == 1 else "their cells"
        raise NotAttempted(
            f"{names(untouched)} still {verb} NotImplementedError: write your "
            f"code in place of `raise NotImplementedError()`, run {cells}, "
            "then run this one again."
        )
    if missing:
        raise Fail(
            f"{names(missing)} could not be found.",
            f"Run the cell that starts with {cells} (it must define "
            f"{names([p.split('.', 1)[1] for p in missing if '.' in p])}) before this one."
            if modules
            else f"Define {names(missing)} and run its cell.",
        )
    if untouched or unfinished:
        left = untouched + unfinished
        raise Fail(
            f"{names(left)} still {'has' if len(left) == 1 else 'have'} "
            "`raise NotImplementedError()` in it.",
            "Finish your code, delete that line, run the cell again, then this one.",
        )


def evaluate(
    exercise_id: str, answer: Any, *, method: str | None = None, timeout: float | None = None
) -> Feedback:
    """Check ``answer`` for exercise ``exercise_id`` and return the Feedback (prints nothing).

    ``method`` picks a start method (default: ``MP_START_METHOD``, else spawn); ``timeout``
    is how long the learner's code may wait before the check says where it is stuck
    (default 10 s).
    """
    exercise = find_exercise(exercise_id)
    if timeout is not None and (
        not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0
    ):
        raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
    from helpers.checks.session import Fail, NotAttempted, Session
    from helpers.context import get_context

    ctx = get_context(method)
    started = ctx.get_start_method()
    session = None
    try:
        answer = _resolve(exercise, answer)
        _require_attempt(exercise, answer)
        session = Session(ctx, deadline=timeout)
        summary = exercise.check(answer, session)
        feedback = Feedback(exercise.id, PASSED, summary, method=started)
    except NotAttempted as not_yet:
        feedback = Feedback(exercise.id, NOT_ATTEMPTED, str(not_yet))
    except Fail as fail:
        feedback = Feedback(exercise.id, FAILED, fail.saw, fail.hint, method=started)
    except KeyboardInterrupt:
        feedback = Feedback(
            exercise.id,
            FAILED,
            "the check was interrupted before it finished.",
            "Run the check again when you are ready.",
            method=started,
        )
    except BaseException as error:  # a bug in the check itself: say so, never a traceback
        feedback = Feedback(
            exercise.id,
            CHECK_ERROR,
            f"{type(error).__name__}: {error}",
            "This is a problem in the course's checks, not in your answer: "
            "please report it, with this message.",
            method=started,
        )
    finally:
        if session is not None:
            session.close()
    return feedback


def check_exercise(
    exercise_id: str, answer: Any, *, method: str | None = None, timeout: float | None = None
) -> None:
    """Check ``answer`` for exercise ``exercise_id`` and print what the check found."""
    print(evaluate(exercise_id, answer, method=method, timeout=timeout))
