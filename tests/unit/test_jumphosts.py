"""Jump hosts in the inventory: the forms `jump_host:` takes, its precedence, its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import ExitCode, InputError
from engine.inventory import Inventory, load_inventory
from engine.secrets import Mask

LAYERS = """
defaults:
  username: netops
  password: dev-pass-1234
  jump_host: B1
groups:
  far:
    hosts: [R2, R3]
    jump_host: B2
hosts:
  B1: {host: 10.0.0.1, port: 2201, username: jump, password: jump-pass-5678}
  B2: {host: 10.0.0.2, jump_host: null}
  R1: {host: 10.1.0.1}
  R2: {host: 10.1.0.2}
  R3: {host: 10.1.0.3, jump_host: none}
  R4: {host: 10.1.0.4, jump_host: null}
"""


def inventory(tmp_path: Path, text: str) -> Inventory:
    path = tmp_path / "inventory.yml"
    path.write_text(text)
    return load_inventory(path)


def refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(InputError) as caught:
        inventory(tmp_path, text)
    assert caught.value.exit_code == ExitCode.INVALID_INPUT
    return str(caught.value)


def jumps(inv: Inventory) -> dict[str, str | None]:
    return {h.name: h.jump.name if h.jump else None for h in inv.hosts}


def test_jump_host_follows_defaults_then_groups_then_the_host(tmp_path: Path) -> None:
    inv = inventory(tmp_path, LAYERS)
    assert jumps(inv) == {"B1": None, "B2": None, "R1": "B1", "R2": "B2", "R3": None, "R4": None}


def test_a_named_jump_host_brings_its_address_port_and_credentials(tmp_path: Path) -> None:
    jump = inventory(tmp_path, LAYERS).host("R1").jump
    assert jump is not None
    assert (jump.address, jump.port, jump.username, jump.password) == (
        "10.0.0.1",
        2201,
        "jump",
        "jump-pass-5678",
    )


def test_a_jump_host_inherited_by_the_jump_host_itself_leaves_it_direct(tmp_path: Path) -> None:
    assert inventory(tmp_path, LAYERS).host("B1").jump is None


def test_all_leaves_out_the_hosts_others_jump_through_unless_named(tmp_path: Path) -> None:
    inv = inventory(tmp_path, LAYERS)
    assert [h.name for h in inv.select("all")] == ["R1", "R2", "R3", "R4"]
    assert [h.name for h in inv.select("B1,R1")] == ["B1", "R1"]


def test_a_bastion_outside_the_inventory_logs_in_with_the_default_password(
    tmp_path: Path,
) -> None:
    text = "defaults: {username: u, password: dflt-pass-99}\nhosts:\n  R1:\n"
    text += "    jump_host: ops@bastion.example.net:2222\n"
    jump = inventory(tmp_path, text).host("R1").jump
    assert jump is not None
    assert (jump.name, jump.address, jump.port, jump.username, jump.password) == (
        "ops@bastion.example.net:2222",
        "bastion.example.net",
        2222,
        "ops",
        "dflt-pass-99",
    )


def test_a_bastion_address_without_a_port_uses_22_and_may_be_ipv6(tmp_path: Path) -> None:
    text = "hosts:\n  R1: {jump_host: 'ops@[2001:db8::1]'}\n  R2: {jump_host: ops@10.9.9.9}\n"
    inv = inventory(tmp_path, text)
    ends = [(h.jump.address, h.jump.port) for h in inv.hosts if h.jump]
    assert ends == [("2001:db8::1", 22), ("10.9.9.9", 22)]


def test_a_jump_host_may_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NP_TEST_BASTION", "ops@10.9.9.9:2022")
    text = "hosts:\n  R1: {jump_host: '{{ env.NP_TEST_BASTION }}'}\n"
    jump = inventory(tmp_path, text).host("R1").jump
    assert jump is not None and (jump.address, jump.port) == ("10.9.9.9", 2022)


def test_the_bastion_password_is_one_of_the_hosts_secrets(tmp_path: Path) -> None:
    inv = inventory(tmp_path, LAYERS)
    mask = Mask(inv.select("R1")[0].secrets())
    assert mask("login jump-pass-5678 ok") == "login ******** ok"
    assert "jump-pass-5678" not in repr(inv.host("R1"))


def test_an_unknown_jump_host_is_located_with_a_suggestion(tmp_path: Path) -> None:
    text = "hosts:\n  bastion: {host: 10.0.0.1}\n  R1: {host: 10.1.0.1, jump_host: bastoin}\n"
    message = refused(tmp_path, text)
    assert "inventory.yml:3:35: hosts.R1.jump_host: unknown jump host 'bastoin'" in message
    assert "did you mean 'bastion'?" in message


def test_a_jump_host_behind_another_jump_host_is_refused_as_a_chain(tmp_path: Path) -> None:
    text = "defaults: {jump_host: B0}\nhosts:\n  B0:\n  B1:\n  R1: {jump_host: B1}\n"
    message = refused(tmp_path, text)
    assert "hosts.R1.jump_host: jump host 'B1' is itself reached through 'B0'" in message
    assert "chains of jump hosts are not supported" in message


def test_two_hosts_that_jump_through_each_other_are_refused_as_a_cycle(tmp_path: Path) -> None:
    text = "hosts:\n  A: {jump_host: B}\n  B: {jump_host: A}\n"
    assert "jump hosts 'A' and 'B' go through each other (a cycle)" in refused(tmp_path, text)


def test_a_host_naming_itself_as_its_jump_host_is_refused(tmp_path: Path) -> None:
    text = "hosts:\n  R1: {jump_host: R1}\n"
    assert "host 'R1' cannot be its own jump host" in refused(tmp_path, text)


@pytest.mark.parametrize("value", ["'ops@'", "'@10.0.0.1'", "'ops@10.0.0.1:0'", "'a@b:99999'"])
def test_a_malformed_bastion_address_is_refused(tmp_path: Path, value: str) -> None:
    text = f"hosts:\n  R1: {{jump_host: {value}}}\n"
    message = refused(tmp_path, text)
    assert (
        "hosts.R1.jump_host: not a jump host: name a host or write user@address[:port]" in message
    )


def test_a_password_written_into_a_bastion_address_is_refused_not_repeated(
    tmp_path: Path,
) -> None:
    text = "hosts:\n  R1:\n    jump_host: ops:Hunter-2-Pass@10.0.0.1\n"
    message = refused(tmp_path, text)
    assert "not a jump host" in message
    assert "Hunter-2-Pass" not in message


def test_a_jump_host_that_is_not_text_is_refused_by_the_schema(tmp_path: Path) -> None:
    message = refused(tmp_path, "hosts:\n  R1: {jump_host: 5}\n")
    assert "hosts.R1.jump_host" in message


def test_a_devices_yaml_entry_cannot_name_a_jump_host(tmp_path: Path) -> None:
    text = "- {device_type: cisco_ios, ip: 10.0.0.1, jump_host: B1}\n"
    assert "unknown netmiko connection option 'jump_host'" in refused(tmp_path, text)
