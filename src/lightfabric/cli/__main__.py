"""``python -m lightfabric.cli``: the command line."""

from lightfabric.cli import main

main()
