"""The frozen app's entry script (PyInstaller runs it as __main__): same as `python -m clipper`."""

import sys

from clipper.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
