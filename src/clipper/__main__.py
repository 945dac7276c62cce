"""Entry point: no arguments (or only files and links) opens the window; a command runs the CLI."""

from __future__ import annotations

import sys


def _is_source(arg: str) -> bool:
    """A link or an existing file, as a file manager or a browser hands them over."""
    from pathlib import Path

    return "://" in arg or arg.startswith("file:") or Path(arg).expanduser().is_file()


def _wants_window(args: list[str]) -> bool:
    """No command: the window, possibly with files or links to clip.

    Anything else (a command, an option, a typo) goes to the CLI, which explains itself.
    """
    rest = args[2:] if args[:1] == ["--library"] else args
    if not rest:  # the plain start: the window, without loading the CLI's modules
        return True
    from clipper.cli import COMMANDS

    if rest[0] in COMMANDS:  # even if a file of that name sits in this folder
        return False
    return all(_is_source(a) for a in rest)


def main(argv: list[str] | None = None) -> int:
    """Run the window or the command line; returns the exit code."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--self-test"]:
        from clipper.selftest import run

        return run()
    if _wants_window(args):
        from clipper.gui.app import main as gui_main

        return gui_main(args)
    from clipper.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
