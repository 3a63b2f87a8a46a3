"""The command line: a thin face over the library, one module per command group.

Errors in the user's input print one message (field, value, what is allowed) and exit with code 2.

The commands are built in :mod:`lightfabric.cli.root` and load when first used (``app`` here, or
:func:`main` running a command): ``lightfabric --version`` alone answers without loading them.
"""

import atexit
import gc
import sys

from lightfabric import __version__


def __getattr__(name: str):
    if name == "app":
        from lightfabric.cli.root import app
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Entry point: run the app; an unexpected error is reported as a bug, without a traceback."""
    if sys.argv[1:] == ["--version"]:   # the same answer as the app's eager --version, without loading the app
        print(f"lightfabric {__version__}")
        raise SystemExit(0)
    # When the process ends, freezing what is alive spares the interpreter's last collections a walk
    # over every object start-up made (about 50-70 ms of a 0.5 s command); objects are still released,
    # and files closed, as modules are torn down. At exit only: a caller's process that goes on is untouched.
    atexit.register(gc.freeze)
    from lightfabric.cli.root import main as run
    run()
