"""The code base stays lint-clean and fully typed: ruff and mypy --strict on engine/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "tool",
    [
        [sys.executable, "-m", "ruff", "check", "engine", "tests"],
        [sys.executable, "-m", "ruff", "format", "--check", "engine"],
        [sys.executable, "-m", "mypy"],
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_static_checks_pass(tool: list[str]) -> None:
    done = subprocess.run(tool, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
