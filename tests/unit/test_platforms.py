"""The platform table: every platform complete and consistent with netmiko and hier_config."""

from __future__ import annotations

import re

import pytest
from hier_config import Platform as HierPlatform
from netmiko.ssh_dispatcher import CLASS_MAPPER

from engine.netmiko_args import NETMIKO_DEVICE_TYPES
from engine.platforms import (
    DEFAULT_ERRORS,
    PLATFORMS,
    error_texts,
    hier_config_platform,
    is_netmiko_type,
    lookup,
    show_running,
)
from engine.schema import load_schema

PROMPTS = {  # platform: (exec prompt, config prompt), as the devices print them
    "cisco_ios": ("R1#", "R1(config-if)#"),
    "cisco_xe": ("R1#", "R1(config)#"),
    "cisco_nxos": ("nx1#", "nx1(config)#"),
    "arista_eos": ("switch#", "switch(config-s-netplay-1a2b)#"),
    "cisco_xr": ("RP/0/RP0/CPU0:router#", "RP/0/RP0/CPU0:router(config)#"),
    "juniper_junos": ("user@router>", "user@router#"),
}


def test_the_table_covers_the_six_platforms() -> None:
    assert set(PLATFORMS) == set(PROMPTS)


@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_every_platform_is_a_netmiko_device_type_and_a_hier_config_platform(name: str) -> None:
    platform = PLATFORMS[name]
    assert name in CLASS_MAPPER
    assert platform.hier_config in HierPlatform.__members__


@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_each_platform_prompt_pattern_matches_its_devices_prompts(name: str) -> None:
    platform, (exec_prompt, config_prompt) = PLATFORMS[name], PROMPTS[name]
    assert re.search(platform.exec_prompt, exec_prompt)
    assert re.search(platform.config_prompt, config_prompt)


def test_a_junos_operational_prompt_is_not_taken_for_its_configuration_prompt() -> None:
    junos = PLATFORMS["juniper_junos"]
    assert not re.search(junos.config_prompt, "user@router>")
    assert not re.search(junos.exec_prompt, "user@router#")


def test_commit_platforms_have_a_candidate_and_nothing_to_save() -> None:
    commits = {name for name, p in PLATFORMS.items() if p.commits}
    assert commits == {"cisco_xr", "juniper_junos"}
    assert all(PLATFORMS[name].save is None for name in commits)
    assert all(p.save for name, p in PLATFORMS.items() if name not in commits)


def test_nxos_saves_with_copy_and_ios_with_write_memory() -> None:
    assert PLATFORMS["cisco_nxos"].save == "copy running-config startup-config"
    assert PLATFORMS["cisco_ios"].save == "write memory"


def test_junos_drops_a_candidate_with_rollback_0_and_ios_xr_with_abort() -> None:
    junos, xr = PLATFORMS["juniper_junos"].candidate, PLATFORMS["cisco_xr"].candidate
    assert junos is not None and xr is not None
    assert (junos.commit, junos.abort, junos.check) == ("commit", "rollback 0", "commit check")
    assert (xr.abort, xr.abort_leaves, xr.commit_leaves) == ("abort", True, False)


def test_only_eos_offers_a_config_session() -> None:
    assert [name for name, p in PLATFORMS.items() if p.session] == ["arista_eos"]
    assert PLATFORMS["arista_eos"].session_enter == "configure session {name}"


def test_junos_shows_its_configuration_as_set_commands() -> None:
    assert show_running("juniper_junos") == "show configuration | display set"
    assert show_running("cisco_nxos") == "show running-config"
    assert show_running("hp_procurve") == "show running-config"


def test_junos_has_no_enable_mode_and_paging_is_turned_off_its_own_way() -> None:
    junos = PLATFORMS["juniper_junos"]
    assert not junos.enable
    assert "set cli screen-length 0" in junos.prepare


def test_aliases_find_the_same_platform() -> None:
    assert lookup("cisco_ios_ssh") is PLATFORMS["cisco_ios"]
    assert lookup("juniper") is PLATFORMS["juniper_junos"]
    assert lookup("hp_procurve") is None


def test_error_text_is_the_defaults_and_the_platforms_own() -> None:
    assert error_texts("juniper_junos")[: len(DEFAULT_ERRORS)] == DEFAULT_ERRORS
    assert r"syntax error" in error_texts("juniper_junos")
    assert error_texts("hp_procurve") == DEFAULT_ERRORS


def test_ensure_compares_table_platforms_and_the_generic_ones_hier_config_knows() -> None:
    assert hier_config_platform("juniper_junos") == "JUNIPER_JUNOS"
    assert hier_config_platform("hp_procurve") == "HP_PROCURVE"
    assert hier_config_platform("linux") is None


def test_the_generic_device_types_are_netmikos_ssh_ones() -> None:
    ssh = {name for name in CLASS_MAPPER if not name.endswith(("_telnet", "_serial"))}
    assert set(NETMIKO_DEVICE_TYPES) == ssh
    assert is_netmiko_type("hp_procurve") and not is_netmiko_type("cisco_iso")


def test_the_inventory_schema_names_every_platform_of_the_table() -> None:
    definitions = load_schema("inventory")["$defs"]
    for key in ("platform", "platform_generic"):
        described = definitions[key]["description"]
        assert all(name in described for name in PLATFORMS), key
