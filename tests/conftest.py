"""Shared test set-up: the lab fixture (`lab_factory`) and the `heavy` marker."""

from __future__ import annotations

import pytest

pytest_plugins = ["engine.lab.pytest_plugin"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "heavy: a bounded slow test (load, packaging), part of the default run "
        "(deselect with -m 'not heavy')",
    )
