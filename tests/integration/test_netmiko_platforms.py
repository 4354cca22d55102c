"""The netmiko driver on each platform over real SSH against the lab: prompts, commits,
dropped candidates, config sessions and saves, checked on the device's committed config."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from engine.drivers.netmiko import NetmikoDriver
from engine.inventory import Host
from engine.lab import DeviceSpec, Lab, LabKnobs

pytestmark = pytest.mark.lab

LabFactory = Callable[..., Lab]
PASSWORD = "pw-Quokka-7731"
SECRET = "en-Wombat-5529"
JUNOS_SET = "show configuration | display set"
BAD_JUNOS = "set system ntp servr 192.0.2.7"


def device(lab_factory: LabFactory, platform: str, **knobs: Any) -> tuple[Lab, Host]:
    name = platform.split("_")[-1] + "1"
    spec = DeviceSpec(
        name, "netops", PASSWORD, secret=SECRET, knobs=LabKnobs(**knobs), platform=platform
    )
    lab = lab_factory([spec])
    address, port = lab.endpoint(name)
    host = Host(
        name, address, port, platform=platform, username="netops", password=PASSWORD, secret=SECRET
    )
    return lab, host


def test_junos_opens_in_operational_mode_without_enable_and_with_paging_off(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    _, junos = device(lab_factory, "juniper_junos")
    driver = opened(junos)
    assert driver.prompt == "netops@junos1>"
    assert "---(more" not in driver.send(JUNOS_SET).output


def test_a_junos_change_is_committed_and_seen_by_a_new_session(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    _, junos = device(lab_factory, "juniper_junos")
    reply = opened(junos).configure(["set system ntp server 192.0.2.5"])
    assert reply.error is None and "commit complete" in reply.output
    assert "set system ntp server 192.0.2.5" in opened(junos).send(JUNOS_SET).output


def test_a_rejected_junos_line_leaves_nothing_committed(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    _, junos = device(lab_factory, "juniper_junos")
    driver = opened(junos)
    before = opened(junos).send(JUNOS_SET).output
    lines = ["set system host-name changed-r1", BAD_JUNOS, "set system domain-name x.example"]
    reply = driver.configure(lines)
    assert reply.error is not None and reply.error.startswith(f"'{BAD_JUNOS}': syntax error")
    assert reply.error.endswith("nothing was committed") and reply.applied is False
    assert "rollback 0" in reply.output and "\ncommit" not in reply.output
    assert driver.prompt == "netops@junos1>"  # back in operational mode
    assert opened(junos).send(JUNOS_SET).output == before
    # the candidate is empty again: the next commit carries nothing of the dropped step
    assert driver.configure(["set system ntp server 192.0.2.6"]).error is None
    after = opened(junos).send(JUNOS_SET).output
    assert "changed-r1" not in after and "set system ntp server 192.0.2.6" in after


def test_a_junos_commit_the_device_refuses_fails_with_its_error_and_commits_nothing(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    _, junos = device(lab_factory, "juniper_junos", reject=("set system ntp",))
    driver = opened(junos)
    before = driver.send(JUNOS_SET).output
    reply = driver.configure(
        ["set system domain-name y.example", "set system ntp server 192.0.2.8"]
    )
    assert reply.error == (
        "commit refused: error: configuration check-out failed; nothing was committed"
    )
    assert opened(junos).send(JUNOS_SET).output == before


def test_an_ios_xr_rejected_line_is_aborted_and_nothing_is_committed(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    _, xr = device(lab_factory, "cisco_xr")
    driver = opened(xr)
    reply = driver.configure(["hostname CHANGED", "ntp servr 192.0.2.1"])
    assert reply.error is not None and reply.error.startswith("'ntp servr 192.0.2.1': % Invalid")
    assert driver.prompt == "RP/0/RP0/CPU0:xr1#"
    assert "hostname CHANGED" not in opened(xr).send("show running-config").output


def test_an_ios_xr_commit_the_device_refuses_is_aborted(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    _, xr = device(lab_factory, "cisco_xr", reject=("ntp server",))
    driver = opened(xr)
    reply = driver.configure(["hostname CHANGED", "ntp", " server 192.0.2.1"])
    assert reply.error is not None and reply.error.startswith("commit refused: % Failed to commit")
    running = opened(xr).send("show running-config").output
    assert "CHANGED" not in running and "192.0.2.1" not in running


def test_an_ios_xr_change_is_committed_and_nothing_is_saved(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    _, xr = device(lab_factory, "cisco_xr")
    driver = opened(xr)
    assert driver.configure(["ntp", " server 192.0.2.9"]).error is None
    assert "server 192.0.2.9" in opened(xr).send("show running-config").output
    assert driver.save().output == ""


def test_an_eos_config_session_commits_the_lines_together(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    _, eos = device(lab_factory, "arista_eos")
    driver = opened(replace(eos, config_session=True))
    reply = driver.configure(["ntp server 192.0.2.4"])
    assert reply.error is None and "configure session netplay-" in reply.output
    assert "ntp server 192.0.2.4" in opened(eos).send("show running-config").output


def test_an_eos_config_session_with_a_refused_line_applies_nothing(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    _, eos = device(lab_factory, "arista_eos")
    driver = opened(replace(eos, config_session=True))
    reply = driver.configure(["ntp server 192.0.2.4", "ntp servr 192.0.2.5"])
    assert reply.error is not None and reply.applied is False
    assert "abort" in reply.output
    assert "192.0.2.4" not in opened(eos).send("show running-config").output


def test_nxos_saves_with_copy_running_config_startup_config(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    _, nxos = device(lab_factory, "cisco_nxos")
    driver = opened(nxos)
    assert driver.configure(["ntp server 192.0.2.3"]).error is None
    reply = driver.save()
    assert reply.error is None and "Copy complete" in reply.output
    assert "ntp server 192.0.2.3" in driver.send("show startup-config").output


def test_a_generic_netmiko_type_uses_netmikos_config_mode_and_save_with_the_default_errors(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    # cisco_asa's netmiko driver speaks close enough to IOS for the IOS lab to answer it
    _, asa = device(lab_factory, "cisco_asa")
    driver = opened(replace(asa, platform_generic=True))
    reply = driver.configure(["ntp server 192.0.2.1", "ntp servr x", "ntp server 192.0.2.2"])
    assert reply.error == "% Invalid input detected at '^' marker."
    assert "192.0.2.2" not in reply.output and reply.output.rstrip().endswith("asa1#")
    assert "Building configuration" in driver.save().output  # netmiko's `write mem`


def test_junos_refuses_a_step_while_others_changes_wait_in_the_shared_candidate(
    lab_factory: LabFactory, opened: Callable[..., NetmikoDriver]
) -> None:
    _, junos = device(lab_factory, "juniper_junos")
    someone = opened(junos)
    someone.send("configure")
    someone.send("set system host-name not-yet")  # left uncommitted in the shared candidate
    reply = opened(junos).configure(["set system ntp server 192.0.2.10"])
    assert reply.error == (
        "'configure private': error: shared configuration database modified; nothing was sent"
    )
    committed = opened(junos).send(JUNOS_SET).output
    assert "not-yet" not in committed and "192.0.2.10" not in committed
