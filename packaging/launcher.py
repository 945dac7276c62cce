"""The frozen app's entry script (PyInstaller runs it as __main__): same as `python -m clipper`."""

import multiprocessing
import sys

from clipper.__main__ import main

if __name__ == "__main__":
    # Bulk adds extract in worker processes (clipper.core.bulk): when the frozen binary is
    # started as the fork server or a resource tracker, this runs that instead of Clipper.
    multiprocessing.freeze_support()
    sys.exit(main())
