"""`netplay validate` catches misuse of every step key before any device is contacted.

For each key: a value of the wrong type, a misspelt key (with a suggestion), an undefined
variable in a template and a forbidden combination of keys, each reported on stderr as
`file:line:column: key.path: message` (plus a hint when there is one), with exit code 4.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.cli import main

PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"
INVENTORY = PLAYBOOKS / "inventory.yml"
HEAD = "name: Misuse\nhosts: routers\nsteps:\n"  # the steps start on line 4


@dataclass(frozen=True)
class Misuse:
    """Steps (YAML, indented as under `steps:`) and the problem validate must report."""

    steps: str
    where: str  # "line:column"
    message: str  # everything after "file:line:column: "
    hint: str | None = None


def validate(tmp_path: Path, capsys: pytest.CaptureFixture[str], steps: str) -> tuple[int, str]:
    """Write a playbook with these steps, validate it against the example inventory."""
    book = tmp_path / "book.yml"
    book.write_text(HEAD + steps)
    code = main(["validate", str(book), "-i", str(INVENTORY)])
    return code, capsys.readouterr().err


def check(tmp_path: Path, capsys: pytest.CaptureFixture[str], misuse: Misuse) -> None:
    code, err = validate(tmp_path, capsys, misuse.steps)
    assert code == 4, err
    assert f"{tmp_path / 'book.yml'}:{misuse.where}: {misuse.message}\n" in err, err
    if misuse.hint is not None:
        assert f"  hint: {misuse.hint}" in err, err


def check_start(tmp_path: Path, capsys: pytest.CaptureFixture[str], misuse: Misuse) -> None:
    """Like `check`, for messages that name a file and may go on (the path looked for)."""
    code, err = validate(tmp_path, capsys, misuse.steps)
    assert code == 4
    assert f"{tmp_path / 'book.yml'}:{misuse.where}: {misuse.message}" in err, err
    if misuse.hint is not None:
        assert f"  hint: {misuse.hint}" in err


def cases(table: dict[str, Misuse]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("misuse", list(table.values()), ids=list(table))


SEND = "  - send: show clock\n"
UNTIL = SEND + '    until: "false"\n'

WRONG_TYPES = {
    "send": Misuse(
        "  - send: {version: true}\n",
        "4:11",
        "steps[0].send: expected a string or a list of strings, got a mapping",
    ),
    "config": Misuse(
        "  - config: {ntp: 1}\n",
        "4:13",
        "steps[0].config: expected a string or a list of strings, got a mapping",
    ),
    "set": Misuse(
        "  - set: [a]\n",
        "4:10",
        "steps[0].set: expected a mapping of variable names to values, got a list",
    ),
    "set name": Misuse(
        '  - set: {"bad name": 1}\n',
        "4:11",
        "steps[0].set.bad name: 'bad name' is not a valid name: use letters, digits and '_', "
        "not starting with a digit",
    ),
    "assert": Misuse(
        "  - assert: {that: [1]}\n",
        "4:21",
        "steps[0].assert.that[0]: expected an expression (a string), got a number",
    ),
    "include": Misuse(
        "  - include: 5\n",
        "4:14",
        "steps[0].include: expected a file path (a string), got a number",
    ),
    "register": Misuse(
        SEND + "    register: 1x\n",
        "5:15",
        "steps[0].register: '1x' is not a valid name: use letters, digits and '_', "
        "not starting with a digit",
    ),
    "when": Misuse(
        SEND + "    when: [a]\n",
        "5:11",
        "steps[0].when: expected an expression (a string) or true/false, got a list",
    ),
    "vars": Misuse(
        SEND + "    vars: [a]\n", "5:11", "steps[0].vars: expected a mapping, got a list"
    ),
    "loop": Misuse(
        SEND + "    loop: 5\n",
        "5:11",
        "steps[0].loop: expected a list, or an expression (a string) that yields one, got a number",
    ),
    "loop_var": Misuse(
        SEND + "    loop: [a]\n    loop_var: 1x\n",
        "6:15",
        "steps[0].loop_var: '1x' is not a valid name: use letters, digits and '_', "
        "not starting with a digit",
    ),
    "until": Misuse(
        SEND + "    until: 5\n",
        "5:12",
        "steps[0].until: expected an expression (a string), got a number",
    ),
    "retries": Misuse(
        SEND + "    until: result.failed\n    retries: 0\n",
        "6:14",
        "steps[0].retries: must be between 1 and 10000, got 0",
    ),
    "delay": Misuse(
        SEND + "    until: result.failed\n    delay: soon\n",
        "6:12",
        "steps[0].delay: expected a number, got a string",
    ),
    "failed_when": Misuse(
        SEND + "    failed_when: 3\n",
        "5:18",
        "steps[0].failed_when: expected an expression (a string), true/false or a list of "
        "expressions, got a number",
    ),
    "changed_when": Misuse(
        SEND + "    changed_when: {a: 1}\n",
        "5:19",
        "steps[0].changed_when: expected an expression (a string), true/false or a list of "
        "expressions, got a mapping",
    ),
    "ignore_errors": Misuse(
        SEND + '    ignore_errors: "yes"\n',
        "5:20",
        "steps[0].ignore_errors: expected true or false, got a string",
    ),
    "run_once": Misuse(
        SEND + "    run_once: 1\n",
        "5:15",
        "steps[0].run_once: expected true or false, got a number",
    ),
    "hosts": Misuse(
        SEND + "    hosts: 5\n",
        "5:12",
        "steps[0].hosts: expected a string or a list of strings, got a number",
    ),
    "tags": Misuse(
        SEND + '    tags: "a b"\n',
        "5:11",
        "steps[0].tags: 'a b' is not a valid tag: no spaces or commas "
        "(--tags takes a comma-separated list)",
    ),
    "timeout": Misuse(
        SEND + "    timeout: 0\n", "5:14", "steps[0].timeout: must be more than 0, got 0"
    ),
    "expect": Misuse(
        SEND + '    expect: "[confirm"\n',
        "5:13",
        "steps[0].expect: '[confirm' is not a valid regular expression: "
        "unterminated character set at position 0",
        "put a backslash before special characters, in single quotes: '\\[confirm\\]'",
    ),
    "answers": Misuse(
        SEND + '    answers: ["y"]\n',
        "5:14",
        "steps[0].answers: expected a mapping of prompts (regular expressions) to answers "
        "(strings), got a list",
    ),
    "answers value": Misuse(
        SEND + '    answers: {"confirm": 1}\n',
        "5:26",
        "steps[0].answers.confirm: expected a string, got a number",
    ),
    "parse": Misuse(
        SEND + "    parse: textfsn\n",
        "5:12",
        "steps[0].parse: must be one of: textfsm, ttp",
        "did you mean 'textfsm'?",
    ),
    "error_patterns": Misuse(
        "  - config: hostname R9\n    error_patterns: overlaps\n",
        "5:21",
        "steps[0].error_patterns: expected a list of regular expressions, got a string",
    ),
    "save": Misuse(
        "  - config: hostname R9\n    save: 'yes'\n",
        "5:11",
        "steps[0].save: expected true or false, got a string",
    ),
    "save_to": Misuse(
        SEND + "    save_to: 5\n",
        "5:14",
        "steps[0].save_to: expected a file path (a string), got a number",
    ),
    "rollback_on_failure": Misuse(
        "  - config: hostname R9\n    rollback_on_failure: 'yes'\n",
        "5:26",
        "steps[0].rollback_on_failure: expected true or false, got a string",
    ),
    "save_to outside": Misuse(
        SEND + "    save_to: a/../../x.txt\n",
        "5:14",
        "steps[0].save_to: 'a/../../x.txt' must stay inside the output directory: "
        "a relative path without '..'",
    ),
    "timeout .nan": Misuse(
        SEND + "    timeout: .nan\n", "5:14", "steps[0].timeout: .nan is not a finite number"
    ),
    "timeout .inf": Misuse(
        SEND + "    timeout: .inf\n", "5:14", "steps[0].timeout: must be at most 86400, got .inf"
    ),
    "timeout over a day": Misuse(
        SEND + "    timeout: 90000\n", "5:14", "steps[0].timeout: must be at most 86400, got 90000"
    ),
    "delay .nan": Misuse(
        UNTIL + "    delay: .nan\n", "6:12", "steps[0].delay: .nan is not a finite number"
    ),
    "delay .inf": Misuse(
        UNTIL + "    delay: .inf\n",
        "6:12",
        "steps[0].delay: must be between 0 and 86400, got .inf",
    ),
    "retries over 10000": Misuse(
        UNTIL + "    retries: 100001\n",
        "6:14",
        "steps[0].retries: must be between 1 and 10000, got 100001",
    ),
}


@cases(WRONG_TYPES)
def test_a_value_of_the_wrong_type_is_reported_at_its_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], misuse: Misuse
) -> None:
    check(tmp_path, capsys, misuse)


def misspelt(key: str, meant: str, line: str = "5", extra: str = "") -> Misuse:
    """`key` written instead of `meant` on the second line of a send step."""
    return Misuse(
        SEND + extra + f"    {key}: x\n",
        f"{line}:5",
        f"steps[0].{key}: unknown key '{key}'",
        f"did you mean '{meant}'?",
    )


UNKNOWN_KEYS = {
    "send": Misuse(
        "  - sendd: show clock\n",
        "4:5",
        "steps[0].sendd: unknown key 'sendd'",
        "did you mean 'send'?",
    ),
    "set": Misuse(
        "  - sett: {a: 1}\n", "4:5", "steps[0].sett: unknown key 'sett'", "did you mean 'set'?"
    ),
    "include": Misuse(
        "  - includ: x.yml\n",
        "4:5",
        "steps[0].includ: unknown key 'includ'",
        "did you mean 'include'?",
    ),
    "register": misspelt("registr", "register"),
    "when": misspelt("whn", "when"),
    "loop": misspelt("lopp", "loop"),
    "loop_var": misspelt("loopvar", "loop_var"),
    "until": misspelt("untill", "until"),
    "retries": misspelt("retry", "retries"),
    "failed_when": misspelt("failed_whn", "failed_when"),
    "changed_when": misspelt("changed_whenn", "changed_when"),
    "ignore_errors": misspelt("ignore_error", "ignore_errors"),
    "run_once": misspelt("run_onc", "run_once"),
    "hosts": misspelt("host", "hosts"),
    "tags": misspelt("tag", "tags"),
    "timeout": misspelt("timout", "timeout"),
    "expect": misspelt("expects", "expect"),
    "answers": misspelt("answer", "answers"),
    "error_patterns": misspelt("error_pattern", "error_patterns"),
    "save_to": misspelt("saveto", "save_to"),
    "rollback_on_failure": misspelt("rollback_on_fail", "rollback_on_failure"),
    "assert fail_msg": Misuse(
        '  - assert: {that: "1 == 1", fail_mesg: boom}\n',
        "4:30",
        "steps[0].assert.fail_mesg: unknown key 'fail_mesg'",
        "did you mean 'fail_msg'?",
    ),
    "parse ttp": Misuse(
        SEND + "    parse: {ttpp: x.ttp}\n",
        "5:13",
        "steps[0].parse.ttpp: unknown key 'ttpp'",
        "did you mean 'ttp'?",
    ),
}


@cases(UNKNOWN_KEYS)
def test_a_misspelt_key_is_reported_with_the_key_it_was_meant_to_be(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], misuse: Misuse
) -> None:
    check(tmp_path, capsys, misuse)


def undefined(steps: str, where: str, path: str, name: str, hint: str | None = None) -> Misuse:
    return Misuse(steps, where, f"steps[0].{path}: undefined variable '{name}'", hint)


UNDEFINED = {
    "send": undefined('  - send: "show {{ nope }}"\n', "4:11", "send", "nope"),
    "config": undefined(
        '  - config: "ntp server {{ ntp_srv }}"\n',
        "4:13",
        "config",
        "ntp_srv",
        "did you mean 'ntp_server'?",
    ),
    "when": undefined(SEND + '    when: "nope == 1"\n', "5:11", "when", "nope"),
    "loop": undefined(SEND + '    loop: "{{ things }}"\n', "5:11", "loop", "things"),
    "loop items": undefined(SEND + '    loop: ["{{ things }}"]\n', "5:12", "loop[0]", "things"),
    "until": undefined(SEND + '    until: "x in result.output"\n', "5:12", "until", "x"),
    "failed_when": undefined(
        SEND + "    register: r\n    failed_when: rr.failed\n",
        "6:18",
        "failed_when",
        "rr",
        "did you mean 'r'?",
    ),
    "changed_when": undefined(SEND + "    changed_when: nope\n", "5:19", "changed_when", "nope"),
    "vars": undefined(SEND + '    vars: {a: "{{ nope }}"}\n', "5:15", "vars.a", "nope"),
    "set": undefined('  - set: {a: "{{ nope }}"}\n', "4:14", "set.a", "nope"),
    "assert that": undefined("  - assert: {that: x == 1}\n", "4:20", "assert.that", "x"),
    "assert fail_msg": undefined(
        '  - assert: {that: "1 == 1", fail_msg: "{{ nope }}"}\n', "4:40", "assert.fail_msg", "nope"
    ),
    "assert success_msg": undefined(
        '  - assert: {that: "1 == 1", success_msg: "{{ nope }}"}\n',
        "4:43",
        "assert.success_msg",
        "nope",
    ),
    "save_to": undefined(
        SEND + '    save_to: "out/{{ inventory_hostnme }}.txt"\n',
        "5:14",
        "save_to",
        "inventory_hostnme",
        "did you mean 'inventory_hostname'?",
    ),
    "a later step's register": undefined(
        '  - send: "show {{ later }}"\n  - set: {later: clock}\n', "4:11", "send", "later"
    ),
    "another step's loop_var": Misuse(
        '  - send: "show {{ what }}"\n    loop: [clock]\n    loop_var: what\n'
        '  - send: "show {{ what }}"\n',
        "7:11",
        "steps[1].send: undefined variable 'what'",
    ),
}


@cases(UNDEFINED)
def test_an_undefined_variable_is_reported_where_the_template_uses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], misuse: Misuse
) -> None:
    check(tmp_path, capsys, misuse)


def needs(key: str, other: str, steps: str, where: str) -> Misuse:
    return Misuse(steps, where, f"steps[0].{key}: '{key}' needs '{other}'")


def only_for(key: str, kind: str, steps: str, where: str) -> Misuse:
    return Misuse(steps, where, f"steps[0].{key}: '{key}' only applies to {kind}")


FORBIDDEN = {
    "two actions": Misuse(
        SEND + "    config: hostname R9\n",
        "5:5",
        "steps[0].config: a step can have only one action, found send and config",
        "keep one of: send, config",
    ),
    "include and send": Misuse(
        "  - include: x.yml\n    send: show clock\n",
        "4:5",
        "steps[0].include: a step can have only one action, found send and include",
    ),
    "no action": Misuse(
        "  - name: Nothing to do\n",
        "4:5",
        "steps[0]: a step needs exactly one action: send, config, config_file, ensure, "
        "ensure_file, absent, set, assert or include",
    ),
    "loop_var without loop": needs("loop_var", "loop", SEND + "    loop_var: x\n", "5:5"),
    "retries without until": needs("retries", "until", SEND + "    retries: 3\n", "5:5"),
    "delay without until": needs("delay", "until", SEND + "    delay: 1\n", "5:5"),
    "expect on config": only_for(
        "expect", "send steps", "  - config: hostname R9\n    expect: confirm\n", "5:5"
    ),
    "answers on config": only_for(
        "answers", "send steps", "  - config: hostname R9\n    answers: {confirm: y}\n", "5:5"
    ),
    "parse on config": only_for(
        "parse", "send steps", "  - config: hostname R9\n    parse: textfsm\n", "5:5"
    ),
    "save on send": only_for("save", "config and ensure steps", SEND + "    save: true\n", "5:5"),
    "rollback_on_failure on send": only_for(
        "rollback_on_failure",
        "config and ensure steps",
        SEND + "    rollback_on_failure: true\n",
        "5:5",
    ),
    "error_patterns on set": only_for(
        "error_patterns",
        "send, config and ensure steps",
        "  - set: {a: 1}\n    error_patterns: [overlaps]\n",
        "5:5",
    ),
    "save_to on assert": only_for(
        "save_to",
        "send, config and ensure steps",
        "  - assert: {that: 'true'}\n    save_to: x.txt\n",
        "5:5",
    ),
    "two parse templates": Misuse(
        SEND + "    parse: {textfsm: a.textfsm, ttp: b.ttp}\n",
        "5:33",
        "steps[0].parse.ttp: 'parse' takes one template, found textfsm and ttp",
        "keep one of: textfsm, ttp",
    ),
}


@cases(FORBIDDEN)
def test_a_forbidden_combination_of_keys_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], misuse: Misuse
) -> None:
    check(tmp_path, capsys, misuse)


CHECKED_AGAINST_THE_INVENTORY_AND_FILES = {
    "step hosts": Misuse(
        SEND + "    hosts: rooters\n",
        "5:12",
        "steps[0].hosts: 'rooters' is not a host or group of " + str(INVENTORY),
        "did you mean 'routers'?",
    ),
    "parse template file": Misuse(
        SEND + "    parse: {textfsm: missing.textfsm}\n",
        "5:12",
        "steps[0].parse: textfsm template 'missing.textfsm' not found",
    ),
    "parse ntc template": Misuse(
        "  - send: show privilege\n    parse: textfsm\n",
        "5:12",
        "steps[0].parse: no ntc-templates template for platform cisco_ios and command "
        "'show privilege'",
    ),
    "include file": Misuse(
        "  - include: nothere.yml\n",
        "4:14",
        "steps[0].include: included file nothere.yml does not exist",
    ),
}


@cases(CHECKED_AGAINST_THE_INVENTORY_AND_FILES)
def test_hosts_templates_and_included_files_are_checked_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], misuse: Misuse
) -> None:
    check_start(tmp_path, capsys, misuse)


def test_a_mistake_inside_an_included_file_is_reported_in_that_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "shared.yml").write_text("- send: show clock\n  registr: clock\n")
    code, err = validate(tmp_path, capsys, "  - include: shared.yml\n")
    assert code == 4
    assert re.search(r"shared\.yml:2:3: \[0\]\.registr: unknown key 'registr'\n", err), err
    assert "  hint: did you mean 'register'?" in err


def test_an_include_that_includes_itself_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "again.yml").write_text("- include: again.yml\n")
    code, err = validate(tmp_path, capsys, "  - include: again.yml\n")
    assert code == 4
    assert re.search(r"again\.yml:1:12: \[0\]\.include: include of again\.yml loops back", err)


def test_an_included_step_needs_the_variables_its_include_does_not_give(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "needs.yml").write_text('steps:\n  - send: "show {{ what }}"\n')
    code, err = validate(tmp_path, capsys, "  - include: needs.yml\n")
    assert code == 4
    assert re.search(r"needs\.yml:2:11: steps\[0\]\.send: undefined variable 'what'", err), err
    code, err = validate(tmp_path, capsys, "  - include: needs.yml\n    vars: {what: clock}\n")
    assert code == 0, err


def test_every_problem_in_a_playbook_is_reported_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = validate(
        tmp_path, capsys, SEND + "    retries: 0\n    delay: -1\n    until: result.failed\n"
    )
    assert code == 4
    assert "error: 2 problems found" in err
    assert ":5:14: steps[0].retries: must be between 1 and 10000, got 0" in err
    assert ":6:12: steps[0].delay: must be between 0 and 86400, got -1" in err


def test_run_once_in_a_play_that_asks_for_the_pipeline_strategy_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "book.yml"
    book.write_text(
        "name: Once\nhosts: routers\nstrategy: pipeline\nsteps:\n"
        "  - {name: Uptime once, send: show version, run_once: true}\n"
    )
    code = main(["validate", str(book), "-i", str(INVENTORY)])
    err = capsys.readouterr().err
    assert code == 4
    where = re.escape(str(book)) + r":\d+:\d+: "
    assert re.search(where + r".*strategy: pipeline cannot run this play: step 'Uptime once'", err)


@pytest.mark.parametrize(
    "steps",
    [
        '  - send: "show {{ item }}"\n',
        '  - send: "show {{ item }}"\n    loop: [clock]\n    loop_var: what\n',
    ],
    ids=["no loop", "renamed"],
)
def test_item_outside_a_loop_is_an_undefined_variable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], steps: str
) -> None:
    code, err = validate(tmp_path, capsys, steps)
    assert code == 4
    assert ":4:11: steps[0].send: undefined variable 'item'" in err


@pytest.mark.parametrize("key", ["loop: [a, b]", "register: checked", "ignore_errors: true"])
def test_a_key_an_include_step_cannot_apply_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str
) -> None:
    (tmp_path / "shared.yml").write_text("- send: show clock\n")
    code, err = validate(tmp_path, capsys, f"  - include: shared.yml\n    {key}\n")
    assert code == 4
    assert f"{tmp_path / 'book.yml'}:5:5: steps[0]." in err


@pytest.mark.xfail(
    strict=True,
    reason="model._inherit merges an include step's vars into each included step, so an "
    "undefined name in those vars is reported at the included file's step "
    "(shared.yml:2:5: steps[0].vars.what) instead of where it is written, in the including file",
)
def test_an_undefined_variable_in_an_include_steps_vars_is_reported_where_it_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "shared.yml").write_text('steps:\n  - send: "show {{ what }}"\n')
    code, err = validate(
        tmp_path, capsys, '  - include: shared.yml\n    vars: {what: "{{ nope }}"}\n'
    )
    assert code == 4
    assert f"{tmp_path / 'book.yml'}:5:18: steps[0].vars.what: undefined variable 'nope'" in err


# -- ensure, absent, match, config_file, ensure_file --------------------------------------

ENSURE = {
    "match without ensure": only_for(
        "match",
        "ensure steps (with 'ensure' or 'ensure_file')",
        "  - absent: ntp server 192.0.2.9\n    match: exact\n",
        "5:5",
    ),
    "match on a config step": only_for(
        "match",
        "ensure steps (with 'ensure' or 'ensure_file')",
        "  - config: ntp server 192.0.2.9\n    match: exact\n",
        "5:5",
    ),
    "a match other than exact": Misuse(
        "  - ensure: ntp server 192.0.2.9\n    match: exakt\n",
        "5:12",
        "steps[0].match: must be one of: exact",
        "did you mean 'exact'?",
    ),
    "absent with send": Misuse(
        SEND + "    absent: ntp server\n",
        "5:5",
        "steps[0].absent: a step can have only one action, found send and absent",
    ),
    "ensure with ensure_file": Misuse(
        "  - ensure: ntp server 192.0.2.9\n    ensure_file: ntp.j2\n",
        "5:5",
        "steps[0].ensure_file: a step can have only one action, found ensure and ensure_file",
    ),
    "config with config_file": Misuse(
        "  - config: ntp server 192.0.2.9\n    config_file: ntp.j2\n",
        "5:5",
        "steps[0].config_file: a step can have only one action, found config and config_file",
    ),
    "an indented first line": Misuse(
        "  - ensure: [' description x', interface Loopback9]\n",
        "4:13",
        "steps[0].ensure: the first line ('description x') is indented: a child needs its "
        "parent line above it",
    ),
    "a line twice in one place": Misuse(
        "  - absent: [interface Loopback9, ' description x', ' description x']\n",
        "4:13",
        "steps[0].absent: the block has a line twice at the same place: "
        "interface Loopback9 > description x",
    ),
    "undefined in an ensure block": Misuse(
        "  - ensure: |\n      interface Loopback{{ loopback_id }}\n",
        "4:13",
        "steps[0].ensure: undefined variable 'loopback_id'",
    ),
    "undefined in absent": Misuse(
        "  - ensure: ntp server 192.0.2.1\n    absent: 'ntp server {{ old_ntp }}'\n",
        "5:13",
        "steps[0].absent: undefined variable 'old_ntp'",
    ),
    "a missing config_file": Misuse(
        "  - config_file: templates/nothere.j2\n",
        "4:18",
        "steps[0].config_file: config_file templates/nothere.j2 does not exist",
    ),
    "an ensure_file outside the playbook's folder": Misuse(
        "  - ensure_file: ../elsewhere.j2\n",
        "4:18",
        "steps[0].ensure_file: ensure_file '../elsewhere.j2' leads outside",
    ),
}


RE2 = "which the linear-time regex engine (RE2) lacks"
REGEXES = {
    "error_patterns": Misuse(
        "  - config: [hostname R1]\n    error_patterns: ['(?<!no )shutdown']\n",
        "5:22",
        f"steps[0].error_patterns[0]: '(?<!no )shutdown' uses look-ahead or look-behind, {RE2}",
    ),
    "expect": Misuse(
        SEND + "    expect: '(\\w+)\\1'\n",
        "5:13",
        f"steps[0].expect: '(\\\\w+)\\\\1' uses backreferences, {RE2}",
    ),
    "answers": Misuse(
        SEND + "    answers: {'Confirm\\Z': y}\n",
        "5:28",
        f"steps[0].answers.Confirm\\Z: 'Confirm\\\\Z' uses \\Z (write \\z), {RE2}",
    ),
    "regex filter": Misuse(
        "  - send: \"show {{ 'x' | regex_search('(?=x)') }}\"\n",
        "4:11",
        f"steps[0].send: regex_search: '(?=x)' uses look-ahead or look-behind, {RE2}",
    ),
}


@cases(ENSURE)
def test_ensure_keys_and_config_files_are_checked_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], misuse: Misuse
) -> None:
    check_start(tmp_path, capsys, misuse)


def test_a_config_template_file_is_compiled_and_its_variables_checked_at_its_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "lo.j2").write_text("interface Loopback{{ lo_id }}\n")
    (tmp_path / "templates" / "bad.j2").write_text("ntp server {{ server\n")
    steps = "  - ensure_file: templates/lo.j2\n  - config_file: templates/bad.j2\n"
    code, err = validate(tmp_path, capsys, steps)
    book = tmp_path / "book.yml"
    assert code == 4
    assert f"{book}:4:18: steps[0].ensure_file: undefined variable 'lo_id'" in err, err
    assert f"{book}:5:18: steps[1].config_file: template syntax error:" in err, err


def test_ensure_with_absent_and_absent_alone_are_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "lo.j2").write_text("interface Loopback9\n description {{ inventory_hostname }}\n")
    steps = (
        "  - ensure: [interface Loopback9, ' description x']\n    absent: [ntp server]\n"
        "    match: exact\n    save: true\n"
        "  - absent: ntp server 192.0.2.9\n"
        "  - {ensure_file: lo.j2, absent: 'ntp server {{ ntp_server }}'}\n"
        "  - config_file: lo.j2\n"
    )
    code, err = validate(tmp_path, capsys, steps)
    assert (code, err) == (0, "")


@cases(REGEXES)
def test_a_regex_the_linear_time_engine_cannot_run_is_reported_where_it_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], misuse: Misuse
) -> None:
    check(tmp_path, capsys, misuse)


SECRET = "TOPSECRET-do-not-show"
OUTSIDE = {
    "absolute include": ("  - include: {outside}\n", "4:14", "steps[0].include: include"),
    "climbing include": ("  - include: ../secret.yml\n", "4:14", "steps[0].include: include"),
    "ttp file": (
        SEND + "    parse: {{ttp: ../secret.yml}}\n",
        "5:12",
        "steps[0].parse: ttp template",
    ),
    "textfsm file": (
        SEND + "    parse: {{textfsm: {outside}}}\n",
        "5:12",
        "steps[0].parse: textfsm template",
    ),
}


@pytest.mark.parametrize("case", list(OUTSIDE.values()), ids=list(OUTSIDE))
def test_a_file_outside_the_playbook_folder_is_refused_by_name_and_never_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: tuple[str, str, str]
) -> None:
    secret = tmp_path / "secret.yml"
    secret.write_text(f"- send: {SECRET}\n")
    book = tmp_path / "book"
    book.mkdir()
    steps, where, message = case
    (book / "book.yml").write_text(HEAD + steps.format(outside=secret))
    code = main(["validate", str(book / "book.yml"), "-i", str(INVENTORY)])
    err = capsys.readouterr().err
    assert code == 4, err
    assert f"{book / 'book.yml'}:{where}: {message}" in err, err
    assert "leads outside" in err and "--allow-dir" in err
    assert SECRET not in err


def test_allow_dir_lets_a_playbook_include_a_shared_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shared, book = tmp_path / "shared", tmp_path / "book"
    shared.mkdir()
    book.mkdir()
    (shared / "steps.yml").write_text("- send: show clock\n")
    (book / "book.yml").write_text(HEAD + "  - include: ../shared/steps.yml\n")
    argv = ["validate", str(book / "book.yml"), "-i", str(INVENTORY)]
    assert main(argv) == 4
    assert main([*argv, "--allow-dir", str(shared)]) == 0, capsys.readouterr().err


def test_a_symbolic_link_out_of_the_playbook_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "secret.yml").write_text(f"- send: {SECRET}\n")
    book = tmp_path / "book"
    book.mkdir()
    (book / "steps.yml").symlink_to(tmp_path / "secret.yml")
    (book / "book.yml").write_text(HEAD + "  - include: steps.yml\n")
    assert main(["validate", str(book / "book.yml")]) == 4
    err = capsys.readouterr().err
    assert "include 'steps.yml' leads outside" in err and SECRET not in err


def test_a_yaml_mistake_in_an_included_file_inside_the_folder_still_shows_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "shared.yml").write_text("- send: show clock\n- send: show: ip\n")
    code, err = validate(tmp_path, capsys, "  - include: shared.yml\n")
    assert code == 4
    assert "shared.yml:2:" in err and "2 | - send: show: ip" in err, err
