"""`python -m engine` is the `netplay` command."""

from engine.cli import console

if __name__ == "__main__":  # worker processes re-import the main module: they must not run
    console()
