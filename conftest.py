# The repository root is on sys.path while testing, so `tests.notebook_matrix` (named in
# pyproject's addopts) and `helpers` import the same way in every pytest worker.
