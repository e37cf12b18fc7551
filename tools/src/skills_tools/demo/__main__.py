"""`python -m skills_tools.demo` (what `make demo` runs)."""

import sys

from skills_tools.demo.runner import main

sys.exit(main())
