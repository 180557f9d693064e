"""Known-wrong answers to the exercises of 06-pools-and-futures, and the hint each must get
(merged into tests.checks_wrong_answers.WRONG)."""

from __future__ import annotations

from tests.wrong_answer import Wrong

SLOW_SQUARE = """
import time

def slow_square(task):
    x, delay = task
    time.sleep(delay)
    return x * x
"""
SQUARES_PARENT = """
def squares_with_pool(ctx, tasks):
    with ctx.Pool(2) as pool:
        {body}
        pool.close()
        pool.join()
    return squares
"""
PARSE_AGE = """
def parse_age(text):
    age = int(text)
    if age < 0:
        raise ValueError(f"an age cannot be negative: {age}")
    return age
"""
AGES_PARENT = """
def ages_and_errors(ctx, texts):
    ages, errors = {{}}, {{}}
    with cf.ProcessPoolExecutor(max_workers=2, {context}) as executor:
        text_of = {{executor.submit(exercise_06_2.parse_age, text): text for text in texts}}
        for future in cf.as_completed(text_of, timeout=10):
            {collect}
    return ages, errors
"""
DEADLINE_PARENT = """
def results_by_deadline(ctx, calls, timeout):
    with ctx.Pool(2) as pool:
        pending = [pool.apply_async(function, args) for function, args in calls]
        end = time.monotonic() + timeout
        results = []
        for result in pending:
            try:
                results.append(result.get(timeout={wait}))
            except {caught}:
                results.append(None)
        {after}
    return results
"""
REMAINING = "max(0.0, end - time.monotonic())"
# 6.3 with one executor per call (a worker that dies breaks its whole executor).
EXECUTORS_PARENT = """
def results_by_deadline(ctx, calls, timeout):
    end = time.monotonic() + timeout
    executors, futures = [], []
    for function, args in calls:
        executors.append(cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx))
        futures.append(executors[-1].submit(function, *args))
    results = []
    for future in futures:
        try:
            results.append(future.result(timeout=max(0.0, end - time.monotonic())))
        except (cf.TimeoutError, BrokenProcessPool):
            results.append(None)
    for executor in executors:
        {shut_down}
    return results
"""

WRONG = [
    # 6.1
    Wrong(
        "6.1",
        "returns the AsyncResults",
        "squares_with_pool",
        "Call it inside the `with` block",
        {"exercise_06_1": SLOW_SQUARE},
        SQUARES_PARENT.format(
            body="squares = [pool.apply_async(exercise_06_1.slow_square, (task,)) "
            "for task in tasks]"
        ),
    ),
    Wrong(
        "6.1",
        "imap_unordered",
        "squares_with_pool",
        "in the order they finish",
        {"exercise_06_1": SLOW_SQUARE},
        SQUARES_PARENT.format(
            body="arriving = pool.imap_unordered(exercise_06_1.slow_square, tasks)\n"
            "        squares = [arriving.next(timeout=10) for _ in tasks]"
        ),
    ),
    Wrong(
        "6.1",
        "child typed into the notebook",
        "squares_with_pool",
        "cannot import it",
        {"exercise_06_1": SLOW_SQUARE},
        SLOW_SQUARE
        + SQUARES_PARENT.format(
            body="squares = pool.map_async(slow_square, tasks).get(timeout=10)"
        ),
    ),
    Wrong(
        "6.1",
        "pool never closed",
        "squares_with_pool",
        "still running when squares_with_pool returned",
        {"exercise_06_1": SLOW_SQUARE},
        """
def squares_with_pool(ctx, tasks):
    pool = ctx.Pool(2)
    return pool.map_async(exercise_06_1.slow_square, tasks).get(timeout=10)
""",
    ),
    # 6.2
    Wrong(
        "6.2",
        "result without try",
        "ages_and_errors",
        "one failing input ended the whole collection",
        {"exercise_06_2": PARSE_AGE},
        AGES_PARENT.format(
            context="mp_context=ctx", collect="ages[text_of[future]] = future.result(timeout=0)"
        ),
    ),
    Wrong(
        "6.2",
        "executor.map",
        "ages_and_errors",
        "one failing input ended the whole collection",
        {"exercise_06_2": PARSE_AGE},
        """
def ages_and_errors(ctx, texts):
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=ctx) as executor:
        ages = dict(zip(texts, executor.map(exercise_06_2.parse_age, texts, timeout=10)))
    return ages, {}
""",
    ),
    Wrong(
        "6.2",
        "no mp_context",
        "ages_and_errors",
        "mp_context=ctx",
        {"exercise_06_2": PARSE_AGE},
        AGES_PARENT.format(
            context="",
            collect="try:\n                ages[text_of[future]] = future.result(timeout=0)\n"
            "            except Exception as error:\n"
            "                errors[text_of[future]] = error",
        ),
    ),
    Wrong(
        "6.2",
        "keeps the futures",
        "ages_and_errors",
        "is a Future",
        {"exercise_06_2": PARSE_AGE},
        AGES_PARENT.format(
            context="mp_context=ctx",
            collect="if future.exception(timeout=0) is None:\n"
            "                ages[text_of[future]] = future\n"
            "            else:\n"
            "                errors[text_of[future]] = future",
        ),
    ),
    Wrong(
        "6.2",
        "returns the exception",
        "ages_and_errors",
        "Let parse_age raise",
        {
            "exercise_06_2": "def parse_age(text):\n    try:\n        age = int(text)\n"
            "    except ValueError as error:\n        return error\n"
            "    if age < 0:\n        return ValueError(age)\n    return age\n"
        },
        AGES_PARENT.format(
            context="mp_context=ctx",
            collect="try:\n                ages[text_of[future]] = future.result(timeout=0)\n"
            "            except Exception as error:\n"
            "                errors[text_of[future]] = error",
        ),
    ),
    # 6.3
    Wrong(
        "6.3",
        "catches the builtin TimeoutError",
        "results_by_deadline",
        "catch multiprocessing.TimeoutError",
        parent=DEADLINE_PARENT.format(wait=REMAINING, caught="TimeoutError", after="pass"),
    ),
    Wrong(
        "6.3",
        "a timeout per get",
        "results_by_deadline",
        "The whole batch gets `timeout` seconds",
        parent=DEADLINE_PARENT.format(
            wait="timeout", caught="multiprocessing.TimeoutError", after="pass"
        ),
    ),
    Wrong(
        "6.3",
        "close and join",
        "results_by_deadline",
        "terminate() the pool instead",
        parent=DEADLINE_PARENT.format(
            wait=REMAINING,
            caught="multiprocessing.TimeoutError",
            after="pool.close()\n        pool.join()",
        ),
    ),
    Wrong(
        "6.3",
        "never terminates the pool",
        "results_by_deadline",
        "terminate() the pool before you return",
        parent="""
def results_by_deadline(ctx, calls, timeout):
    pool = ctx.Pool(2)
    pending = [pool.apply_async(function, args) for function, args in calls]
    end = time.monotonic() + timeout
    results = []
    for result in pending:
        try:
            results.append(result.get(timeout=max(0.0, end - time.monotonic())))
        except multiprocessing.TimeoutError:
            results.append(None)
    pool.close()
    return results
""",
    ),
    Wrong(
        "6.3",
        "one executor for every call",
        "results_by_deadline",
        "the whole executor breaks",
        parent="""
def results_by_deadline(ctx, calls, timeout):
    end = time.monotonic() + timeout
    executor = cf.ProcessPoolExecutor(max_workers=2, mp_context=ctx)
    futures = [executor.submit(function, *args) for function, args in calls]
    results = []
    for future in futures:
        try:
            results.append(future.result(timeout=max(0.0, end - time.monotonic())))
        except (cf.TimeoutError, BrokenProcessPool):
            results.append(None)
    if sys.version_info >= (3, 14):
        executor.terminate_workers()
    else:
        workers = list(executor._processes.values())
        executor.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            worker.terminate()
    wait_for_children(timeout=10)
    return results
""",
    ),
    Wrong(
        "6.3",
        "executors shut down waiting for the hung task",
        "results_by_deadline",
        "executor.terminate_workers() (or kill_workers())",
        parent=EXECUTORS_PARENT.format(
            shut_down="executor.shutdown(wait=True, cancel_futures=True)"
        ),
    ),
]
