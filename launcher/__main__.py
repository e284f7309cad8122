"""`python -m launcher <command>`: what the Makefile runs (the commands are in launcher/__init__.py)."""

import sys

from launcher import main

sys.exit(main(sys.argv))
