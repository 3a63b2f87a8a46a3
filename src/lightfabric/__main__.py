"""``python -m lightfabric``: the same as the ``lightfabric`` command."""

from lightfabric.cli import main

if __name__ == "__main__":
    main()
