"""Known-wrong answers to the exercises of 09-beyond-one-machine, and the hint each must get
(merged into tests.checks_wrong_answers.WRONG)."""

from __future__ import annotations

from tests.wrong_answer import Wrong

REPORT = """
from helpers.tasks import remote

def report(address, authkey, x):
    client = remote.ResultsManager(address=address, authkey={key})
    client.connect()
    client.results().put((x, x * x))
"""
COLLECT = """
def collect_over_tcp(ctx, numbers):
    authkey = secrets.token_bytes(16)
    {server}
        children = [
            ctx.Process(target=exercise_09_1.report, args=(server.address, authkey, x))
            for x in numbers
        ]
        for child in children:
            child.start()
        results = server.results()
        {collect}
        join_or_fail(*children, timeout=10)
    return {returned}
"""
WITH_SERVER = (
    'with remote.ResultsManager(address=("127.0.0.1", 0), authkey=authkey, ctx=ctx) as server:'
)
BY_NUMBER = "squares = dict(results.get(timeout=10) for _ in children)"
IN_ORDER = "[squares[x] for x in numbers]"

SEND_SQUARE = """
from multiprocessing.connection import Client

def send_square(address, authkey, x):
    with Client(address{key}) as connection:
        connection.send(x * x)
"""
RECEIVE = """
def receive_one(ctx, target, x, timeout):
    authkey = secrets.token_bytes(16)
    {listen}
        child = ctx.Process(target=target, args=(listener.address, authkey, x))
        child.start()
        try:
            with {accept} as connection:
                if not connection.poll(timeout):
                    raise TimeoutError("nothing sent")
                value = connection.recv()
        except TimeoutError:
            {on_timeout}
            raise
        join_or_fail(child, timeout=timeout)
    return value
"""
LISTEN = 'with Listener(("127.0.0.1", 0), authkey=authkey) as listener:'
BOUNDED = "remote.accept_within(listener, timeout)"
STOP = "child.terminate()\n            child.join(timeout)"

MEANS = """
def means_on_cluster(client, seeds, count):
    samples = [client.submit(remote.make_samples, seed, count) for seed in seeds]
    wait(samples, timeout=30)
    {rest}
"""

WRONG = [
    Wrong(
        "9.1",
        "child uses another key",
        "collect_over_tcp",
        "same authkey",
        {"exercise_09_1": REPORT.format(key='b"secret"')},
        COLLECT.format(server=WITH_SERVER, collect=BY_NUMBER, returned=IN_ORDER),
    ),
    Wrong(
        "9.1",
        "server never shut down",
        "collect_over_tcp",
        "still running after it returned",
        {"exercise_09_1": REPORT.format(key="authkey")},
        COLLECT.format(
            server='server = remote.ResultsManager(address=("127.0.0.1", 0), authkey=authkey, '
            "ctx=ctx)\n    server.start()\n    if True:",
            collect=BY_NUMBER,
            returned=IN_ORDER,
        ),
    ),
    Wrong(
        "9.1",
        "arrival order",
        "collect_over_tcp",
        "in the order the children finish",
        {"exercise_09_1": REPORT.format(key="authkey")},
        COLLECT.format(
            server=WITH_SERVER,
            collect="squares = [results.get(timeout=10)[1] for _ in children]",
            returned="squares",
        ),
    ),
    Wrong(
        "9.1",
        "no address",
        "collect_over_tcp",
        "Unix socket",
        {"exercise_09_1": REPORT.format(key="authkey")},
        COLLECT.format(
            server="with remote.ResultsManager(authkey=authkey, ctx=ctx) as server:",
            collect=BY_NUMBER,
            returned=IN_ORDER,
        ),
    ),
    Wrong(
        "9.2",
        "accept without a timeout",
        "receive_one",
        "Listener.accept() has no timeout",
        {"exercise_09_2": SEND_SQUARE.format(key=", authkey=authkey")},
        RECEIVE.format(listen=LISTEN, accept="listener.accept()", on_timeout=STOP),
    ),
    Wrong(
        "9.2",
        "child connects without the key",
        "receive_one",
        "the key you gave the Listener",
        {"exercise_09_2": SEND_SQUARE.format(key="")},
        RECEIVE.format(listen=LISTEN, accept=BOUNDED, on_timeout=STOP),
    ),
    Wrong(
        "9.2",
        "listener never closed",
        "receive_one",
        "Close the listener on every path",
        {"exercise_09_2": SEND_SQUARE.format(key=", authkey=authkey")},
        RECEIVE.format(
            listen='listener = Listener(("127.0.0.1", 0), authkey=authkey)\n    if True:',
            accept=BOUNDED,
            on_timeout=STOP,
        ),
    ),
    Wrong(
        "9.2",
        "leaves the silent child running",
        "receive_one",
        "left the silent child running",
        {"exercise_09_2": SEND_SQUARE.format(key=", authkey=authkey")},
        RECEIVE.format(listen=LISTEN, accept=BOUNDED, on_timeout="pass"),
    ),
    Wrong(
        "9.3",
        "means computed in the notebook",
        "means_on_cluster",
        "came back to the notebook",
        parent=MEANS.format(
            rest="return [remote.mean(values) for values in client.gather(samples)]"
        ),
    ),
    Wrong(
        "9.3",
        "samples sent back to the cluster",
        "means_on_cluster",
        "from the notebook",
        parent=MEANS.format(
            rest="means = [client.submit(remote.mean, values) for values in "
            "client.gather(samples)]\n"
            "    wait(means, timeout=30)\n"
            "    return client.gather(means)"
        ),
    ),
    Wrong(
        "9.3",
        "returns the futures",
        "means_on_cluster",
        "Futures",
        parent=MEANS.format(
            rest="means = [client.submit(remote.mean, future) for future in samples]\n"
            "    wait(means, timeout=30)\n"
            "    return means"
        ),
    ),
]
