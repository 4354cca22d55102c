"""Many concurrent netmiko sessions, and stopping a lab under load (bounded for 2 cores)."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from netmiko import BaseConnection, ConnectHandler

from engine.lab import DeviceSpec, Lab

pytestmark = [pytest.mark.lab, pytest.mark.heavy]

LabFactory = Callable[..., Lab]


def specs(count: int) -> list[DeviceSpec]:
    return [DeviceSpec(f"R{n}", "admin", "pw", secret="en") for n in range(1, count + 1)]


def open_session(lab: Lab, name: str) -> BaseConnection:
    host, port = lab.endpoint(name)
    return ConnectHandler(
        device_type="cisco_ios",
        host=host,
        port=port,
        username="admin",
        password="pw",
        secret="en",
        conn_timeout=30,
        auth_timeout=30,
        banner_timeout=30,
    )


def one_session(lab: Lab, name: str) -> str:
    conn = open_session(lab, name)
    try:
        conn.enable()
        return str(conn.send_command("show version | include uptime"))
    finally:
        conn.disconnect()


def test_two_hundred_concurrent_sessions_all_succeed(lab_factory: LabFactory) -> None:
    lab = lab_factory(specs(200))
    with ThreadPoolExecutor(max_workers=100) as pool:
        outputs = list(pool.map(lambda name: one_session(lab, name), lab.endpoints))
    assert [o.split()[0] for o in outputs] == list(lab.endpoints)
    assert all(" uptime is " in o for o in outputs)


def test_stop_ends_live_sessions_quickly() -> None:
    lab = Lab(specs(40))
    lab.start()
    with ThreadPoolExecutor(max_workers=40) as pool:
        sessions = list(pool.map(lambda name: open_session(lab, name), lab.endpoints))
    started = time.monotonic()
    lab.stop()
    assert time.monotonic() - started < 2
    deadline = time.monotonic() + 2
    while any(s.is_alive() for s in sessions) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(s.is_alive() for s in sessions)
    for conn in sessions:
        conn.remote_conn_pre.close()
