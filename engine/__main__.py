"""`python -m engine` is the `netplay` command."""

from engine.cli import console

console()
