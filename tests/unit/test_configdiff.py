"""The running-config copy each host keeps for `ensure`, `--diff` and `changed`."""

from __future__ import annotations

import pytest

from engine.configdiff import SHOW_RUNNING, RunningConfig, config_diff
from engine.drivers import ConnectionSettings
from engine.drivers.replay import ReplayDriver, Script
from engine.errors import CommandRejected
from engine.inventory import Host

R1 = Host("R1", "a")


def device(running: str = "hostname R1\n") -> ReplayDriver:
    return ReplayDriver(R1, ConnectionSettings(), Script({SHOW_RUNNING: running}))


def test_the_running_config_is_read_once_and_then_reused() -> None:
    replay, copy = device(), RunningConfig("R1")
    assert copy.read(replay) == copy.read(replay) == "hostname R1\n"
    assert replay.sent == [SHOW_RUNNING]


def test_a_change_drops_the_copy_and_the_next_need_reads_it_again() -> None:
    replay, copy = device(), RunningConfig("R1")
    copy.read(replay)
    copy.changing()
    assert copy.known is None
    copy.read(replay)
    assert replay.sent == [SHOW_RUNNING, SHOW_RUNNING]


def test_the_copy_from_before_the_first_change_is_kept_for_a_rollback() -> None:
    copy = RunningConfig("R1")
    copy.read(device("hostname before\n"))
    copy.changing()
    copy.read(device("hostname after\n"))
    assert (copy.before_changes, copy.known) == ("hostname before\n", "hostname after\n")


def test_a_copy_first_read_after_a_change_is_no_rollback_point() -> None:
    copy = RunningConfig("R1")
    copy.changing()
    copy.read(device())
    assert copy.before_changes is None


def test_a_refused_show_running_config_is_a_rejected_command() -> None:
    with pytest.raises(CommandRejected, match="show running-config: % Invalid input"):
        RunningConfig("R1").read(device("% Invalid input detected at '^' marker."))


def test_the_time_ios_xr_prints_above_a_show_and_junos_commit_stamps_are_no_change() -> None:
    before = "Tue Dec  1 00:18:31.291 UTC\n!! IOS XR Configuration 7.3.2\nhostname xr1\n"
    after = "Tue Dec  1 00:18:31.297 UTC\n!! IOS XR Configuration 7.3.2\nhostname xr1\n"
    assert config_diff(before, after) == ""
    junos = "## Last commit: 2026-12-01 00:17:22 UTC by root\nset system host-name r1"
    assert config_diff(junos, junos.replace("00:17:22", "00:19:02")) == ""
