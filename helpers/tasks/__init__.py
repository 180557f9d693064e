"""Child-side code: every function a child process runs, one module per notebook.

Each function is top level and importable, so spawn and forkserver children can find it
by name. Children stay silent: they hand results back and the parent prints them.
"""
