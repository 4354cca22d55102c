"""`python -m engine` is the `netplay` command."""

from engine.cli import main

raise SystemExit(main())
