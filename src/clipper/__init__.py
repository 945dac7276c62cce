"""Clipper: keep what you read on the web."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("clipper")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

APP_NAME = "Clipper"
APP_ID = "clipper"
