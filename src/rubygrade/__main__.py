"""``python -m rubygrade``."""

from rubygrade.cli import main

raise SystemExit(main())
