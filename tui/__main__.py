"""`python -m tui` runs the same as the `tracetui` console script."""

import sys

from tui.cli import main

sys.exit(main())
