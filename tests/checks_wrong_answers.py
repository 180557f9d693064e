"""Known-wrong answers to the exercises, and the hint each one must get.

Each entry is the code a learner might write: child modules (saved as with ``%%child_module``)
and parent code (typed into the notebook), the expression passed to the check, and a piece of
text the feedback must contain. They are the common mistakes docs/teaching.md lists.
Notebooks 01-05 keep theirs here; later notebooks each have a file ``wrong_answers_nbNN.py``
with a list ``WRONG`` of their own, added to this one on import.
"""

from __future__ import annotations

import sys

from tests.wrong_answer import Wrong

# 4.1's answers start a manager and three children and then end by themselves; under spawn on
# 3.14 with the suite's other workers busy, that once took longer than 6 s.
MANAGER_LIMIT_S = 20

MEAN = "def store_mean(out, numbers):\n    out.value = sum(numbers) / len(numbers)\n"
MEAN_PARENT = """
def mean_in_child(ctx, numbers):
    result = ctx.Value({typecode}, {start})
    child = ctx.Process(target=exercise_01_1.store_mean, args=(result, numbers))
    child.start()
    {join}
    return result.value
"""
PRIMES = """
def primes_into(out, count, limit):
    found = 0
    for n in range(2, limit):
        if all(n % d for d in range(2, int(n**0.5) + 1)):
            out[found] = n
            found += 1
    count.value = found
"""
PRIMES_PARENT = """
def primes_below(ctx, limit, capacity=100):
    out = ctx.Array({typecode}, {size}, lock=False)
    count = ctx.Value("i", 0, lock=False)
    child = ctx.Process(target=exercise_01_3.primes_into, args=(out, count, limit))
    child.start()
    join_or_fail(child, timeout=10)
    return {returned}
"""
RECEIVE = """
def receive_from_child(ctx, target, args, timeout):
    parent_end, child_end = ctx.Pipe()
    child = ctx.Process(target=target, args=(child_end, *args))
    child.start()
    {close}
    try:
        {wait}
        return parent_end.recv()
    finally:
        child.join({join})
        parent_end.close()
"""
SLOW_SQUARE = """
import time

def slow_square(results, index, x, delay):
    time.sleep(delay)
    results.put((index, x * x))
"""
WORKER = """
def square_worker(tasks, results):
    while True:
        task = tasks.get(timeout=10)
        {check}
        index, x = task
        results.put((index, x * x))
"""
WORKERS_PARENT = """
def squares_by_workers(ctx, numbers, workers=2):
    tasks, results = ctx.Queue(), ctx.Queue()
    {before}
    for index, x in enumerate(numbers):
        tasks.put((index, x))
    {after}
    procs = [ctx.Process(target=exercise_03_3.square_worker, args=(tasks, results))
             for _ in range(workers)]
    for proc in procs:
        proc.start()
    squares = [None] * len(numbers)
    for _ in numbers:
        index, square = results.get(timeout=10)
        squares[index] = square
    join_or_fail(*procs, timeout=10)
    return squares
"""
STORE_DRAW = """
import random

def store_draw(results, name, seed):
    results[name] = random.Random(seed).random()
"""
BEST = """
import threading
from multiprocessing.managers import BaseManager


class Best:
    def __init__(self):
        self._lock = threading.Lock()
        self._best = None

    def offer(self, score, name):
        with self._lock:
            if {keep}:
                self._best = (score, name)

    def {result}(self):
        with self._lock:
            return self._best


class BestManager(BaseManager):
    pass

{register}
"""
FILL = """
from multiprocessing.shared_memory import SharedMemory
import numpy as np

def fill_squares(name, n):
    shm = SharedMemory(name=name)
    view = {view}
    view[:] = np.arange(n, dtype=np.float64) ** 2
    {drop}
    shm.close()
    {unlink}
"""
COMPUTE = """
from multiprocessing.shared_memory import SharedMemory
import numpy as np

def compute_into(name, n):
    shm = SharedMemory(name=name)
    view = np.ndarray((n,), dtype=np.float64, buffer=shm.buf)
    np.sqrt(np.arange(n, dtype=np.float64), out=view)
    del view
    shm.close()

def compute(n):
    return np.sqrt(np.arange(n, dtype=np.float64))

def send_computed(queue, n):
    queue.put(compute(n))
"""
# 5.2's parent, unlinking its segment or (unlink="") not.
BIG_RESULT_PARENT = """
def big_result(ctx, n):
    shm = SharedMemory(create=True, size=n * 8)
    child = ctx.Process(target=exercise_05_2.compute_into, args=(shm.name, n))
    child.start()
    join_or_fail(child, timeout=30)
    view = np.ndarray((n,), dtype=np.float64, buffer=shm.buf)
    result = view.copy()
    del view
    shm.close(){unlink}
    return result
"""
CLEANUP_PARENT = """
def result_or_cleanup(ctx, target, n):
    name = f"ex05_{{os.getpid()}}_" + secrets.token_hex(4)  # the test finds its own
    here, there = ctx.Pipe()
    child = ctx.Process(target=target, args=(name, n, there))
    child.start()
    there.close()
    shm = None
    try:
        if here.poll(20) and here.recv() == "ready":
            shm = SharedMemory(name=name)
            here.send("attached")
    except (EOFError, BrokenPipeError):
        pass
    child.join(timeout=20)
    here.close()
    if shm is None or child.exitcode != 0:
        {on_failure}
    view = np.ndarray((n,), dtype=np.float64, buffer=shm.buf)
    result = view.copy()
    del view
    shm.close()
    shm.unlink()
    return result
"""

WRONG = [
    # 01-value
    Wrong(
        "1.1",
        "float typecode",
        "mean_in_child",
        "32-bit C float",
        {"exercise_01_1": MEAN},
        MEAN_PARENT.format(typecode='"f"', start="0.0", join="join_or_fail(child, timeout=10)"),
    ),
    Wrong(
        "1.1",
        "reads before joining",
        "mean_in_child",
        "join",
        {"exercise_01_1": MEAN},
        MEAN_PARENT.format(typecode='"d"', start="0.0", join="pass"),
    ),
    Wrong(
        "1.1",
        "integer typecode",
        "mean_in_child",
        "integer typecode",
        {"exercise_01_1": MEAN},
        MEAN_PARENT.format(typecode='"i"', start="0", join="join_or_fail(child, timeout=10)"),
    ),
    Wrong(
        "1.1",
        "child typed into the notebook",
        "mean_in_child",
        "cannot import it",
        {"exercise_01_1": MEAN},
        MEAN
        + MEAN_PARENT.format(
            typecode='"d"', start="0.0", join="join_or_fail(child, timeout=10)"
        ).replace("exercise_01_1.store_mean", "store_mean"),
    ),
    Wrong(
        "1.2",
        "no lock",
        "exercise_01_2.add_many",
        "updates were lost",
        {
            "exercise_01_2": "def add_many(counter, times):\n    for _ in range(times):\n"
            "        counter.value += 1\n"
        },
    ),
    Wrong(
        "1.2",
        "lock around the read only",
        "exercise_01_2.add_many",
        "updates were lost",
        {
            "exercise_01_2": "def add_many(counter, times):\n    for _ in range(times):\n"
            "        with counter.get_lock():\n            current = counter.value\n"
            "        counter.value = current + 1\n"
        },
    ),
    Wrong(
        "1.2",
        "lock held, one increment short per child",
        "exercise_01_2.add_many",
        "wrote the counter 39 times, not 40; it ended at 117: no update was lost",
        {
            "exercise_01_2": "def add_many(counter, times):\n    for _ in range(times - 1):\n"
            "        with counter.get_lock():\n            counter.value += 1\n"
        },
    ),
    Wrong(
        "1.2",
        "lock taken, never released",
        "exercise_01_2.add_many",
        "waiting in `counter.get_lock().acquire()` (exercise_01_2.py, line 3, in add_many)",
        {
            "exercise_01_2": "def add_many(counter, times):\n    for _ in range(times):\n"
            "        counter.get_lock().acquire()\n        counter.value += 1\n"
        },
    ),
    Wrong(
        "1.2",
        "adds to the wrapper",
        "exercise_01_2.add_many",
        "not to `counter` itself",
        {
            "exercise_01_2": "def add_many(counter, times):\n    for _ in range(times):\n"
            "        with counter.get_lock():\n            counter += 1\n"
        },
    ),
    Wrong(
        "1.3",
        "returns every slot",
        "primes_below",
        "only the first",
        {"exercise_01_3": PRIMES},
        PRIMES_PARENT.format(typecode='"i"', size="capacity", returned="out[:]"),
    ),
    Wrong(
        "1.3",
        "typecode too narrow",
        "primes_below",
        "too narrow",
        {"exercise_01_3": PRIMES},
        PRIMES_PARENT.format(typecode='"b"', size="capacity", returned="out[: count.value]"),
    ),
    Wrong(
        "1.3",
        "array too small",
        "primes_below",
        "smaller than the number of results",
        {"exercise_01_3": PRIMES},
        PRIMES_PARENT.format(typecode='"i"', size="10", returned="out[: count.value]"),
    ),
    # 02-pipe
    Wrong(
        "2.1",
        "returns instead of sending",
        "exercise_02_1.send_min_max",
        "return value is lost",
        {
            "exercise_02_1": "def send_min_max(conn, numbers):\n"
            "    return (min(numbers), max(numbers))\n"
        },
    ),
    Wrong(
        "2.1",
        "two messages",
        "exercise_02_1.send_min_max",
        "2 messages arrived",
        {
            "exercise_02_1": "def send_min_max(conn, numbers):\n    conn.send(min(numbers))\n"
            "    conn.send(max(numbers))\n    conn.close()\n"
        },
    ),
    Wrong(
        "2.1",
        "send with two arguments",
        "exercise_02_1.send_min_max",
        "send() takes one object",
        {
            "exercise_02_1": "def send_min_max(conn, numbers):\n"
            "    conn.send(min(numbers), max(numbers))\n"
        },
    ),
    Wrong(
        "2.2",
        "never closes child_end",
        "receive_from_child",
        "Close child_end right after start()",
        parent=RECEIVE.format(
            close="pass",
            join="5",
            wait="if not parent_end.poll(timeout):\n"
            "            child.terminate()\n            raise TimeoutError()",
        ),
    ),
    Wrong(
        "2.2",
        "closes child_end only at the end",
        "receive_from_child",
        "waited out its whole timeout",
        parent=RECEIVE.format(
            close="pass",
            join="5",
            wait="if not parent_end.poll(timeout):\n"
            "            child.terminate()\n            raise TimeoutError()",
        ).replace("parent_end.close()", "parent_end.close()\n        child_end.close()"),
    ),
    Wrong(
        "2.2",
        "lets poll's BrokenPipeError through (what Windows raises)",
        "receive_from_child",
        "Treat it like True",
        parent=RECEIVE.format(
            close="child_end.close()",
            join="5",
            wait="if not parent_end.poll(timeout):\n"
            "            child.terminate()\n            raise TimeoutError()\n"
            "        child.join(1)\n"
            "        if child.exitcode:  # where Windows' poll() raises: the child is gone\n"
            "            raise BrokenPipeError(32, 'The pipe has been ended')",
        ),
    ),
    Wrong(
        "2.2",
        "bare recv",
        "receive_from_child",
        "recv() waits for ever",
        parent=RECEIVE.format(close="child_end.close()", join="5", wait="pass"),
    ),
    Wrong(
        "2.2",
        "returns None on timeout",
        "receive_from_child",
        "Raise TimeoutError",
        parent=RECEIVE.format(
            close="child_end.close()",
            join="5",
            wait="if not parent_end.poll(timeout):\n"
            "            child.terminate()\n            return None",
        ),
    ),
    Wrong(
        "2.2",
        "leaves the silent child running",
        "receive_from_child",
        "stop the child",
        parent=RECEIVE.format(
            close="child_end.close()",
            # Long enough for a child that has sent to exit on a loaded machine (0.1 s was not,
            # under spawn on 3.15: the check then stopped at the first child, not the silent one).
            join="1.0",
            wait="if not parent_end.poll(timeout):\n            raise TimeoutError()",
        ),
    ),
    Wrong(
        "2.3",
        "answers once",
        "exercise_02_3.square_server",
        "answered 1 request(s) and then ended",
        {
            "exercise_02_3": "def square_server(conn):\n    if conn.poll(10):\n"
            "        x = conn.recv()\n        conn.send(x * x)\n    conn.close()\n"
        },
    ),
    Wrong(
        "2.3",
        "squares the sentinel",
        "exercise_02_3.square_server",
        "check for None first",
        {
            "exercise_02_3": "def square_server(conn):\n    while conn.poll(10):\n"
            "        x = conn.recv()\n        conn.send(x * x)\n    conn.close()\n"
        },
    ),
    Wrong(
        "2.3",
        "ignores the sentinel",
        "exercise_02_3.square_server",
        "still running 2 s later",
        {
            "exercise_02_3": "def square_server(conn):\n    while conn.poll(10):\n"
            "        x = conn.recv()\n        if x is None:\n            continue\n"
            "        conn.send(x * x)\n    conn.close()\n"
        },
    ),
    # 03-queue
    Wrong(
        "3.1",
        "arrival order",
        "squares_in_order",
        "in the order the children finish",
        {"exercise_03_1": SLOW_SQUARE},
        """
def squares_in_order(ctx, tasks):
    results = ctx.Queue()
    children = [ctx.Process(target=exercise_03_1.slow_square, args=(results, i, x, d))
                for i, (x, d) in enumerate(tasks)]
    for child in children:
        child.start()
    squares = [results.get(timeout=10)[1] for _ in children]
    join_or_fail(*children, timeout=10)
    return squares
""",
    ),
    Wrong(
        "3.1",
        "returns the tagged pairs",
        "squares_in_order",
        "pairs",
        {"exercise_03_1": SLOW_SQUARE},
        """
def squares_in_order(ctx, tasks):
    results = ctx.Queue()
    children = [ctx.Process(target=exercise_03_1.slow_square, args=(results, i, x, d))
                for i, (x, d) in enumerate(tasks)]
    for child in children:
        child.start()
    pairs = sorted(results.get(timeout=10) for _ in children)
    join_or_fail(*children, timeout=10)
    return pairs
""",
    ),
    Wrong(
        "3.1",
        "child typed into the notebook",
        "squares_in_order",
        "cannot import it",
        {"exercise_03_1": SLOW_SQUARE},
        SLOW_SQUARE
        + """
def squares_in_order(ctx, tasks):
    results = ctx.Queue()
    children = [ctx.Process(target=slow_square, args=(results, i, x, d))
                for i, (x, d) in enumerate(tasks)]
    for child in children:
        child.start()
    squares = dict(results.get(timeout=10) for _ in children)
    join_or_fail(*children, timeout=10)
    return [squares[i] for i in range(len(tasks))]
""",
    ),
    Wrong(
        "3.2",
        "joins before draining",
        "collect_payloads",
        "Get every result first",
        parent="from helpers.exercises.broken import collect_payloads\n",
    ),
    Wrong(
        "3.2",
        "bounded join before draining",
        "collect_payloads",
        "Get every result first",
        parent="""
def collect_payloads(ctx, sizes):
    results = ctx.Queue()
    workers = [ctx.Process(target=children.put_payload, args=(results, i, size))
               for i, size in enumerate(sizes)]
    for worker in workers:
        worker.start()
    join_or_fail(*workers, timeout=1)
    received = dict(results.get(timeout=10) for _ in workers)
    return [len(received[i]) for i in range(len(sizes))]
""",
    ),
    Wrong(
        "3.2",
        "never joins",
        "collect_payloads",
        "Join every child",
        parent="""
def collect_payloads(ctx, sizes):
    results = ctx.Queue()
    workers = [ctx.Process(target=children.put_payload, args=(results, i, size))
               for i, size in enumerate(sizes)]
    for worker in workers:
        worker.start()
    received = dict(results.get(timeout=10) for _ in workers)
    return [len(received[i]) for i in range(len(sizes))]
""",
    ),
    Wrong(
        "3.3",
        "one sentinel for two workers",
        "squares_by_workers",
        "one None per worker",
        {"exercise_03_3": WORKER.format(check="if task is None:\n            return")},
        WORKERS_PARENT.format(before="pass", after="tasks.put(None)"),
    ),
    Wrong(
        "3.3",
        "worker unpacks the sentinel",
        "squares_by_workers",
        "check for None first",
        {"exercise_03_3": WORKER.format(check="pass")},
        WORKERS_PARENT.format(
            before="pass", after="for _ in range(workers):\n        tasks.put(None)"
        ),
    ),
    Wrong(
        "3.3",
        "sentinels before the tasks",
        "squares_by_workers",
        "results that never came",
        {"exercise_03_3": WORKER.format(check="if task is None:\n            return")},
        WORKERS_PARENT.format(
            before="for _ in range(workers):\n        tasks.put(None)", after="pass"
        ),
    ),
    # 04-manager
    Wrong(
        "4.1",
        "returns the proxy",
        "draws_by_name",
        "returned a proxy",
        {"exercise_04_1": STORE_DRAW},
        """
def draws_by_name(ctx, seeds):
    with ctx.Manager() as manager:
        results = manager.dict()
        children = [ctx.Process(target=exercise_04_1.store_draw, args=(results, n, s))
                    for n, s in seeds.items()]
        for child in children:
            child.start()
        join_or_fail(*children, timeout=20)
        return results
""",
        limit_s=MANAGER_LIMIT_S,
    ),
    Wrong(
        "4.1",
        "never shuts the manager down",
        "draws_by_name",
        "still running after it returned",
        {"exercise_04_1": STORE_DRAW},
        """
def draws_by_name(ctx, seeds):
    manager = ctx.Manager()
    results = manager.dict()
    children = [ctx.Process(target=exercise_04_1.store_draw, args=(results, n, s))
                for n, s in seeds.items()]
    for child in children:
        child.start()
    join_or_fail(*children, timeout=20)
    return results.copy()
""",
        limit_s=MANAGER_LIMIT_S,
    ),
    Wrong(
        "4.1",
        "copies after the with block",
        "draws_by_name",
        "must happen inside",
        {"exercise_04_1": STORE_DRAW},
        """
def draws_by_name(ctx, seeds):
    with ctx.Manager() as manager:
        results = manager.dict()
        children = [ctx.Process(target=exercise_04_1.store_draw, args=(results, n, s))
                    for n, s in seeds.items()]
        for child in children:
            child.start()
        join_or_fail(*children, timeout=20)
    return results.copy()
""",
        limit_s=MANAGER_LIMIT_S,
    ),
    Wrong(
        "4.2",
        "no lock",
        "exercise_04_2.count_words",
        "updates were lost",
        {
            "exercise_04_2": "def count_words(counts, lock, words):\n    for word in words:\n"
            "        counts[word] = counts.get(word, 0) + 1\n"
        },
    ),
    Wrong(
        "4.2",
        "lock held, the last word skipped",
        "exercise_04_2.count_words",
        "wrote counts['a'] 51 times, not 54 (18 times in words, 3 children); no update was lost",
        {
            "exercise_04_2": "def count_words(counts, lock, words):\n    for word in words[:-1]:\n"
            "        with lock:\n            counts[word] = counts.get(word, 0) + 1\n"
        },
    ),
    Wrong(
        "4.2",
        "missing word",
        "exercise_04_2.count_words",
        "start from 0",
        {
            "exercise_04_2": "def count_words(counts, lock, words):\n    for word in words:\n"
            "        with lock:\n            counts[word] += 1\n"
        },
    ),
    Wrong(
        "4.2",
        "lock never released",
        "exercise_04_2.count_words",
        "waiting in `lock.acquire()` (exercise_04_2.py, line 3, in count_words)",
        {
            "exercise_04_2": "def count_words(counts, lock, words):\n    for word in words:\n"
            "        lock.acquire()\n"
            "        counts[word] = counts.get(word, 0) + 1\n"
        },
    ),
    Wrong(
        "4.3",
        "never registered",
        "exercise_04_3",
        "never registered",
        {
            "exercise_04_3": BEST.format(
                keep="self._best is None or score > self._best[0]", result="result", register=""
            )
        },
    ),
    Wrong(
        "4.3",
        "keeps the last offer",
        "exercise_04_3",
        "the last offer",
        {
            "exercise_04_3": BEST.format(
                keep="True", result="result", register='BestManager.register("Best", Best)'
            )
        },
    ),
    Wrong(
        "4.3",
        "no result method",
        "exercise_04_3",
        "needs a method result()",
        {
            "exercise_04_3": BEST.format(
                keep="self._best is None or score > self._best[0]",
                result="best",
                register='BestManager.register("Best", Best)',
            )
        },
    ),
    # 05-shared-memory
    Wrong(
        "5.1",
        "child unlinks",
        "exercise_05_1.fill_squares",
        "the child unlinked it",
        {
            "exercise_05_1": FILL.format(
                view="np.ndarray((n,), dtype=np.float64, buffer=shm.buf)",
                drop="del view",
                unlink="shm.unlink()",
            )
        },
        posix_only=True,
    ),
    Wrong(
        "5.1",
        "view still alive at close",
        "exercise_05_1.fill_squares",
        "Drop (del) every numpy view",
        {
            "exercise_05_1": FILL.format(
                view="np.frombuffer(shm.buf, dtype=np.float64, count=n)", drop="pass", unlink="pass"
            )
        },
    ),
    Wrong(
        "5.1",
        "float32",
        "exercise_05_1.fill_squares",
        "float32",
        {
            "exercise_05_1": FILL.format(
                view="np.ndarray((n,), dtype=np.float32, buffer=shm.buf)",
                drop="del view",
                unlink="pass",
            )
        },
    ),
    Wrong(
        "5.2",
        "never unlinks",
        "big_result",
        "never unlinked",
        {"exercise_05_2": COMPUTE},
        BIG_RESULT_PARENT.format(unlink=""),
        posix_only=True,
    ),
    Wrong(
        "5.2",
        "child fills the first half only",
        "big_result",
        "the last 1,000,000 of the 2,000,000 elements were never filled",
        {
            "exercise_05_2": COMPUTE.replace(
                "np.sqrt(np.arange(n, dtype=np.float64), out=view)",
                "view[: n // 2] = np.sqrt(np.arange(n // 2, dtype=np.float64))",
            )
        },
        BIG_RESULT_PARENT.format(unlink="\n    shm.unlink()"),
    ),
    Wrong(
        "5.2",
        "returns a view",
        "big_result",
        "view of the shared memory",
        {"exercise_05_2": COMPUTE},
        """
def big_result(ctx, n):
    shm = SharedMemory(create=True, size=n * 8)
    child = ctx.Process(target=exercise_05_2.compute_into, args=(shm.name, n))
    child.start()
    join_or_fail(child, timeout=30)
    view = np.ndarray((n,), dtype=np.float64, buffer=shm.buf)
    big_result.keep = shm  # the segment stays mapped; the answer is still a view
    return view
""",
    ),
    Wrong(
        "5.2",
        "pickles it through a queue",
        "big_result",
        "no shared-memory segment",
        {"exercise_05_2": COMPUTE},
        """
def big_result(ctx, n):
    results = ctx.Queue()
    child = ctx.Process(target=exercise_05_2.send_computed, args=(results, n))
    child.start()
    array = results.get(timeout=30)
    join_or_fail(child, timeout=30)
    return array
""",
    ),
    Wrong(
        "5.3",
        "no cleanup after a crash",
        "result_or_cleanup",
        "left behind",
        parent=CLEANUP_PARENT.format(on_failure='raise ChildFailed("the child failed")'),
        posix_only=True,
    ),
    Wrong(
        "5.3",
        "cleanup assumes the segment exists",
        "result_or_cleanup",
        "catch FileNotFoundError",
        parent=CLEANUP_PARENT.format(
            on_failure="leftover = SharedMemory(name=name)\n"
            "        leftover.close()\n"
            "        leftover.unlink()\n"
            '        raise ChildFailed("the child failed")'
        ),
    ),
    Wrong(
        "5.3",
        "returns None after a crash",
        "result_or_cleanup",
        "instead of raising",
        parent=CLEANUP_PARENT.format(
            on_failure="try:\n"
            "            leftover = SharedMemory(name=name)\n"
            "        except FileNotFoundError:\n"
            "            return None\n"
            "        leftover.close()\n"
            "        leftover.unlink()\n"
            "        return None"
        ),
    ),
]


def _entries_of_later_notebooks() -> list[Wrong]:
    """Entries kept in files of their own, one per notebook: tests/wrong_answers_nbNN.py."""
    import importlib
    from pathlib import Path

    found: list[Wrong] = []
    for path in sorted(Path(__file__).parent.glob("wrong_answers_nb*.py")):
        found += importlib.import_module(f"tests.{path.stem}").WRONG
    return found


WRONG += _entries_of_later_notebooks()


def wrong_answers(*notebooks: int) -> list[Wrong]:
    """The entries for the exercises of the given notebooks."""
    return [w for w in WRONG if int(w.exercise.split(".")[0]) in notebooks]


# How long a wrong answer may run before its check stops it. A spawn start took ~0.3 s on 3.14
# and 3.15 here against ~0.08 s on 3.11 (median of 5, idle 2-core machine), so answers that start
# a manager and three children need longer there to reach the mistake the hint is about.
CHECK_LIMIT_S = 6 if sys.version_info >= (3, 14) else 3


def assert_gets_its_hint(wrong: Wrong, method: str) -> None:
    """Run the wrong answer through its check: failed, with the expected hint, nothing left."""
    import multiprocessing
    import os
    import time
    from pathlib import Path

    from helpers.checks import evaluate
    from helpers.exercises import save_module
    from tests.checks_support import define, notebooks_with_exercises, setup_namespace

    shm = Path("/dev/shm")

    def segments() -> set[str]:
        # Only this process's: other workers' answers have segments of their own in flight.
        mine = f"ex05_{os.getpid()}_*"
        return {p.name for p in shm.glob(mine)} if shm.is_dir() else set()

    import sys

    import pytest

    if wrong.posix_only and sys.platform == "win32":
        pytest.skip("on Windows a segment goes with its last handle: there is no unlink to forget")
    notebook = {int(p.name[:2]): p for p in notebooks_with_exercises()}[
        int(wrong.exercise.split(".")[0])
    ]
    before = segments()
    namespace = setup_namespace(notebook)
    for name, source in wrong.modules.items():
        namespace[name] = save_module(name, source, quiet=True)
        assert namespace[name] is not None, f"{name} did not import"
    if wrong.parent:
        define(wrong.parent, namespace)
    feedback = evaluate(
        wrong.exercise,
        eval(wrong.answer, namespace),
        method=method,
        timeout=wrong.limit_s or CHECK_LIMIT_S,
    )
    assert feedback.status == "failed", str(feedback)
    assert wrong.expect in str(feedback), str(feedback)
    assert multiprocessing.active_children() == []
    left = segments() - before
    if left:  # another test, running in parallel, may have one in flight for a moment
        time.sleep(1.0)
        left &= segments()
    assert left == set(), f"segments left behind: {sorted(left)}"
