"""Known-wrong answers to the exercises of 08-when-things-go-wrong, and the hint each gets
(merged into tests.checks_wrong_answers.WRONG)."""

from __future__ import annotations

from tests.wrong_answer import Wrong

REPORT = """
import traceback


def run_and_report(conn, task, *args):
    {body}
    conn.close()
"""
REPORT_OK = """try:
        outcome = ("ok", task(*args))
    except Exception:
        outcome = ("error", traceback.format_exc())
    conn.send(outcome)"""
CHECKED = """
def run_checked(ctx, task, *args):
    parent_end, child_end = ctx.Pipe(duplex=False)
    child = ctx.Process(target=exercise_08_1.run_and_report, args=(child_end, task, *args))
    child.start()
    child_end.close()
    try:
        if not parent_end.poll(10):
            raise TimeoutError("the child sent no outcome within 10 s")
        outcome = parent_end.recv()
    finally:
        parent_end.close()
        join_or_fail(child, timeout=10)
    {result}
"""
WAIT = """
def wait_for_result(child, conn, timeout):
    {wait}
    if conn in ready:
        return conn.recv()
    if child.sentinel in ready:
        child.join(timeout=5)
        raise ChildFailed(f"{{child.name}} {{describe_exit(child.exitcode)}} without sending")
    {stop}
    raise TimeoutError("no result in time")
"""
STOP = """child.terminate()
    child.join(timeout=2)
    if child.exitcode is None:
        child.kill()
        child.join(timeout=2)"""
SCAN = """
from collections import defaultdict


def scan_log(conn, path):
    with open(path) as log:
        lines = [line.rstrip("\\n") for line in log]
    counts = {counts}
    for line in lines:
        counts[line.split()[0]] += 1
    errors = {errors}
    conn.send({{"errors": errors, "counts": counts}})
    conn.close()
"""

WRONG = [
    Wrong(
        "8.1",
        "child lets the exception escape",
        "run_checked",
        "Catch it in the child",
        {"exercise_08_1": REPORT.format(body='conn.send(("ok", task(*args)))')},
        CHECKED.format(result="return unwrap(outcome)"),
    ),
    Wrong(
        "8.1",
        "sends the exception object",
        "run_checked",
        "Send the traceback as text",
        {
            "exercise_08_1": REPORT.format(
                body="try:\n        outcome = ('ok', task(*args))\n"
                "    except Exception as error:\n        outcome = ('error', error)\n"
                "    conn.send(outcome)"
            )
        },
        CHECKED.format(
            result="tag, payload = outcome\n    if tag == 'error':\n        raise payload\n"
            "    return payload"
        ),
    ),
    Wrong(
        "8.1",
        "parent returns the outcome as it is",
        "run_checked",
        "returned the tagged outcome",
        {"exercise_08_1": REPORT.format(body=REPORT_OK)},
        CHECKED.format(result="return outcome"),
    ),
    Wrong(
        "8.1",
        "parent passes the error on as a result",
        "run_checked",
        "the parent passed it on as if it were a result",
        {"exercise_08_1": REPORT.format(body=REPORT_OK)},
        CHECKED.format(result="return outcome[1] if outcome[0] == 'ok' else outcome"),
    ),
    Wrong(
        "8.2",
        "bare recv",
        "wait_for_result",
        "conn.recv() waits for ever",
        parent="""
def wait_for_result(child, conn, timeout):
    return conn.recv()
""",
    ),
    Wrong(
        "8.2",
        "waits on the pipe only",
        "wait_for_result",
        "waited out its whole",
        parent=WAIT.format(
            wait="ready = wait([conn], timeout) or ([child.sentinel] if not child.is_alive() "
            "else [])",
            stop=STOP,
        ),
    ),
    Wrong(
        "8.2",
        "looks at the sentinel first",
        "wait_for_result",
        "Look at the pipe first",
        parent="""
def wait_for_result(child, conn, timeout):
    ready = wait([conn, child.sentinel], timeout)
    if child.sentinel in ready:
        child.join(timeout=5)
        raise ChildFailed(f"{child.name} {describe_exit(child.exitcode)} without sending")
    if conn in ready:
        return conn.recv()
    child.kill()
    child.join(timeout=2)
    raise TimeoutError("no result in time")
""",
    ),
    Wrong(
        "8.2",
        "joins before receiving",
        "wait_for_result",
        "A child cannot end before its big result has been read",
        parent="""
def wait_for_result(child, conn, timeout):
    child.join(timeout)
    if conn.poll():
        return conn.recv()
    if child.exitcode is not None:
        raise ChildFailed(f"{child.name} {describe_exit(child.exitcode)} without sending")
    child.terminate()
    child.join(timeout=2)
    raise TimeoutError("no result in time")
""",
    ),
    Wrong(
        "8.2",
        "leaves the silent child running",
        "wait_for_result",
        "left the silent child running",
        parent=WAIT.format(wait="ready = wait([conn, child.sentinel], timeout)", stop="pass"),
    ),
    Wrong(
        "8.3",
        "sends a generator",
        "exercise_08_3.scan_log",
        "A generator is a function paused",
        {
            "exercise_08_3": SCAN.format(
                counts="defaultdict(int)",
                errors='(line for line in lines if line.startswith("ERROR"))',
            )
        },
    ),
    Wrong(
        "8.3",
        "defaultdict with a lambda",
        "exercise_08_3.scan_log",
        "use defaultdict(int)",
        {
            "exercise_08_3": SCAN.format(
                counts="defaultdict(lambda: 0)",
                errors='[line for line in lines if line.startswith("ERROR")]',
            )
        },
    ),
    Wrong(
        "8.3",
        "sends a map object",
        "exercise_08_3.scan_log",
        "not a list",
        {
            "exercise_08_3": SCAN.format(
                counts="defaultdict(int)",
                errors='map(str.strip, [line for line in lines if line.startswith("ERROR")])',
            )
        },
    ),
]
