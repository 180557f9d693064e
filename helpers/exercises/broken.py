"""Parent code with a bug in it, for "fix this" exercises. Learners read it with show_source().

Nothing here is run by the notebooks: the bug is a hang, and the checks show it bounded.
"""

from __future__ import annotations

from typing import Any

from helpers.exercises import children


def collect_payloads(ctx: Any, sizes: list[int]) -> list[int]:
    """Start one child per size; return the sizes of the payloads they sent, in order."""
    results = ctx.Queue()
    workers = [
        ctx.Process(target=children.put_payload, args=(results, index, size))
        for index, size in enumerate(sizes)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()  # first wait until every child has finished ...
    received = dict(results.get(timeout=10) for _ in workers)  # ... then read their results
    results.close()
    results.join_thread()
    return [len(received[index]) for index in range(len(sizes))]
