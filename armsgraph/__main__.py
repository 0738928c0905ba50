"""`python -m armsgraph` runs the command line, as `armsgraph` does."""

import sys

from armsgraph.cli import main

sys.exit(main())
