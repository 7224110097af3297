"""``python -m sync_server`` — the operator CLI."""
import sys

from sync_server.cli import main

sys.exit(main())
