"""`python -m rulekit` runs the command line."""

import sys

from rulekit.cli import main

sys.exit(main())
