"""Checks for the exercises of 08-when-things-go-wrong: an error sent back as data and raised
in the parent, a wait that notices a dead child at once, and a result made of plain data."""

from __future__ import annotations

import os
import re
import tempfile
from multiprocessing.connection import wait
from typing import Any

from helpers.checks.session import (
    ChildRecord,
    Exercise,
    Fail,
    Outcome,
    Session,
    messages_until_eof,
    short,
)
from helpers.exercises import children
from helpers.tasks import failures

# --- 8.1 Send the error back as data -----------------------------------------------------------

CATCH_HINT = (
    "The task's exception escaped from the child, so all the parent can learn is exit "
    "code 1. Catch it in the child (try: ... except Exception:) and send "
    '("error", traceback.format_exc()) instead of letting it end the child.'
)
UNWRAP_HINT = (
    "Turn the outcome back into a value or an error in the parent: unwrap(outcome) "
    'returns the value of ("ok", value) and raises ChildError, carrying the child\'s '
    'message, for ("error", text).'
)
TEXT_HINT = (
    "The child sent the exception object itself. TwoPartError pickles but cannot be "
    "unpickled (section 6), so the parent's receive failed. Send the traceback as text, "
    "traceback.format_exc(): a string always travels."
)
RECEIVE_HINTS = {
    "recv": "recv() waits for ever if the child never sends. Close the parent's copy of "
    "child_end after start(), then poll(timeout) before recv().",
    "poll": "No outcome arrived: does the child send exactly one (tag, ...) tuple, on "
    "every path, and close its end?",
    "get": "No outcome arrived: does the child put exactly one (tag, ...) tuple, on every "
    "path? Use get(timeout=...).",
    "join": "Receive the outcome first, then join the child (with a timeout).",
}


def _carries(error: BaseException, message: str) -> bool:
    """Whether the child's ``message`` is in the error's text or in one of its arguments."""
    texts = [str(error)] + [str(arg) for arg in getattr(error, "args", ())]
    return any(message in text for text in texts)


def _cannot_unpickle(error: BaseException) -> bool:
    text = str(error)
    return isinstance(error, TypeError) and "missing" in text and "argument" in text


def _plain(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    message = re.sub(r"\b\w*Process-\d+\b", "a child", lines[0] if lines else "")
    message = message if len(message) <= 160 else message[:157] + "..."
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def check_errors(answer: Any, s: Session) -> str:
    name = "run_checked"
    cases = [
        (failures.parse_positive, ("2.5",), None, 2.5),
        (failures.parse_positive, ("-1",), "expected a positive number, got -1.0", None),
        (failures.check_pump, (95,), "pump: too hot", None),
    ]
    catch = dict.fromkeys(("ValueError", "TwoPartError"), CATCH_HINT)
    for task, args, message, value in cases:
        call = f"{task.__name__}({', '.join(repr(a) for a in args)})"
        outcome = s.call(answer, s.ctx, task, *args, deadline=min(s.deadline, 6.0))
        s.problems(
            outcome,
            name,
            RECEIVE_HINTS,
            child_hints=catch,
            error_hints={"TypeError": TEXT_HINT} if message is None else None,
            error_expected=message is not None,
        )
        got, error = outcome.value, outcome.error
        if message is None:  # the task returns a value
            if isinstance(got, tuple) and got[:1] == ("ok",):
                raise Fail(
                    f"for {call} {name} returned the tagged outcome {short(got)}, "
                    f"not the value {value!r}.",
                    UNWRAP_HINT,
                )
            if got != value:
                raise Fail(
                    f"for {call} {name} returned {short(got)}; the task returns {value!r}.",
                    'Return the value the child sent in its ("ok", value) outcome.',
                )
        elif error is None:
            if isinstance(got, tuple) and got[:1] == ("error",):
                raise Fail(
                    f"for {call}, which raises in the child, {name} returned the outcome "
                    f"itself, {short(got)}: the error came back as data, but the parent "
                    "passed it on as if it were a result.",
                    UNWRAP_HINT,
                )
            raise Fail(
                f"for {call}, which raises in the child, {name} returned {short(got)} "
                "instead of raising.",
                UNWRAP_HINT,
            )
        elif _cannot_unpickle(error):
            raise Fail(
                f"for {call} the parent could not rebuild what the child sent: {_plain(error)}.",
                TEXT_HINT,
            )
        elif type(error).__name__ in ("ChildFailed", "EOFError", "TimeoutError"):
            raise Fail(
                f"for {call} {name} raised {_plain(error)}; the child's error never "
                "reached the parent.",
                CATCH_HINT,
            )
        elif not _carries(error, message):
            raise Fail(
                f"for {call} {name} raised {_plain(error)}, which does not carry the "
                f"child's message ({message!r}).",
                "Raise an error in the parent that includes what the child said: "
                "unwrap(outcome) raises ChildError with the last line of the child's "
                "traceback.",
            )
        s.require_tidy(outcome, name)
    return (
        "2.5 came back as a value; the ValueError and the TwoPartError (which cannot be "
        "unpickled) travelled as text and were raised in the parent with the child's "
        "message, and every child exited normally."
    )


# --- 8.2 Wait for a result or a death ----------------------------------------------------------

WAIT_FOR_BOTH = (
    "Wait for both at once: wait([conn, child.sentinel], timeout) returns as soon as "
    "the child sends *or* ends."
)
SENTINEL_HINT = (
    "The pipe cannot tell you that the child died: another process still holds its "
    "writing end, so no end of file comes. " + WAIT_FOR_BOTH
)
PIPE_FIRST_HINT = (
    "A child can send its result and then end, and then both are ready. Look at the "
    "pipe first: if conn is in what wait() returned, return conn.recv(); only a sentinel "
    "ready on its own means the child ended without sending."
)
STOP_HINT = (
    "Before raising TimeoutError, stop the child: child.terminate(), child.join(timeout), "
    "and child.kill() (then join again) if it is still alive."
)
RECEIVE_FIRST_HINT = (
    "A child cannot end before its big result has been read: its send waits for the "
    "parent to read (section 5). So do not join first: wait([conn, child.sentinel], "
    "timeout), and receive as soon as conn is ready."
)
BIG = bytes(1_000_000)  # more than any pipe holds: the child's send waits for the reader
WAIT_STUCK_HINTS = {
    "recv": "conn.recv() waits for ever when the child ends without sending, because "
    "another process still holds the pipe's writing end. " + WAIT_FOR_BOTH,
    "wait": "wait() needs its timeout: wait([conn, child.sentinel], timeout).",
    "join": RECEIVE_FIRST_HINT,
}


def _wait_case(
    s: Session, answer: Any, target: Any, args: tuple, timeout: float, ended_first: bool
) -> tuple[Outcome, ChildRecord, str]:
    """Start ``target(writer, *args)``, optionally let it end, then call the answer.

    The check keeps its copy of the writing end open during the call, as a pipe shared by
    several children would be: the pipe then never reports that this child is gone.
    """
    reader, writer = s.ctx.Pipe(duplex=False)
    record = s.start(target, writer, *args)
    if ended_first:
        # Wait for its end without joining it: under forkserver a join reads the exit code
        # out of the sentinel, and the answer's wait() should still find the sentinel ready.
        wait([record.process.sentinel], 10.0)
    outcome = s.call(
        answer, record.process, reader, timeout, deadline=max(s.deadline, timeout + 3.0)
    )
    state = record.snapshot()
    for conn in (writer, reader):
        conn.close()
    return outcome, record, state


def check_wait(answer: Any, s: Session) -> str:
    name = "wait_for_result"

    def problems(outcome: Outcome) -> None:
        s.problems(
            outcome,
            name,
            WAIT_STUCK_HINTS,
            default_stuck_hint=SENTINEL_HINT,
            check_children=False,
            error_expected=True,
        )

    # 1. A child that sends a big result after a moment: it cannot end before it is read.
    # 2. A child that has sent a small result and ended: the pipe and the sentinel are ready.
    for args, ended_first, who in (
        ((0.2, BIG), False, f"the child sent a result of {len(BIG):,} bytes after 0.2 s"),
        ((0.0, "hello"), True, "the child had sent 'hello' and ended"),
    ):
        timeout = 5.0
        outcome, record, _ = _wait_case(s, answer, children.send_after, args, timeout, ended_first)
        problems(outcome)
        error = outcome.error
        if error is not None:
            if type(error).__name__ == "ChildFailed":
                hint = PIPE_FIRST_HINT
            elif isinstance(error, TimeoutError):
                hint = RECEIVE_FIRST_HINT
            else:
                hint = "Return what conn.recv() gives you once conn is ready."
            raise Fail(f"{who}, but {name} raised {_plain(error)}.", hint)
        if outcome.value != args[1]:
            raise Fail(
                f"{who}, and {name} returned {short(outcome.value)}.",
                "Return what conn.recv() gives you once conn is ready.",
            )
        if outcome.seconds >= timeout * 0.9:
            raise Fail(
                f"{who}, and {name} returned it only after its whole {timeout:g} s timeout.",
                RECEIVE_FIRST_HINT,
            )
    # 3. A child that died with exit code 3 without sending.
    timeout = 2.0
    outcome, record, _ = _wait_case(s, answer, children.exit_silently, (3,), timeout, True)
    problems(outcome)
    error = outcome.error
    if error is None:
        raise Fail(
            f"the child died with exit code 3 without sending, and {name} returned "
            f"{short(outcome.value)}.",
            "Raise ChildFailed (from helpers) when the sentinel is ready and conn is not, "
            "and say the exit code in its message.",
        )
    if isinstance(error, TimeoutError) or outcome.seconds >= timeout * 0.9:
        raise Fail(
            f"the child had already died (exit code 3), but {name} waited out its whole "
            f"{timeout:g} s timeout and raised {type(error).__name__}.",
            SENTINEL_HINT,
        )
    if type(error).__name__ != "ChildFailed":
        raise Fail(
            f"the child died with exit code 3 without sending, and {name} raised {_plain(error)}.",
            "Raise ChildFailed (from helpers) for a child that ended without sending.",
        )
    if not re.search(r"\b3\b", str(error)):
        raise Fail(
            f"{name} raised ChildFailed, but its message ({_plain(error)}) does not give "
            "the exit code, 3.",
            "Say how the child ended: after child.join(timeout), describe_exit(child.exitcode) "
            "puts the exit code into words.",
        )
    # 4. A child that stays silent.
    timeout = 0.5
    outcome, record, state = _wait_case(
        s, answer, children.send_after, (30.0, "late"), timeout, False
    )
    problems(outcome)
    error = outcome.error
    if error is None:
        raise Fail(
            f"nothing arrived within the {timeout:g} s timeout, and {name} returned "
            f"{short(outcome.value)}.",
            "Raise TimeoutError when wait() returns an empty list. " + STOP_HINT,
        )
    if not isinstance(error, TimeoutError):
        raise Fail(
            f"nothing arrived within the {timeout:g} s timeout, and {name} raised {_plain(error)}.",
            "Raise TimeoutError when wait() returns an empty list (nothing became ready).",
        )
    if state == "running":
        raise Fail(f"{name} raised TimeoutError but left the silent child running.", STOP_HINT)
    return (
        "it returned a 1 MB result, and a small one from a child that had already ended; "
        "it raised ChildFailed naming exit code 3 at once for the child that died, and "
        "TimeoutError, with the child stopped, for the silent one."
    )


# --- 8.3 Plain data only -----------------------------------------------------------------------

LOG_LINES = [
    "INFO pump started",
    "WARNING pressure high",
    "ERROR pump too hot",
    "INFO pump restarted",
    "ERROR sensor unplugged",
    "INFO pump stopped",
]
EXPECTED_ERRORS = ["ERROR pump too hot", "ERROR sensor unplugged"]
EXPECTED_COUNTS = {"INFO": 3, "WARNING": 1, "ERROR": 2}
PLAIN_HINT = (
    "Send only plain data: numbers, strings, and lists, tuples and dicts of them. "
    "Build the result from what you read, then send that."
)


def _pickle_hint(message: str) -> str | None:
    """A hint for a pickling error, from its message (the types differ between versions)."""
    lowered = message.lower()
    if "generator" in lowered:
        return (
            "A generator is a function paused half-way, in the child's memory: it cannot "
            "travel. Send a list of what it would yield (a list comprehension, or list(...))."
        )
    if "textiowrapper" in lowered or "bufferedreader" in lowered or "_io." in lowered:
        return (
            "An open file belongs to the process that opened it. Read the lines you need "
            "into strings, close the file (with open(path) as log: ...), and send those."
        )
    if "lambda" in lowered or "local object" in lowered:
        return (
            "Functions are pickled by name, and a lambda has none. A defaultdict(lambda: 0) "
            "carries one: use defaultdict(int), or send dict(counts)."
        )
    if "lock" in lowered:
        return "A lock belongs to the process that holds it and cannot travel. " + PLAIN_HINT
    if "pickle" in lowered:
        return PLAIN_HINT
    return None


def check_plain(answer: Any, s: Session) -> str:
    with tempfile.TemporaryDirectory(prefix="ex08-") as folder:
        path = os.path.join(folder, "pump.log")
        with open(path, "w") as log:
            log.write("\n".join(LOG_LINES) + "\n")
        receiver, sender = s.ctx.Pipe(duplex=False)
        record = s.start(answer, sender, path)
        sender.close()
        messages, ended = messages_until_eof(receiver, s.deadline)
        if not ended:
            s.stop_child(record)
        s.join([record], 5.0)
        receiver.close()
    record.collect_report()
    report = record.report or ()
    if report and report[0] == "raised" and not record.stopped_by_check:
        _, kind, message, place = report
        hint = _pickle_hint(message) if kind != "NotImplementedError" else None
        if hint is not None:
            raise Fail(
                f"the child could not send its result: {kind}: {message}"
                + (f" ({place})." if place else "."),
                hint,
            )
    s.children_failures([record])
    if not ended:
        raise Fail(
            f"after {s.deadline:g} s the child had neither finished nor closed its end.",
            "Read the file, send one dict, close conn: nothing in it should wait.",
        )
    if not messages:
        if report and report[0] == "returned" and report[1] is not None:
            raise Fail(
                f"the child returned {report[1]}, but sent nothing.",
                "A child's return value is lost: send the dict with conn.send(...).",
            )
        raise Fail("nothing arrived through the pipe.", "Send one dict with conn.send(...).")
    if len(messages) > 1:
        raise Fail(
            f"{len(messages)} messages arrived; the parent expects one.",
            'Send one dict: {"errors": [...], "counts": {...}}.',
        )
    got = messages[0]
    if not isinstance(got, dict) or set(got) != {"errors", "counts"}:
        keys = f" with keys {sorted(map(str, got))}" if isinstance(got, dict) else ""
        raise Fail(
            f"the message was {short(got)}{keys}.",
            'Send one dict with two keys: {"errors": [...], "counts": {...}}.',
        )
    errors, counts = got["errors"], got["counts"]
    if not isinstance(errors, (list, tuple)):
        raise Fail(
            f'"errors" arrived as a {type(errors).__name__} object, not a list.',
            "A map or filter object pickles only while its function does, and arrives as "
            "an iterator the parent can read once. Send a list: list(...), or a list "
            "comprehension.",
        )
    if list(errors) != EXPECTED_ERRORS:
        raise Fail(
            f'"errors" was {short(list(errors))}; the log\'s ERROR lines are {EXPECTED_ERRORS}.',
            'Keep the lines that start with "ERROR", without their line ending '
            '(line.rstrip("\\n")), in the order of the file.',
        )
    if not isinstance(counts, dict):
        raise Fail(
            f'"counts" arrived as {short(counts)}, not a dict.',
            "Send the counts as a dict: level -> number of lines.",
        )
    if dict(counts) != EXPECTED_COUNTS:
        raise Fail(
            f'"counts" was {short(dict(counts))}; the log has {EXPECTED_COUNTS}.',
            "Count every line by its first word (line.split()[0]).",
        )
    return (
        "the child sent a list of 2 error lines and a dict of 3 counts: plain data, "
        "which pickled in the child and arrived intact."
    )


EXERCISES = [
    Exercise(
        "8.1",
        "Send the error back as data",
        "run_checked",
        ("exercise_08_1.run_and_report", "run_checked"),
        check_errors,
    ),
    Exercise(
        "8.2",
        "Wait for a result or a death",
        "wait_for_result",
        ("wait_for_result",),
        check_wait,
    ),
    Exercise(
        "8.3",
        "Send plain data",
        "scan_log",
        ("exercise_08_3.scan_log",),
        check_plain,
    ),
]
