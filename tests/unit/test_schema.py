"""Playbooks and inventories are checked against JSON Schemas, with errors in plain words."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from engine.errors import InputError, Problem
from engine.schema import load_schema, suggest, validate
from engine.schema_errors import Translator, select
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


def problems(
    text: str, schema: str = "playbook", definition: str | None = None
) -> tuple[Problem, ...]:
    with pytest.raises(InputError) as caught:
        validate(parse_yaml(text, "site.yaml"), schema, definition=definition)
    return caught.value.problems


def only_problem(text: str, schema: str = "playbook", definition: str | None = None) -> Problem:
    found = problems(text, schema, definition)
    assert len(found) == 1, [p.render() for p in found]
    return found[0]


def head(problem: Problem) -> str:
    """The first line of a rendered problem: file:line:column: key path: message."""
    return problem.render().splitlines()[0]


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


def test_500_hosts_validate() -> None:
    lines = ["hosts:"] + [
        f"  R{i}: {{host: 10.0.{i // 250}.{i % 250}, port: 22}}" for i in range(500)
    ]
    doc = parse_yaml("\n".join(lines) + "\n", "inventory.yaml")
    validate(doc, "inventory")


def test_a_playbook_of_500_steps_validates() -> None:
    step = (
        "  - send: show interface {{ item }}\n    loop: [a, b]\n    until: \"'up' in output\"\n"
        "    retries: 3\n    parse: textfsm\n    answers: {'\\[confirm\\]': y}\n"
    )
    doc = parse_yaml(play(step * 500), "site.yaml")
    validate(doc, "playbook")
    assert len(doc.data["steps"]) == 500


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
    assert problem.hint == (
        "allowed keys: name, send, config, config_file, ensure, ensure_file, absent, match, set, "
        "assert, include, register, when, vars, loop, "
        "loop_var, until, retries, delay, failed_when, changed_when, ignore_errors, run_once, "
        "hosts, tags, timeout, expect, answers, parse, error_patterns, save, rollback_on_failure, "
        "save_to, no_log"
    )
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
    assert problem.message == (
        "a step needs exactly one action: send, config, config_file, ensure, ensure_file, "
        "absent, set, assert or include"
    )
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


# --- the step language: valid steps -------------------------------------------------------

VALID_STEPS = {
    "set": '  - set: {uplinks: "{{ intf.parsed | length }}", seen: [1, 2], ok: true}\n',
    "assert": (
        "  - assert:\n"
        '      that: ["uplinks | int > 1", "\'up\' in intf.output"]\n'
        "      fail_msg: only {{ uplinks }} uplinks\n"
        "      success_msg: enough uplinks\n"
    ),
    "include": "  - include: tasks/backup.yml\n    vars: {target: flash}\n    when: true\n",
    "loop": "  - send: show interface {{ item }}\n    loop: [Gi0/0, Gi0/1]\n",
    "loop_var": '  - send: ping {{ peer }}\n    loop: "{{ peers }}"\n    loop_var: peer\n',
    "until": "  - send: show ip ospf neighbor\n    register: ospf\n    until: \"'FULL' in ospf\"\n",
    "retries": "  - send: show clock\n    until: \"'2025' in output\"\n    retries: 10\n",
    "delay": "  - send: show clock\n    until: \"'2025' in output\"\n    delay: 0.5\n",
    "failed_when": "  - send: show ip route\n    failed_when: [\"'0.0.0.0' not in output\", x]\n",
    "changed_when": "  - config: ntp server 10.0.0.1\n    changed_when: false\n",
    "ignore_errors": "  - send: show inventory\n    ignore_errors: true\n",
    "run_once": "  - send: show license\n    run_once: true\n",
    "hosts": "  - send: show bgp summary\n    hosts: [core, 'edge-*']\n",
    "tags": "  - send: show running-config\n    tags: backup\n",
    "timeout": "  - send: show tech-support\n    timeout: 300\n",
    "expect": "  - send: reload\n    expect: '\\[confirm\\]'\n",
    "answers": (
        "  - send: copy running-config flash:backup.cfg\n"
        '    answers: {"Destination filename": "", "\\\\[confirm\\\\]": "y"}\n'
    ),
    "parse": "  - send: show version\n    parse: textfsm\n",
    "error_patterns": "  - config: ntp peer 10.0.0.1\n    error_patterns: ['^Error:', 'denied']\n",
    "save": "  - config: hostname R1\n    save: true\n",
    "config_file": "  - config_file: templates/ntp.j2\n",
    "ensure": ("  - ensure: |\n      interface Loopback9\n       description managed by netplay\n"),
    "ensure_file": "  - ensure_file: templates/loopback.j2\n    save: true\n",
    "absent": "  - ensure: ntp server 192.0.2.1\n    absent: [ntp server]\n",
    "match": "  - ensure: [interface Loopback9, ' description x']\n    match: exact\n",
    "save_to": '  - send: show running-config\n    save_to: "backup/{{ inventory_hostname }}"\n',
    "rollback_on_failure": "  - config: interface Gi0/0\n    rollback_on_failure: true\n",
    "no_log": "  - send: show running-config | include username\n    no_log: true\n",
}
V1_STEP_KEYS = {"name", "send", "config", "register", "when", "vars"}


def test_every_step_key_has_a_valid_example_here() -> None:
    step = load_schema("playbook")["$defs"]["step"]
    assert set(step["properties"]) == set(VALID_STEPS) | V1_STEP_KEYS


@pytest.mark.parametrize("text", VALID_STEPS.values(), ids=list(VALID_STEPS))
def test_each_step_key_accepts_its_documented_form(text: str) -> None:
    validate(parse_yaml(play(text), "site.yaml"), "playbook")


def test_one_step_may_combine_every_key_that_fits_a_send_step() -> None:
    keys = [
        "    register: r",
        '    loop: "{{ interfaces }}"',
        "    loop_var: intf",
        "    until: \"'ok' in r.output\"",
        "    retries: 5",
        "    delay: 0",
        '    failed_when: ["a", "b"]',
        "    changed_when: false",
        "    ignore_errors: true",
        "    run_once: true",
        "    hosts: core",
        "    tags: [x, y]",
        "    timeout: 2.5",
        "    expect: '[Cc]onfirm'",
        "    answers: {'\\?': ''}",
        "    parse: {ttp: '{{ interface }} is {{ status }}'}",
        "    error_patterns: ['^%']",
        "    save_to: out.txt",
    ]
    text = play("  - send: show interface {{ intf }}\n" + "\n".join(keys) + "\n")
    validate(parse_yaml(text, "site.yaml"), "playbook")


@pytest.mark.parametrize("parse", ["ttp", "{textfsm: templates/show_clock.textfsm}"])
def test_parse_takes_a_parser_name_or_one_template(parse: str) -> None:
    validate(parse_yaml(play(f"  - send: show clock\n    parse: {parse}\n"), "s.yaml"), "playbook")


def test_a_play_may_have_tags() -> None:
    text = play("  - send: x\n    tags: extra\n", extra="tags: [audit, nightly]\n")
    validate(parse_yaml(text, "site.yaml"), "playbook")


# --- the step language: wrong values ------------------------------------------------------

WRONG_VALUES = [
    (
        "  - set: [a]\n",
        "site.yaml:4:10: steps[0].set: expected a mapping of variable names to values, got a list",
    ),
    ("  - set: {}\n", "site.yaml:4:10: steps[0].set: must not be empty"),
    (
        "  - set: {2nd: 1}\n",
        "site.yaml:4:11: steps[0].set.2nd: '2nd' is not a valid name: use letters, digits and "
        "'_', not starting with a digit",
    ),
    (
        '  - assert: "a == 1"\n',
        "site.yaml:4:13: steps[0].assert: expected a mapping with 'that' (and optional "
        "'fail_msg', 'success_msg'), got a string",
    ),
    (
        "  - assert: {that: 1}\n",
        "site.yaml:4:20: steps[0].assert.that: expected an expression (a string) or a list of "
        "expressions, got a number",
    ),
    (
        "  - assert: {that: x, fail_msg: [a]}\n",
        "site.yaml:4:33: steps[0].assert.fail_msg: expected a string, got a list",
    ),
    (
        "  - assert: {success_msg: ok}\n",
        "site.yaml:4:13: steps[0].assert: missing required key 'that'",
    ),
    (
        "  - include: [a.yml]\n",
        "site.yaml:4:14: steps[0].include: expected a file path (a string), got a list",
    ),
    (
        "  - send: x\n    loop: {a: 1}\n",
        "site.yaml:5:11: steps[0].loop: expected a list, or an expression (a string) that "
        "yields one, got a mapping",
    ),
    (
        "  - send: x\n    loop: [a]\n    loop_var: my-item\n",
        "site.yaml:6:15: steps[0].loop_var: 'my-item' is not a valid name: use letters, digits "
        "and '_', not starting with a digit",
    ),
    (
        "  - send: x\n    until: [done]\n",
        "site.yaml:5:12: steps[0].until: expected an expression (a string), got a list",
    ),
    (
        "  - send: x\n    until: done\n    retries: 0\n",
        "site.yaml:6:14: steps[0].retries: must be between 1 and 10000, got 0",
    ),
    (
        "  - send: x\n    until: done\n    retries: 2.5\n",
        "site.yaml:6:14: steps[0].retries: expected a whole number, got a number",
    ),
    (
        "  - send: x\n    until: done\n    delay: -1\n",
        "site.yaml:6:12: steps[0].delay: must be between 0 and 86400, got -1",
    ),
    (
        "  - send: x\n    failed_when: {rc: 1}\n",
        "site.yaml:5:18: steps[0].failed_when: expected an expression (a string), true/false "
        "or a list of expressions, got a mapping",
    ),
    (
        "  - send: x\n    changed_when: []\n",
        "site.yaml:5:19: steps[0].changed_when: must not be empty",
    ),
    (
        "  - send: x\n    ignore_errors: 'yes'\n",
        "site.yaml:5:20: steps[0].ignore_errors: expected true or false, got a string",
    ),
    (
        "  - send: x\n    run_once: 1\n",
        "site.yaml:5:15: steps[0].run_once: expected true or false, got a number",
    ),
    ("  - send: x\n    hosts: []\n", "site.yaml:5:12: steps[0].hosts: must not be empty"),
    (
        "  - send: x\n    tags: [backup, nightly run]\n",
        "site.yaml:5:20: steps[0].tags[1]: 'nightly run' is not a valid tag: no spaces or "
        "commas (--tags takes a comma-separated list)",
    ),
    (
        "  - send: x\n    timeout: 0\n",
        "site.yaml:5:14: steps[0].timeout: must be more than 0, got 0",
    ),
    (
        "  - send: x\n    timeout: '30'\n",
        "site.yaml:5:14: steps[0].timeout: expected a number, got a string",
    ),
    (
        "  - send: reload\n    expect: '[confirm'\n",
        "site.yaml:5:13: steps[0].expect: '[confirm' is not a valid regular expression: "
        "unterminated character set at position 0",
    ),
    (
        "  - send: copy\n    answers: {'Destination filename': 1}\n",
        "site.yaml:5:39: steps[0].answers.Destination filename: expected a string, got a number",
    ),
    (
        "  - send: copy\n    answers: {'(y/n': y}\n",
        "site.yaml:5:15: steps[0].answers.(y/n: '(y/n' is not a valid regular expression: "
        "missing ), unterminated subpattern at position 0",
    ),
    (
        "  - send: x\n    parse: 1\n",
        "site.yaml:5:12: steps[0].parse: expected 'textfsm', 'ttp', or a mapping with one "
        "template (textfsm: or ttp:), got a number",
    ),
    (
        "  - send: x\n    parse: {}\n",
        "site.yaml:5:12: steps[0].parse: 'parse' needs one template: textfsm or ttp",
    ),
    (
        "  - send: x\n    parse: {textfsm: a.tpl, ttp: b.ttp}\n",
        "site.yaml:5:29: steps[0].parse.ttp: 'parse' takes one template, found textfsm and ttp",
    ),
    (
        "  - send: x\n    error_patterns: '^Error'\n",
        "site.yaml:5:21: steps[0].error_patterns: expected a list of regular expressions, "
        "got a string",
    ),
    (
        "  - send: x\n    error_patterns: ['(']\n",
        "site.yaml:5:22: steps[0].error_patterns[0]: '(' is not a valid regular expression: "
        "missing ), unterminated subpattern at position 0",
    ),
    (
        "  - config: x\n    save: 'yes'\n",
        "site.yaml:5:11: steps[0].save: expected true or false, got a string",
    ),
    (
        "  - send: x\n    save_to: ../outside.txt\n",
        "site.yaml:5:14: steps[0].save_to: '../outside.txt' must stay inside the output "
        "directory: a relative path without '..'",
    ),
    (
        "  - send: x\n    save_to: /etc/motd\n",
        "site.yaml:5:14: steps[0].save_to: '/etc/motd' must stay inside the output directory: "
        "a relative path without '..'",
    ),
]


@pytest.mark.parametrize(("steps", "expected"), WRONG_VALUES)
def test_a_wrong_value_for_a_step_key_is_located_and_explained(steps: str, expected: str) -> None:
    assert head(only_problem(play(steps))) == expected


def test_play_tags_are_checked() -> None:
    problem = only_problem(play("  - send: x\n", extra="tags: 5\n"))
    assert head(problem) == (
        "site.yaml:3:7: tags: expected a tag (a string) or a list of tags, got a number"
    )


@pytest.mark.parametrize(
    "keys",
    [
        "serial: 2\n",
        "serial: '25%'\n",
        "serial: [1, 5, '50%']\n",
        "serial: 100%\nmax_fail_percentage: 0\n",
        "serial: 1\nmax_fail_percentage: 12.5\nany_errors_fatal: true\n",
        "any_errors_fatal: false\n",
    ],
)
def test_a_play_may_roll_out_in_batches_and_stop_on_failures(keys: str) -> None:
    validate(parse_yaml(play("  - send: x\n", extra=keys), "site.yaml"), "playbook")


ROLLOUT_MISTAKES = [
    ("serial: 0\n", "site.yaml:3:9: serial: a batch holds at least 1 host, got 0"),
    (
        "serial: 150%\n",
        "site.yaml:3:9: serial: '150%' is not a batch size: a number of hosts (2) or a "
        "percentage of the play's hosts from 1% to 100% ('25%')",
    ),
    (
        "serial: 25\nmax_fail_percentage: -1\n",
        "site.yaml:4:22: max_fail_percentage: must be between 0 and 100, got -1",
    ),
    (
        "max_fail_percentage: 101\n",
        "site.yaml:3:22: max_fail_percentage: must be between 0 and 100, got 101",
    ),
    ("serial: [2, 0]\n", "site.yaml:3:13: serial[1]: a batch holds at least 1 host, got 0"),
    ("serial: []\n", "site.yaml:3:9: serial: must not be empty"),
    (
        "serial: {size: 2}\n",
        "site.yaml:3:9: serial: expected a batch size (2 or '25%') or a list of batch sizes, "
        "got a mapping",
    ),
    (
        "any_errors_fatal: 'yes'\n",
        "site.yaml:3:19: any_errors_fatal: expected true or false, got a string",
    ),
]


@pytest.mark.parametrize(("keys", "expected"), ROLLOUT_MISTAKES)
def test_a_wrong_rollout_value_is_located_and_explained(keys: str, expected: str) -> None:
    assert head(only_problem(play("  - send: x\n", extra=keys))) == expected


def test_a_misspelled_parser_gets_did_you_mean() -> None:
    problem = only_problem(play("  - send: x\n    parse: textfms\n"))
    assert head(problem) == "site.yaml:5:12: steps[0].parse: must be one of: textfsm, ttp"
    assert problem.hint == "did you mean 'textfsm'?"


def test_a_bad_regular_expression_shows_how_to_escape() -> None:
    problem = only_problem(play("  - send: reload\n    expect: '[confirm'\n"))
    assert problem.hint == (
        "put a backslash before special characters, in single quotes: '\\[confirm\\]'"
    )


# --- the step language: misspelled keys ---------------------------------------------------

MISSPELLED = [
    ("  - sett: {a: 1}\n", "site.yaml:4:5: steps[0].sett", "set"),
    ("  - asert: {that: x}\n", "site.yaml:4:5: steps[0].asert", "assert"),
    ("  - includ: a.yml\n", "site.yaml:4:5: steps[0].includ", "include"),
    ("  - send: x\n    loops: [a]\n", "site.yaml:5:5: steps[0].loops", "loop"),
    ("  - send: x\n    loop: [a]\n    loopvar: b\n", "site.yaml:6:5: steps[0].loopvar", "loop_var"),
    ("  - send: x\n    untill: done\n", "site.yaml:5:5: steps[0].untill", "until"),
    ("  - send: x\n    until: a\n    retry: 3\n", "site.yaml:6:5: steps[0].retry", "retries"),
    ("  - send: x\n    until: a\n    dealy: 3\n", "site.yaml:6:5: steps[0].dealy", "delay"),
    ("  - send: x\n    failed_wen: a\n", "site.yaml:5:5: steps[0].failed_wen", "failed_when"),
    ("  - send: x\n    changed_whn: a\n", "site.yaml:5:5: steps[0].changed_whn", "changed_when"),
    (
        "  - send: x\n    ignore_error: true\n",
        "site.yaml:5:5: steps[0].ignore_error",
        "ignore_errors",
    ),
    ("  - send: x\n    runonce: true\n", "site.yaml:5:5: steps[0].runonce", "run_once"),
    ("  - send: x\n    host: core\n", "site.yaml:5:5: steps[0].host", "hosts"),
    ("  - send: x\n    tag: backup\n", "site.yaml:5:5: steps[0].tag", "tags"),
    ("  - send: x\n    timout: 5\n", "site.yaml:5:5: steps[0].timout", "timeout"),
    ("  - send: x\n    expects: y\n", "site.yaml:5:5: steps[0].expects", "expect"),
    ("  - send: x\n    answer: {y: n}\n", "site.yaml:5:5: steps[0].answer", "answers"),
    ("  - send: x\n    parser: ttp\n", "site.yaml:5:5: steps[0].parser", "parse"),
    (
        "  - send: x\n    error_pattern: [a]\n",
        "site.yaml:5:5: steps[0].error_pattern",
        "error_patterns",
    ),
    ("  - config: x\n    Save: true\n", "site.yaml:5:5: steps[0].Save", "save"),
    ("  - send: x\n    saveto: a.txt\n", "site.yaml:5:5: steps[0].saveto", "save_to"),
    ("  - assert: {thta: x}\n", "site.yaml:4:14: steps[0].assert.thta", "that"),
    (
        "  - assert: {that: x, fail_message: y}\n",
        "site.yaml:4:23: steps[0].assert.fail_message",
        "fail_msg",
    ),
    ("  - send: x\n    parse: {textfms: a}\n", "site.yaml:5:13: steps[0].parse.textfms", "textfsm"),
]


@pytest.mark.parametrize(("steps", "where", "meant"), MISSPELLED)
def test_a_misspelled_step_key_is_the_only_problem_and_gets_did_you_mean(
    steps: str, where: str, meant: str
) -> None:
    problem = only_problem(play(steps))
    key = where.rsplit(".", 1)[1]
    assert head(problem) == f"{where}: unknown key '{key}'"
    assert problem.hint == f"did you mean '{meant}'?"


def test_a_misspelled_play_key_gets_did_you_mean() -> None:
    problem = only_problem(play("  - send: x\n", extra="tag: audit\n"))
    assert (head(problem), problem.hint) == (
        "site.yaml:3:1: tag: unknown key 'tag'",
        "did you mean 'tags'?",
    )


# --- the step language: keys that need another key or a kind of step ----------------------

MISPLACED = [
    ("  - send: x\n    loop_var: host\n", "steps[0].loop_var: 'loop_var' needs 'loop'"),
    ("  - send: x\n    retries: 3\n", "steps[0].retries: 'retries' needs 'until'"),
    ("  - send: x\n    delay: 5\n", "steps[0].delay: 'delay' needs 'until'"),
    ("  - config: x\n    expect: y/n\n", "steps[0].expect: 'expect' only applies to send steps"),
    (
        "  - config: x\n    answers: {y/n: y}\n",
        "steps[0].answers: 'answers' only applies to send steps",
    ),
    ("  - config: x\n    parse: textfsm\n", "steps[0].parse: 'parse' only applies to send steps"),
    (
        "  - send: x\n    save: true\n",
        "steps[0].save: 'save' only applies to config and ensure steps",
    ),
    (
        "  - include: a.yml\n    save: false\n",
        "steps[0].save: 'save' only applies to config and ensure steps",
    ),
    (
        "  - absent: x\n    match: exact\n",
        "steps[0].match: 'match' only applies to ensure steps (with 'ensure' or 'ensure_file')",
    ),
    (
        "  - set: {a: 1}\n    error_patterns: [x]\n",
        "steps[0].error_patterns: 'error_patterns' only applies to send, config and ensure steps",
    ),
    (
        "  - assert: {that: x}\n    save_to: out.txt\n",
        "steps[0].save_to: 'save_to' only applies to send, config and ensure steps",
    ),
    (
        "  - send: show clock\n    rollback_on_failure: true\n",
        "steps[0].rollback_on_failure: 'rollback_on_failure' only applies to config and ensure "
        "steps",
    ),
]


@pytest.mark.parametrize(("steps", "message"), MISPLACED)
def test_a_key_without_what_it_needs_is_one_problem_at_that_key(steps: str, message: str) -> None:
    assert head(only_problem(play(steps))) == f"site.yaml:5:5: {message}"


def test_a_key_that_needs_another_says_how_to_fix_it() -> None:
    problem = only_problem(play("  - send: x\n    loop_var: host\n"))
    assert problem.hint == "add 'loop', or remove 'loop_var'"


def test_each_key_that_needs_until_is_its_own_problem() -> None:
    found = problems(play("  - send: x\n    retries: 3\n    delay: 5\n"))
    assert [head(p) for p in found] == [
        "site.yaml:5:5: steps[0].retries: 'retries' needs 'until'",
        "site.yaml:6:5: steps[0].delay: 'delay' needs 'until'",
    ]


def test_a_misspelled_until_does_not_also_report_what_needs_it() -> None:
    found = problems(play("  - send: x\n    untill: done\n    retries: 3\n"))
    assert [p.message for p in found] == ["unknown key 'untill'"]


def test_a_misspelled_action_does_not_also_report_keys_that_need_it() -> None:
    found = problems(play("  - sendd: show version\n    parse: textfsm\n"))
    assert [p.message for p in found] == ["unknown key 'sendd'"]


def test_a_step_with_no_action_only_reports_the_missing_action() -> None:
    problem = only_problem(play("  - parse: textfsm\n    save: true\n"))
    assert head(problem) == (
        "site.yaml:4:5: steps[0]: a step needs exactly one action: send, config, config_file, "
        "ensure, ensure_file, absent, set, assert or include"
    )


def test_include_is_an_action_like_the_others() -> None:
    problem = only_problem(play("  - include: a.yml\n    send: x\n"))
    assert head(problem) == (
        "site.yaml:4:5: steps[0].include: a step can have only one action, found send and include"
    )


def test_without_a_custom_message_a_misplaced_key_says_what_it_needs() -> None:
    schema = {
        "dependentSchemas": {"save": {"anyOf": [{"required": ["config"]}, {"required": ["x"]}]}}
    }
    doc = parse_yaml("send: a\nsave: true\n", "site.yaml")
    translator = Translator(doc, schema)
    errors = Draft202012Validator(schema).iter_errors(doc.data)
    found = select([f for error in errors for f in translator.translate(error)])
    assert [head(p) for p in found] == ["site.yaml:2:1: save: 'save' needs 'config' or 'x'"]


# --- steps files (include) ----------------------------------------------------------------


def steps_file(text: str) -> None:
    validate(parse_yaml(text, "tasks.yml"), "playbook", definition="steps_file")


def test_a_steps_file_may_be_a_list_of_steps() -> None:
    steps_file("- send: show clock\n- include: more.yml\n- set: {a: 1}\n")


def test_a_steps_file_may_be_a_mapping_of_steps_and_vars() -> None:
    steps_file("vars: {target: flash}\nsteps:\n  - send: dir {{ target }}\n")


def test_a_step_in_a_steps_file_is_checked_like_a_play_step() -> None:
    problem = only_problem("- send: x\n- send: y\n  loop_var: z\n", definition="steps_file")
    assert head(problem) == "site.yaml:3:3: [1].loop_var: 'loop_var' needs 'loop'"


def test_a_steps_file_gets_did_you_mean_for_its_keys() -> None:
    problem = only_problem("step:\n  - send: x\n", definition="steps_file")
    assert (head(problem), problem.hint) == (
        "site.yaml:1:1: step: unknown key 'step'",
        "did you mean 'steps'?",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[]\n", "site.yaml:1:1: (top level): a steps file needs at least one step"),
        ("steps: []\n", "site.yaml:1:8: steps: a steps file needs at least one step"),
        ("vars: {}\n", "site.yaml:1:1: (top level): missing required key 'steps'"),
        (
            "show version\n",
            "site.yaml:1:1: (top level): expected a list of steps, or a mapping with 'steps' "
            "(and optional 'vars'), got a string",
        ),
        (
            "steps: [{send: x}]\nvars: {my-var: 1}\n",
            "site.yaml:2:8: vars.my-var: 'my-var' is not a valid name: use letters, digits and "
            "'_', not starting with a digit",
        ),
    ],
)
def test_a_wrong_steps_file_is_located_and_explained(text: str, expected: str) -> None:
    assert head(only_problem(text, definition="steps_file")) == expected


def test_a_play_is_not_a_steps_file() -> None:
    found = problems("name: p\nhosts: all\nsteps: [{send: x}]\n", definition="steps_file")
    assert [(p.message, p.hint) for p in found] == [
        ("unknown key 'name'", "allowed keys: steps, vars"),
        ("unknown key 'hosts'", "did you mean 'steps'?"),
    ]


def test_unknown_definitions_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="no definition 'step_file' in the playbook schema"):
        validate(parse_yaml("[]\n", "tasks.yml"), "playbook", definition="step_file")


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


def test_an_inventory_must_be_a_mapping_or_a_list_of_devices() -> None:
    problem = only_problem("R1\n", "inventory")
    assert problem.message.startswith("expected a mapping (a netplay inventory")
    assert problem.message.endswith("or a list of netmiko devices, got a string")


def test_an_inventory_list_holds_netmiko_devices_each_checked_at_its_place() -> None:
    problem = only_problem("- device_type: cisco_ios\n  ip: 10.0.0.1\n- R2\n", "inventory")
    assert problem.location.path == (1,) and problem.location.line == 3
    assert problem.message == "expected a mapping of netmiko connection settings, got a string"


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
    "set",
    "assert",
    "that",
    "include",
    "loop",
    "loop_var",
    "until",
    "retries",
    "delay",
    "failed_when",
    "tags",
    "timeout",
    "expect",
    "answers",
    "parse",
    "textfsm",
    "ttp",
    "error_patterns",
    "save",
    "save_to",
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
STEP = st.dictionaries(st.sampled_from(KEYS), DATA, max_size=6)
PLAY = st.fixed_dictionaries(
    {"name": st.just("p"), "hosts": st.just("all"), "steps": st.lists(STEP)}
)
YAML_TEXT = (DATA | PLAY).map(lambda data: yaml.safe_dump(data, allow_unicode=True))


@settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.one_of(st.text(max_size=200), YAML_TEXT, JUNK),
    target=st.sampled_from([("playbook", None), ("playbook", "steps_file"), ("inventory", None)]),
)
def test_any_input_only_ever_raises_input_error(text: str, target: tuple[str, str | None]) -> None:
    schema, definition = target
    try:
        validate(parse_yaml(text, "fuzz.yaml"), schema, definition=definition)
    except InputError as error:
        assert error.problems and error.render()


def test_yaml_nan_and_infinity_are_refused_where_a_number_is_expected() -> None:
    lab = "hosts:\n  R1:\n    lab: {command_delay: .nan, connect_delay: .inf}\n"
    assert [p.message for p in problems(lab, "inventory")] == [
        ".nan is not a finite number",
        ".inf is not a finite number",
    ]
    device = only_problem(DEVICES_YAML + "  conn_timeout: .inf\n", "inventory")
    assert device.message == "must be between 0 and 86400, got .inf"
    play = "name: p\nhosts: all\nmax_fail_percentage: .nan\nsteps: [{send: x}]\n"
    assert only_problem(play).message == ".nan is not a finite number"
