"""Set-up shared by the integration tests: `opened`, netplay's own driver on lab devices."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from engine.drivers import ConnectionSettings
from engine.drivers.netmiko import NetmikoDriver
from engine.inventory import Host

# The lab makes a new host key at every start: nothing to check it against.
OFF = ConnectionSettings(connect_timeout=5, command_timeout=5, host_key_policy="off")


@pytest.fixture
def opened() -> Iterator[Callable[..., NetmikoDriver]]:
    """`open(host, settings)` returns an open driver; all are closed after the test."""
    drivers: list[NetmikoDriver] = []

    def make(target: Host, settings: ConnectionSettings = OFF) -> NetmikoDriver:
        driver = NetmikoDriver(target, settings)
        drivers.append(driver)
        driver.open()
        return driver

    yield make
    for driver in drivers:
        driver.close()
