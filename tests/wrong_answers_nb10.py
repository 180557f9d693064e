"""Known-wrong answers to the exercises of 10-without-a-child-process, and the hint each must
get (merged into tests.checks_wrong_answers.WRONG). 10.2's need Python 3.14: the test class
skips them, with the reason, on older Pythons."""

from __future__ import annotations

from tests.wrong_answer import Wrong

TALLY = """
def tally(counter, threads, times):
    lock = threading.Lock()

    def add_ones():
        for _ in range(times):
            {add}

    {run}
    return counter.read()
"""
LOCKED = "with lock:\n                counter.write(counter.read() + 1)"
UNLOCKED = "counter.write(counter.read() + 1)"
POOL = (
    "with ThreadPoolExecutor(max_workers=threads) as executor:\n"
    "        for future in [executor.submit(add_ones) for _ in range(threads)]:\n"
    "            future.result(timeout=10)"
)

FROM_INTERPRETERS = """
def from_interpreters(task, numbers):
    {body}
"""

WRONG = [
    Wrong(
        "10.1",
        "no lock",
        "tally",
        "update(s) were lost",
        parent=TALLY.format(add=UNLOCKED, run=POOL),
    ),
    Wrong(
        "10.1",
        "all in the calling thread",
        "tally",
        "every write came from",
        parent=TALLY.format(add=LOCKED, run="for _ in range(threads):\n        add_ones()"),
    ),
    Wrong(
        "10.1",
        "returns before the threads finish",
        "tally",
        "after tally returned",
        parent=TALLY.format(
            add=LOCKED,
            run="executor = ThreadPoolExecutor(max_workers=threads)\n"
            "    for _ in range(threads):\n        executor.submit(add_ones)\n"
            "    executor.shutdown(wait=False)",
        ),
    ),
    Wrong(
        "10.2",
        "threads instead of interpreters",
        "from_interpreters",
        "main interpreter",
        parent=FROM_INTERPRETERS.format(
            body="with ThreadPoolExecutor(max_workers=2) as executor:\n"
            "        return list(executor.map(task, numbers, timeout=30))"
        ),
    ),
    Wrong(
        "10.2",
        "a plain loop",
        "from_interpreters",
        "main interpreter",
        parent=FROM_INTERPRETERS.format(body="return [task(x) for x in numbers]"),
    ),
    Wrong(
        "10.2",
        "a notebook function that uses the notebook's names",
        "from_interpreters",
        "Only importable functions",
        parent=FROM_INTERPRETERS.format(
            body="from concurrent.futures import InterpreterPoolExecutor\n"
            "    with InterpreterPoolExecutor(max_workers=2) as executor:\n"
            "        return list(executor.map(lambda x: task(x), numbers, timeout=30))"
        ),
    ),
]
