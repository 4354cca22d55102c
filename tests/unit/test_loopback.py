"""`--lab` stays on loopback: connection overrides are dropped and named, and the driver
factory refuses anything else."""

from __future__ import annotations

import pytest

from engine.drivers import ConnectionSettings
from engine.drivers.loopback import ignored_warning, lab_host, loopback_only
from engine.drivers.replay import ReplayDriver, Script
from engine.errors import Unreachable
from engine.inventory import Host
from engine.jumphosts import JumpHost

OUTSIDE = JumpHost("ops@192.0.2.50:2222", "192.0.2.50", 2222, "ops")


def replay(host: Host, settings: ConnectionSettings) -> ReplayDriver:
    return ReplayDriver(host, settings, Script())


def test_a_lab_host_keeps_timing_options_and_drops_those_that_redirect_it() -> None:
    options = {"host": "10.255.255.1", "port": 9, "ssh_config_file": "cfg", "fast_cli": False}
    host = Host("R1", "192.168.100.1", options=options)
    moved, dropped = lab_host(host, "127.0.1.1", 2222)
    assert (moved.address, moved.port, dict(moved.options)) == (
        "127.0.1.1",
        2222,
        {"fast_cli": False},
    )
    assert dropped == ("host", "port", "ssh_config_file")


def test_the_warning_is_one_line_naming_the_options_and_their_hosts() -> None:
    dropped = {f"R{i}": ("sock",) for i in range(1, 8)} | {"S1": ("host", "port"), "S2": ()}
    warning = ignored_warning(dropped)
    assert warning is not None and "\n" not in warning
    assert warning.endswith("sock (R1, R2, R3, R4, R5 and 2 more); host, port (S1)")
    assert ignored_warning({"R1": ()}) is None


@pytest.mark.parametrize(
    "host",
    [
        Host("R1", "10.255.255.1"),
        Host("R1", "localhost"),
        Host("R1", "127.0.1.1", options={"sock": "anything"}),
        Host("R1", "127.0.1.1", options={"ssh_config_file": "proxy.cfg"}),
        Host("R1", "127.0.1.1", jump=OUTSIDE),
    ],
    ids=["address", "name", "sock", "ssh_config_file", "jump_host"],
)
def test_the_lab_driver_factory_refuses_anything_off_loopback(host: Host) -> None:
    with pytest.raises(Unreachable, match=r"--lab connects only to 127\.0\.0\.0/8"):
        loopback_only(replay)(host, ConnectionSettings())


def test_the_lab_driver_factory_lets_loopback_hosts_through() -> None:
    host = Host("R1", "127.0.1.1", options={"global_delay_factor": 2})
    assert isinstance(loopback_only(replay)(host, ConnectionSettings()), ReplayDriver)


def test_a_lab_host_goes_through_its_bastions_lab_endpoint() -> None:
    host = Host("R1", "192.168.100.1", jump=OUTSIDE)
    moved, _ = lab_host(host, "127.0.1.2", 2222, ("127.0.1.1", 2200))
    assert moved.jump is not None
    assert (moved.jump.name, moved.jump.address, moved.jump.port) == (
        OUTSIDE.name,
        "127.0.1.1",
        2200,
    )
    assert isinstance(loopback_only(replay)(moved, ConnectionSettings()), ReplayDriver)
