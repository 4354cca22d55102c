"""What config, ensure and send do on a device, and when they count as a change (replayed)."""

from __future__ import annotations

from collections.abc import Sequence

from engine.actions import Sending, Trace, configure, ensure, send
from engine.configdiff import SHOW_RUNNING, RunningConfig
from engine.drivers import ConnectionSettings, Reply
from engine.drivers.replay import ReplayDriver, Script
from engine.errors import Location
from engine.inventory import Host
from engine.model import Step

RUNNING = "hostname R1\n!\ninterface Loopback0\n ip address 10.0.0.1 255.255.255.255\n!\nend\n"


class Device(ReplayDriver):
    """A replayed device whose running-config takes the top-level lines it is sent."""

    def __init__(self, running: str = RUNNING) -> None:
        super().__init__(Host("R1", "a"), ConnectionSettings(), Script())
        self.running = running

    def send(self, command: str, **kwargs: object) -> Reply:
        self.sent.append(command)
        return Reply(self.running if command == SHOW_RUNNING else "")

    def configure(self, lines: Sequence[str], **kwargs: object) -> Reply:
        self.sent += ["configure terminal", *lines, "end"]
        for line in lines:
            if not line.startswith(" ") and line not in self.running:
                self.running = self.running.replace("end\n", f"{line}\nend\n")
        return Reply("R1(config)#" + "\nR1(config)#".join(lines))


def configured(device: Device, running: RunningConfig, lines: Sequence[str], **how: bool) -> Trace:
    trace = Trace(tuple(lines))
    configure(device, running, trace, Sending(**how))
    return trace


def ensured(device: Device, running: RunningConfig, lines: Sequence[str], **how: bool) -> Trace:
    trace = Trace(tuple(lines))
    ensure(device, running, trace, Sending(**how), absent=(), exact=False, platform="cisco_ios")
    return trace


def test_a_config_step_with_nothing_to_compare_counts_as_a_change_and_reads_nothing() -> None:
    device = Device()
    trace = configured(device, RunningConfig("R1"), ["ntp server 192.0.2.1"])
    assert trace.changed and trace.diff is None
    assert SHOW_RUNNING not in device.sent


def test_a_config_step_that_changes_nothing_is_not_a_change_when_the_config_is_known() -> None:
    device, running = Device(), RunningConfig("R1")
    running.read(device)  # an earlier ensure or --diff read it
    trace = configured(device, running, ["hostname R1"])
    assert device.sent[-4:] == ["configure terminal", "hostname R1", "end", SHOW_RUNNING]
    assert (trace.changed, trace.diff) == (False, None)


def test_a_config_step_with_diff_is_a_change_exactly_when_the_running_config_moved() -> None:
    device, running = Device(), RunningConfig("R1")
    trace = configured(device, running, ["ntp server 192.0.2.1"], diff=True)
    assert trace.changed and trace.diff is not None and "\n+ntp server 192.0.2.1\n" in trace.diff
    assert running.known is not None and "ntp server 192.0.2.1" in running.known
    again = configured(device, running, ["ntp server 192.0.2.1"], diff=True)
    assert (again.changed, again.diff) == (False, None)


def test_check_mode_counts_a_config_step_as_a_change_only_for_lines_not_there() -> None:
    device, running = Device(), RunningConfig("R1")
    running.read(device)
    assert not configured(device, running, ["hostname R1"], check=True).changed
    assert configured(device, running, ["ntp server 192.0.2.1"], check=True).changed
    assert "configure terminal" not in device.sent


def test_ensure_sends_the_missing_lines_then_nothing_on_a_second_pass() -> None:
    device, running = Device(), RunningConfig("R1")
    first = ensured(device, running, ["hostname R1", "ntp server 192.0.2.1"])
    assert (first.commands, first.changed) == (("ntp server 192.0.2.1",), True)
    assert device.sent[-2:] == ["end", SHOW_RUNNING]  # read again after the change
    sent = len(device.sent)
    second = ensured(device, running, ["hostname R1", "ntp server 192.0.2.1"])
    assert (second.commands, second.changed) == ((), False)
    assert device.sent[sent:] == []


def test_ensure_in_check_mode_sends_nothing_and_its_diff_shows_what_it_would() -> None:
    device, running = Device(), RunningConfig("R1")
    trace = ensured(device, running, ["ntp server 192.0.2.1"], check=True, diff=True)
    assert (trace.changed, trace.diff) == (True, "+ntp server 192.0.2.1")
    assert device.sent == [SHOW_RUNNING]


def test_a_send_step_that_writes_to_the_device_drops_the_copy_held() -> None:
    device, running = Device(), RunningConfig("R1")
    running.read(device)
    step = Step("copy", "send", ("copy tftp: running-config",), Location("t.yml"))
    send(step, "cisco_ios", device, running, Trace(step.commands), Sending())
    assert running.known is None
