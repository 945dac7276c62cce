"""Clipper: keep what you read on the web."""

# Kept equal to pyproject.toml's version by a test (tests/test_architecture.py). Reading it
# from the installed metadata instead took 50 ms of every start (importlib.metadata).
__version__ = "0.1.0"

APP_NAME = "Clipper"
APP_ID = "clipper"
