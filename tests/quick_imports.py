"""Loaded first by every pytest process (``-p tests.quick_imports`` in pyproject's addopts).

nbformat imports jsonschema, and jsonschema's format checkers import ``rfc3987_syntax`` when it
is installed (jupyter-events pulls it in). That module builds a Lark grammar as it is imported:
2.8 s of CPU against 0.3 s for the rest of nbformat, measured on the course's 2-core machine,
paid by every pytest process, xdist worker and pytest started by a test. No schema the tests
validate asks for the IRI formats it checks (nbformat's schemas name no format at all), so the
tests go without it: jsonschema skips a checker whose module fails to import.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # None: "import rfc3987_syntax" raises ImportError
