"""`python -m wan_r2v.cli`: the same as the `wan-r2v` command."""

from __future__ import annotations

import sys

from . import main

if __name__ == "__main__":
    sys.exit(main())
