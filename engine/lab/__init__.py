"""Simulated Cisco IOS devices served over real SSH on loopback.

netmiko's `cisco_ios` driver (file transfer included), scrapli's IOS-XE driver and
Ansible's `network_cli` work against them unchanged.
Used by `netplay --lab`, `netplay lab serve`, the integration tests and the benchmarks.

    with Lab([DeviceSpec("R1", "admin", "secret", secret="enable")]) as lab:
        address, port = lab.endpoint("R1")
"""

from __future__ import annotations

from engine.lab.device import DeviceSpec
from engine.lab.knobs import LabKnobs
from engine.lab.lab import Lab, LabError, serve_forever

__all__ = ["DeviceSpec", "Lab", "LabError", "LabKnobs", "serve_forever"]
