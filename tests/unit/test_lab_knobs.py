"""Parsing the inventory's `lab:` knobs, and the delays they produce."""

from __future__ import annotations

import pytest

from engine.lab import LabKnobs
from engine.lab.knobs import Delays


def test_every_knob_is_read_from_a_mapping() -> None:
    knobs = LabKnobs.from_mapping(
        {
            "connect_delay": 1,
            "command_delay": 0.2,
            "jitter": 0.3,
            "refuse": True,
            "reject_login": False,
            "hang_before_banner": False,
            "hang_on": "show  tech",
            "drop_after": 3,
            "reject": ["show clock"],
        }
    )
    assert knobs == LabKnobs(1.0, 0.2, 0.3, True, False, False, "show tech", 3, ("show clock",))


def test_an_empty_mapping_gives_a_healthy_instant_device() -> None:
    assert LabKnobs.from_mapping({}) == LabKnobs()


def test_an_unknown_knob_is_named_in_the_error() -> None:
    with pytest.raises(ValueError, match="conect_delay"):
        LabKnobs.from_mapping({"conect_delay": 1})


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("connect_delay", "1s"),
        ("command_delay", -1),
        ("jitter", 2),
        ("refuse", "yes"),
        ("hang_on", ""),
        ("drop_after", 0),
        ("drop_after", True),
        ("reject", "show clock"),
        ("reject", [3]),
    ],
)
def test_a_knob_of_the_wrong_type_is_refused(key: str, value: object) -> None:
    with pytest.raises(ValueError, match=key):
        LabKnobs.from_mapping({key: value})


def test_without_jitter_delays_are_exact() -> None:
    delays = Delays("R1", LabKnobs(connect_delay=1.5, command_delay=0.2))
    assert (delays.connect(), delays.command()) == (1.5, 0.2)


def draws(name: str, knobs: LabKnobs, count: int = 20) -> list[float]:
    delays = Delays(name, knobs)
    return [delays.command() for _ in range(count)]


def test_jitter_stays_within_its_fraction_and_repeats_for_the_same_name() -> None:
    knobs = LabKnobs(command_delay=1.0, jitter=0.3)
    first = draws("R1", knobs)
    assert first == draws("R1", knobs)
    assert all(0.7 <= value <= 1.3 for value in first)
    assert len(set(first)) > 1


def test_different_devices_draw_different_jitter() -> None:
    knobs = LabKnobs(command_delay=1.0, jitter=0.3)
    assert Delays("R1", knobs).command() != Delays("R2", knobs).command()
