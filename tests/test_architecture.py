"""The core never imports Qt (checked in a fresh interpreter); one version everywhere.

The one exception is clipper.core.export.pdf (PDF rendering uses QtGui); nothing
else in the core may import it at module level.
"""

from __future__ import annotations

import subprocess
import sys


def test_core_imports_no_qt() -> None:
    code = (
        "import sys, pkgutil, importlib, clipper.core as c\n"
        "for m in pkgutil.walk_packages(c.__path__, 'clipper.core.'):\n"
        "    if m.name != 'clipper.core.export.pdf':\n"
        "        importlib.import_module(m.name)\n"
        "qt = ('PySide6', 'shiboken6', 'clipper.gui')\n"
        "bad = sorted(n for n in sys.modules if n.startswith(qt))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_version_matches_pyproject() -> None:
    import tomllib
    from importlib.metadata import version
    from pathlib import Path

    import clipper

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    declared = tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"]
    assert clipper.__version__ == declared == version("clipper")
