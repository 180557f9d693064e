# The repository root is on sys.path while testing, so `tests.notebook_matrix` (named in
# pyproject's addopts) and `helpers` import the same way in every pytest worker.

import copyreg
import signal

import pytest

# Pickle's registry before any test runs (no test module imports dask at the top).
_PICKLING_AT_START = dict(copyreg.dispatch_table)


def pytest_configure(config):
    """A shell starts background jobs with Ctrl-C ignored (``make test &``, ``nohup``), and
    children inherit that. The tests that interrupt a child, as Ctrl-C would, need it back."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_addoption(parser):
    parser.addoption(
        "--all-start-methods",
        action="store_true",
        help="check every notebook solution and known-wrong answer under every start method "
        "(make stress does), not each under one method in turn",
    )


@pytest.fixture(autouse=True)
def _exceptions_pickle_as_at_start():
    """Importing dask (the 9.x checks, tests/test_remote.py) registers a pickle reducer for every
    exception class then defined: exceptions then carry their tracebacks, or rebuild when they
    should not. Tests share worker processes, so each one starts with exceptions pickled as
    plain Python pickles them (other registrations, numpy's say, stay)."""
    for cls in list(copyreg.dispatch_table):
        if isinstance(cls, type) and issubclass(cls, BaseException):
            if cls in _PICKLING_AT_START:
                copyreg.dispatch_table[cls] = _PICKLING_AT_START[cls]
            else:
                del copyreg.dispatch_table[cls]
    yield
