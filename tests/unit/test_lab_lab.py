"""Building a lab: loopback addresses, names, ports (nothing is started here)."""

from __future__ import annotations

import pytest

from engine.lab import DeviceSpec, Lab, LabKnobs
from engine.lab.lab import allocate


def test_addresses_skip_network_and_broadcast_of_each_24() -> None:
    assert allocate("127.0.1.253", 4) == ["127.0.1.253", "127.0.1.254", "127.0.2.1", "127.0.2.2"]


def test_addresses_must_stay_in_loopback() -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.0/8"):
        allocate("10.0.0.1", 1)
    with pytest.raises(ValueError, match="not enough"):
        allocate("127.255.255.254", 2)


def test_device_names_must_be_unique() -> None:
    spec = DeviceSpec("R1", "admin", "pw")
    with pytest.raises(ValueError, match="R1"):
        Lab([spec, spec])


def test_a_fixed_port_must_be_a_real_port() -> None:
    with pytest.raises(ValueError, match="port"):
        Lab([DeviceSpec("R1", "admin", "pw")], port=70000)


def test_endpoints_are_unknown_before_start() -> None:
    lab = Lab([DeviceSpec("R1", "admin", "pw")])
    assert dict(lab.endpoints) == {}
    with pytest.raises(RuntimeError, match="not started"):
        lab.endpoint("R1")
    lab.stop()  # stopping a lab that never started is harmless


def test_restart_delays_replays_each_devices_jittered_delays_from_the_start() -> None:
    knobs = LabKnobs(command_delay=0.2, jitter=0.3)
    lab = Lab([DeviceSpec("R1", "u", "p", knobs=knobs)])
    device = lab._devices[0]
    first = [device.delays.command() for _ in range(3)]
    lab.restart_delays()
    assert [device.delays.command() for _ in range(3)] == first
    assert len(set(first)) == 3  # jittered, so a replay is not trivially equal
