"""The ``conflictkg`` command (also ``python -m conflictkg`` where the console script is not on PATH)."""

from conflictkg.allocator import start_tuned


def main() -> None:
    """The allocator tuned first (allocator.start_tuned: before the sub-commands' imports, which an
    execution again would repeat), then the sub-command."""
    start_tuned()
    from conflictkg.cli import app

    app()


if __name__ == "__main__":
    main()
