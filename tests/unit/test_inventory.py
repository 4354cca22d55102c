"""Inventories: netplay's format with its precedence, netmiko's devices.yaml, host patterns."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import InputError
from engine.inventory import PatternError, load_inventory

NETPLAY = """
defaults:
  username: netops
  password: "{{ env.NP_TEST_PASSWORD | default('fallback-pw') }}"
  vars: {site: lab, ntp: 192.0.2.1}
  lab: {command_delay: 0.1}
groups:
  core:
    hosts: [R1]
    vars: {ntp: 192.0.2.2}
    port: 2022
  edge:
    vars: {ntp: 192.0.2.3}
hosts:
  R1: {host: 10.0.0.1, vars: {role: spine}}
  R2: {host: 10.0.0.2, groups: [edge], port: 2200, lab: {jitter: 0.3}}
  R3:
"""

DEVICES = """
routers:
- device_type: cisco_ios
  ip: 192.168.100.1
  username: cisco
  password: cisco-secret
  secret: enable-secret
  global_delay_factor: 2
- device_type: cisco_ios
  host: 192.168.100.2
  name: R2
  username: cisco
  password: cisco-secret
switches:
- device_type: cisco_ios
  ip: 192.168.100.1
  username: cisco
  password: cisco-secret
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "inventory.yml"
    path.write_text(text)
    return path


def test_host_beats_groups_which_beat_defaults(tmp_path: Path) -> None:
    inventory = load_inventory(write(tmp_path, NETPLAY))
    r1, r2, r3 = inventory.hosts
    assert (r1.port, r1.vars["ntp"], r1.vars["site"], r1.vars["role"]) == (
        2022,
        "192.0.2.2",
        "lab",
        "spine",
    )
    assert (r2.port, r2.vars["ntp"], r2.groups) == (2200, "192.0.2.3", ("edge",))
    assert (r3.address, r3.port, r3.vars["ntp"]) == ("R3", 22, "192.0.2.1")
    assert r2.lab == {"command_delay": 0.1, "jitter": 0.3}  # lab knobs merge key by key


def test_credentials_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NP_TEST_PASSWORD", "from-env-pw")
    assert load_inventory(write(tmp_path, NETPLAY)).hosts[0].password == "from-env-pw"
    monkeypatch.delenv("NP_TEST_PASSWORD")
    assert load_inventory(write(tmp_path, NETPLAY)).hosts[0].password == "fallback-pw"


def test_an_unset_environment_variable_is_named(tmp_path: Path) -> None:
    text = "hosts:\n  R1:\n    password: '{{ env.NP_SURELY_UNSET }}'\n"
    with pytest.raises(InputError) as caught:
        load_inventory(write(tmp_path, text))
    assert "environment variable NP_SURELY_UNSET is not set" in caught.value.render()
    assert ":3:" in caught.value.render()


def test_passwords_never_show_in_repr(tmp_path: Path) -> None:
    host = load_inventory(write(tmp_path, DEVICES)).hosts[0]
    assert "cisco-secret" not in repr(host) and "enable-secret" not in repr(host)


def test_a_netmiko_devices_file_is_read_unchanged(tmp_path: Path) -> None:
    inventory = load_inventory(write(tmp_path, DEVICES))
    assert [h.name for h in inventory.hosts] == ["192.168.100.1", "R2"]
    first = inventory.hosts[0]
    assert (first.address, first.platform, first.secret) == (
        "192.168.100.1",
        "cisco_ios",
        "enable-secret",
    )
    assert first.options == {"global_delay_factor": 2}
    assert first.groups == ("routers", "switches")  # listed in two groups, one host
    assert inventory.groups == {"routers": ("192.168.100.1", "R2"), "switches": ("192.168.100.1",)}


DEVICE_LIST = """
- device_type: cisco_ios
  ip: 192.168.100.1
  username: cisco
  password: cisco-secret
  secret: enable-secret
- device_type: cisco_ios
  host: 192.168.100.2
  name: R2
  username: cisco
  password: cisco-secret
  conn_timeout: 20
"""


def test_a_plain_list_of_netmiko_devices_is_read_unchanged_in_no_group(tmp_path: Path) -> None:
    inventory = load_inventory(write(tmp_path, DEVICE_LIST))
    assert [h.name for h in inventory.hosts] == ["192.168.100.1", "R2"]
    first, second = inventory.hosts
    assert (first.address, first.platform, first.secret, first.groups) == (
        "192.168.100.1",
        "cisco_ios",
        "enable-secret",
        (),
    )
    assert (second.address, second.options) == ("192.168.100.2", {"conn_timeout": 20})
    assert inventory.groups == {}
    assert [h.name for h in inventory.select("all")] == ["192.168.100.1", "R2"]


def test_a_device_listed_twice_in_a_plain_list_is_reported_where_it_repeats(
    tmp_path: Path,
) -> None:
    text = DEVICE_LIST + "- {device_type: cisco_ios, ip: 192.168.100.1}\n"
    with pytest.raises(InputError) as caught:
        load_inventory(write(tmp_path, text))
    assert ":13:3: [2]: host '192.168.100.1' is listed twice" in caught.value.render()


def test_a_mistake_in_a_plain_list_is_reported_at_its_device_and_key(tmp_path: Path) -> None:
    text = DEVICE_LIST + "- {device_type: Cisco IOS, ip: 192.168.100.3}\n"
    with pytest.raises(InputError) as caught:
        load_inventory(write(tmp_path, text))
    assert ":13:17: [2].device_type: 'Cisco IOS' is not a netmiko device type" in (
        caught.value.render()
    )


def test_secrets_are_collected_for_masking(tmp_path: Path) -> None:
    assert load_inventory(write(tmp_path, DEVICES)).secrets() == {"cisco-secret", "enable-secret"}


def test_secret_values_inside_lists_of_vars_are_collected(tmp_path: Path) -> None:
    text = "hosts:\n  R1:\n    vars:\n      users: [{name: bob, password: Bob-Pw-9921}]\n"
    assert load_inventory(write(tmp_path, text)).secrets() == {"Bob-Pw-9921"}


@pytest.mark.parametrize("fmt", ["netplay", "netmiko"])
def test_a_username_read_from_the_environment_is_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setenv("NP_TEST_USER", "svc-Heron-6610")
    user = "'{{ env.NP_TEST_USER }}'"
    text = (
        f"hosts:\n  R1: {{username: {user}, password: pw-1234}}\n  R2: {{username: plain}}\n"
        if fmt == "netplay"
        else f"routers:\n- {{device_type: cisco_ios, ip: 10.0.0.1, username: {user}}}\n"
    )
    inventory = load_inventory(write(tmp_path, text))
    assert inventory.hosts[0].username == "svc-Heron-6610"
    assert "svc-Heron-6610" in inventory.secrets() and "plain" not in inventory.secrets()


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("all", ["R1", "R2", "R3"]),
        ("core", ["R1"]),
        ("R*", ["R1", "R2", "R3"]),
        ("all,!R2", ["R1", "R3"]),
        ("core,edge", ["R1", "R2"]),
        ("all,&edge", ["R2"]),
        (["R3", "R1"], ["R1", "R3"]),  # always inventory order
    ],
)
def test_patterns_select_hosts_in_inventory_order(
    tmp_path: Path, pattern: str, expected: list[str]
) -> None:
    inventory = load_inventory(write(tmp_path, NETPLAY))
    assert [h.name for h in inventory.select(pattern)] == expected


def test_an_unknown_name_suggests_the_closest(tmp_path: Path) -> None:
    inventory = load_inventory(write(tmp_path, NETPLAY))
    with pytest.raises(PatternError) as caught:
        inventory.select("cor")
    assert caught.value.hint == "did you mean 'core'?"


def test_a_group_naming_an_unknown_host_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_inventory(write(tmp_path, "groups:\n  g: {hosts: [R9]}\nhosts:\n  R1:\n"))
    assert "unknown host 'R9'" in caught.value.render()


@pytest.mark.parametrize("option", ["ssh_config_file", "session_log"])
def test_an_inventory_cannot_set_netmiko_arguments_that_run_or_write_things(
    tmp_path: Path, option: str
) -> None:
    path = tmp_path / "inventory.yml"
    path.write_text(f"hosts:\n  R1:\n    host: 10.0.0.1\n    options: {{{option}: x}}\n")
    with pytest.raises(InputError) as caught:
        load_inventory(path)
    problem = caught.value.problems[0]
    assert (problem.location.line, problem.location.path) == (4, ("hosts", "R1", "options", option))
    assert f"'{option}' cannot be set in an inventory" in problem.message


def test_a_netmiko_devices_file_cannot_carry_an_ssh_config_file(tmp_path: Path) -> None:
    path = tmp_path / "devices.yaml"
    path.write_text("routers:\n- device_type: cisco_ios\n  ip: 10.0.0.1\n  ssh_config_file: x\n")
    with pytest.raises(InputError, match="ProxyCommand"):
        load_inventory(path)


@pytest.mark.parametrize(
    "text, path",
    [
        (
            "hosts:\n  R1:\n    host: 10.0.0.1\n    options: {global_delay_factr: 2}\n",
            ("hosts", "R1", "options", "global_delay_factr"),
        ),
        (
            "routers:\n- device_type: cisco_ios\n  ip: 10.0.0.1\n  global_delay_factr: 2\n",
            ("routers", 0, "global_delay_factr"),
        ),
    ],
    ids=["netplay options", "devices.yaml"],
)
def test_a_misspelt_netmiko_option_is_reported_at_its_key_with_the_name_meant(
    tmp_path: Path, text: str, path: tuple[str | int, ...]
) -> None:
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(text)
    with pytest.raises(InputError) as caught:
        load_inventory(inventory)
    [problem] = caught.value.problems
    assert (problem.location.line, problem.location.path) == (4, path)
    assert problem.message == "unknown netmiko connection option 'global_delay_factr'"
    assert problem.hint == "did you mean 'global_delay_factor'?"


def test_every_netmiko_connection_option_and_netplays_own_device_keys_are_accepted(
    tmp_path: Path,
) -> None:
    text = "hosts:\n  R1:\n    host: 10.0.0.1\n    options: {fast_cli: false, keepalive: 30}\n"
    assert load_inventory(write(tmp_path, text)).hosts[0].options["keepalive"] == 30
    devices = tmp_path / "devices.yaml"
    devices.write_text(DEVICES + "  name: S1\n  lab: {command_delay: 0.1}\n  verbose: false\n")
    assert load_inventory(devices).host("S1").options == {"verbose": False}
