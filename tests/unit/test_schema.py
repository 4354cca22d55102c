"""Playbooks and inventories are checked against JSON Schemas, with errors in plain words."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from engine.errors import InputError, Problem
from engine.schema import load_schema, suggest, validate
from engine.source import parse_yaml

PLAYBOOK = """\
name: Describe uplinks
hosts: routers
vars: {uplink: Ethernet0/0}
steps:
  - name: Read interfaces
    send: show ip interface brief
    register: intf
  - name: Label the uplink
    config:
      - interface {{ uplink }}
      - description peer of {{ hostvars['R2'].intf.output | length }} chars
    when: "'up' in intf.output"
"""

DEVICES_YAML = """\
routers:
- device_type: cisco_ios
  ip: 192.168.100.1
  username: cisco
  password: cisco
  secret: cisco
"""

INVENTORY = """\
defaults:
  username: admin
  password: "{{ env.NET_PASSWORD }}"
  platform: cisco_ios
groups:
  core: {hosts: [R1, R2], vars: {asn: 65000}, options: {fast_cli: false}}
  edge:
hosts:
  R1: {host: 192.168.100.1, port: 2201}
  R2:
  R3:
    host: r3.lab.example
    groups: [core]
    lab: {connect_delay: 0.2, command_delay: 0.05, jitter: 0.1, refuse: false,
          reject_login: false, hang_before_banner: false, hang_on: show tech,
          drop_after: 3, reject: [reload]}
"""


def problems(text: str, schema: str = "playbook") -> tuple[Problem, ...]:
    with pytest.raises(InputError) as caught:
        validate(parse_yaml(text, "site.yaml"), schema)
    return caught.value.problems


def only_problem(text: str, schema: str = "playbook") -> Problem:
    found = problems(text, schema)
    assert len(found) == 1, [p.render() for p in found]
    return found[0]


def play(steps: str, extra: str = "") -> str:
    return f"name: p\nhosts: all\n{extra}steps:\n{steps}"


# --- the schemas themselves ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["playbook", "inventory"])
def test_schema_files_are_valid_draft_2020_12(name: str) -> None:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith(f"{name}.schema.json")
    assert schema["title"] and schema["description"]


def properties(node: Any, root: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (name, schema) under a "properties" keyword, with a "$ref" followed once."""
    if isinstance(node, list):
        for item in node:
            yield from properties(item, root)
    elif isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            ref = sub.get("$ref", "#/").removeprefix("#/$defs/")
            yield name, {**root["$defs"].get(ref, {}), **sub}
        for value in node.values():
            yield from properties(value, root)


@pytest.mark.parametrize("name", ["playbook", "inventory"])
def test_every_property_is_documented(name: str) -> None:
    schema = load_schema(name)
    undocumented = [key for key, sub in properties(schema, schema) if not sub.get("description")]
    assert undocumented == []


def test_unknown_schema_names_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="no schema named 'playbok'"):
        load_schema("playbok")


# --- valid files --------------------------------------------------------------------------


def test_the_example_playbook_validates() -> None:
    validate(parse_yaml(PLAYBOOK, "site.yaml"), "playbook")


def test_a_list_of_plays_validates() -> None:
    text = "- name: a\n  hosts: [core, 'edge-*']\n  strategy: pipeline\n  steps: [{send: [x, y]}]\n"
    validate(
        parse_yaml(text + "- name: b\n  hosts: all\n  steps: [{config: x}]\n", "p.yaml"), "playbook"
    )


def test_netmiko_devices_yaml_validates_unchanged() -> None:
    validate(parse_yaml(DEVICES_YAML, "devices.yaml"), "inventory")


def test_netmiko_devices_may_carry_any_other_netmiko_argument() -> None:
    text = DEVICES_YAML + "  global_delay_factor: 2\n  session_log: out.log\n"
    validate(parse_yaml(text, "devices.yaml"), "inventory")


def test_a_netplay_inventory_validates() -> None:
    validate(parse_yaml(INVENTORY, "inventory.yaml"), "inventory")


def test_validating_500_hosts_is_quick() -> None:
    lines = ["hosts:"] + [
        f"  R{i}: {{host: 10.0.{i // 250}.{i % 250}, port: 22}}" for i in range(500)
    ]
    doc = parse_yaml("\n".join(lines) + "\n", "inventory.yaml")
    start = time.perf_counter()
    validate(doc, "inventory")
    assert time.perf_counter() - start < 0.5


# --- playbook errors ----------------------------------------------------------------------


def test_a_misspelled_key_gets_did_you_mean() -> None:
    problem = only_problem(PLAYBOOK.replace("    send:", "    sendd:"))
    assert problem.render() == (
        "site.yaml:6:5: steps[0].sendd: unknown key 'sendd'\n"
        "     6 |     sendd: show ip interface brief\n"
        "       |     ^\n"
        "  hint: did you mean 'send'?"
    )


def test_an_unknown_key_without_a_close_match_lists_the_allowed_keys() -> None:
    problem = only_problem(play("  - send: x\n    colour: red\n"))
    assert problem.message == "unknown key 'colour'"
    assert problem.hint == "allowed keys: name, send, config, register, when, vars"
    assert (problem.location.line, problem.location.column) == (5, 5)


def test_a_wrong_type_says_what_was_expected_and_what_was_found() -> None:
    problem = only_problem(play("  - send: 42\n"))
    assert problem.message == "expected a string or a list of strings, got a number"
    assert problem.location.path == ("steps", 0, "send")
    assert problem.hint == "put the value in quotes to make it text"


def test_a_wrong_item_in_a_list_is_located_at_the_item() -> None:
    problem = only_problem(play("  - send: [show version, {x: 1}]\n"))
    assert problem.message == "expected a string, got a mapping"
    assert problem.location.path == ("steps", 0, "send", 1)
    assert (problem.location.line, problem.location.column) == (4, 26)


def test_an_empty_value_says_to_check_the_indentation() -> None:
    problem = only_problem("name: p\nhosts: all\nsteps:\n- send: x\nvars:\n")
    assert problem.message == "expected a mapping, got null"
    assert problem.hint is not None and "indented" in problem.hint


def test_a_missing_required_key_is_located_at_the_mapping() -> None:
    problem = only_problem("- name: p\n  steps: [{send: x}]\n")
    assert problem.render() == (
        "site.yaml:1:3: [0]: missing required key 'hosts'\n"
        "     1 | - name: p\n"
        "       |   ^\n"
        "  hint: 'hosts': Where to run: a group name, a host name, 'all', or a glob pattern "
        "such as 'edge-*'; or a list of these"
    )


def test_an_enum_lists_the_choices_and_suggests_the_closest() -> None:
    problem = only_problem(play("  - send: x\n", extra="strategy: lockstepp\n"))
    assert problem.message == "must be one of: lockstep, pipeline"
    assert problem.hint == "did you mean 'lockstep'?"


def test_a_step_without_an_action_says_which_actions_exist() -> None:
    problem = only_problem(play("  - name: nothing to do\n"))
    assert problem.message == "a step needs exactly one action: send or config"
    assert problem.location.path == ("steps", 0)


def test_a_step_with_two_actions_names_them() -> None:
    problem = only_problem(play("  - send: show run\n    config: hostname R1\n"))
    assert problem.message == "a step can have only one action, found send and config"
    assert (problem.location.line, problem.location.column) == (5, 5)


def test_a_misspelled_action_does_not_also_report_the_missing_action() -> None:
    found = problems(play("  - confgi: hostname R1\n"))
    assert [p.message for p in found] == ["unknown key 'confgi'"]
    assert found[0].hint == "did you mean 'config'?"


def test_register_must_be_a_variable_name() -> None:
    problem = only_problem(play("  - send: x\n    register: 2nd-result\n"))
    assert problem.message == (
        "'2nd-result' is not a valid name: use letters, digits and '_', not starting with a digit"
    )


def test_variable_names_are_checked_at_the_key() -> None:
    found = problems(play("  - send: x\n", extra="vars: {my-var: 1, 10: ten}\n"))
    assert [(p.location.column, p.message) for p in found] == [
        (8, "'my-var' is not a valid name: use letters, digits and '_', not starting with a digit"),
        (19, "key 10 must be a string"),
    ]


def test_a_play_needs_at_least_one_step() -> None:
    assert (
        only_problem("name: p\nhosts: all\nsteps: []\n").message == "a play needs at least one step"
    )


def test_a_playbook_must_be_a_play_or_a_list_of_plays() -> None:
    problem = only_problem("just words\n")
    assert problem.message == (
        "expected a play (a mapping with name, hosts and steps) or a list of plays, got a string"
    )


def test_all_problems_are_reported_in_file_order() -> None:
    text = "name: p\nhosts: 5\nsteps:\n  - send: x\n    when: [1]\n  - sendd: y\n"
    found = problems(text)
    assert [p.location.line for p in found] == [2, 5, 6]


# --- inventory errors ---------------------------------------------------------------------


def test_inventory_errors_name_the_netplay_format_keys() -> None:
    problem = only_problem("host:\n  R1: {}\n", "inventory")
    assert (problem.message, problem.hint) == ("unknown key 'host'", "did you mean 'hosts'?")


def test_a_netplay_host_is_checked_key_by_key() -> None:
    text = "hosts:\n  R1: {host: 10.0.0.1, port: 70000, platfrom: cisco_ios, password: 1234}\n"
    assert [p.message for p in problems(text, "inventory")] == [
        "must be between 1 and 65535, got 70000",
        "unknown key 'platfrom'",
        "expected a string, got a number",
    ]


def test_a_netmiko_group_must_be_a_list_of_devices() -> None:
    problem = only_problem(DEVICES_YAML + "switches: {device_type: cisco_ios}\n", "inventory")
    assert problem.message == "expected a list of devices, got a mapping"
    assert problem.location.path == ("switches",)


def test_a_netmiko_device_needs_an_address_and_typed_known_keys() -> None:
    text = "routers:\n- device_type: cisco ios\n  port: '22'\n"
    assert [p.message for p in problems(text, "inventory")] == [
        "a device needs an address: ip or host",
        "'cisco ios' is not a netmiko device type (lower-case letters, digits and '_', "
        "e.g. cisco_ios)",
        "expected a whole number, got a string",
    ]


def test_lab_settings_are_checked() -> None:
    text = "hosts:\n  R1:\n    lab: {jitter: 2, drop_after: 0, refuse: 1, slow: true}\n"
    assert [p.message for p in problems(text, "inventory")] == [
        "must be between 0 and 1, got 2",
        "must be at least 1, got 0",
        "expected true or false, got a number",
        "unknown key 'slow'",
    ]


def test_a_host_name_must_be_text() -> None:
    problem = only_problem("hosts:\n  R1:\n  7: {}\n", "inventory")
    assert problem.message == "key 7 must be a name (text)"
    assert problem.location.line == 3


def test_an_inventory_must_be_a_mapping() -> None:
    problem = only_problem("- R1\n", "inventory")
    assert problem.message.startswith("expected a mapping (a netplay inventory")


# --- suggestions --------------------------------------------------------------------------


def test_suggest_offers_the_closest_name() -> None:
    assert suggest("sendd", ["send", "config"]) == "did you mean 'send'?"
    assert suggest("core1", ["CORE1", "edge"]) == "did you mean 'CORE1'?"


def test_suggest_stays_quiet_when_nothing_is_close() -> None:
    assert suggest("banana", ["send", "config"]) is None


# --- robustness ---------------------------------------------------------------------------

KEYS = [
    "name",
    "hosts",
    "steps",
    "send",
    "config",
    "vars",
    "register",
    "when",
    "strategy",
    "defaults",
    "groups",
    "host",
    "port",
    "platform",
    "lab",
    "jitter",
    "device_type",
    "ip",
    "options",
    "routers",
    "R1",
    "1",
    "<<",
]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8))
DATA = st.recursive(
    SCALARS | st.sampled_from(KEYS),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.integers(0, 3), inner, max_size=5)
    ),
    max_leaves=25,
)
JUNK = st.binary(max_size=200).map(lambda raw: raw.decode("latin-1"))
YAML_TEXT = DATA.map(lambda data: yaml.safe_dump(data, allow_unicode=True))


@settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.one_of(st.text(max_size=200), YAML_TEXT, JUNK),
    schema=st.sampled_from(["playbook", "inventory"]),
)
def test_any_input_only_ever_raises_input_error(text: str, schema: str) -> None:
    try:
        validate(parse_yaml(text, "fuzz.yaml"), schema)
    except InputError as error:
        assert error.problems and error.render()
