"""Which personality answers a simulated device's sessions."""

from engine.lab.device import Device, DeviceSpec
from engine.lab.personalities import IosSession, open_session


def test_an_ios_device_is_answered_by_the_ios_personality() -> None:
    session = open_session(Device(DeviceSpec("R1", "admin", "pw")), "admin")
    assert isinstance(session, IosSession)
    assert session.greeting().endswith("R1>")  # no privilege-15 user configured


def test_a_platform_without_a_personality_of_its_own_gets_ios() -> None:
    device = Device(DeviceSpec("R1", "admin", "pw", platform="cisco_something"))
    assert isinstance(open_session(device, "admin"), IosSession)


def test_help_and_completion_reach_the_ios_grammar() -> None:
    session = open_session(Device(DeviceSpec("R1", "admin", "pw")), "admin")
    assert "version" in session.help("show v")
    assert session.complete("show vers") == "show version "


def test_ios_xr_and_junos_devices_are_answered_by_their_own_personalities() -> None:
    xr = Device(DeviceSpec("R1", "admin", "pw", platform="cisco_xr"))
    junos = Device(DeviceSpec("R1", "admin", "pw", platform="juniper_junos"))
    assert open_session(xr, "admin").greeting().endswith("RP/0/RP0/CPU0:R1#")
    assert open_session(junos, "admin").greeting().endswith("admin@R1> ")
