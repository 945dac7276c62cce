"""Entry point: no arguments opens the window, a subcommand runs the CLI."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run the window (no arguments) or the command line (any argument)."""
    args = sys.argv[1:] if argv is None else argv
    if not args or (len(args) == 2 and args[0] == "--library"):
        from clipper.gui.app import main as gui_main

        return gui_main(args)
    from clipper.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
