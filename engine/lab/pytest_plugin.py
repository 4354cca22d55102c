"""A pytest fixture that serves simulated devices for one test and stops them afterwards.

Register it with `pytest_plugins = ["engine.lab.pytest_plugin"]` in a conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest

from engine.lab.device import DeviceSpec
from engine.lab.lab import Lab

LabFactory = Callable[..., Lab]


@pytest.fixture
def lab_factory() -> Iterator[LabFactory]:
    """`make(devices, **kw)` returns a started Lab (ephemeral ports); all stop at teardown."""
    labs: list[Lab] = []

    def make(devices: Sequence[DeviceSpec], **kwargs: object) -> Lab:
        lab = Lab(devices, **kwargs)  # type: ignore[arg-type]  # port / first_address
        labs.append(lab)
        lab.start()
        return lab

    yield make
    for lab in labs:
        lab.stop()
