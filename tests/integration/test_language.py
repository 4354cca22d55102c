"""The step language over real SSH against the lab: every step key, the run options around
them (--tags, --check, --diff, ...), and what happens when they fail.

Each test runs a playbook through `netplay run ... --lab --results FILE` in-process and
reads the results JSON; the example playbooks in playbooks/ are used wherever one shows
the key, small playbooks written into tmp_path cover the failure cases.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOKS = ROOT / "playbooks"
INVENTORY = PLAYBOOKS / "inventory.yml"
VERIFY_NTP = PLAYBOOKS / "includes" / "verify-ntp.yml"


@dataclass(frozen=True)
class Run:
    """One `netplay run` against the lab: its exit code, results JSON and output directory."""

    code: int
    data: dict[str, Any]
    out: Path

    def step(self, name: str, play: str | None = None) -> dict[str, dict[str, Any]]:
        """Each host's result for the first step called `name` (in `play`, if given)."""
        for record in self.data["steps"]:
            if record["step"] == name and play in (None, record["play"]):
                return {result["host"]: result for result in record["results"]}
        raise AssertionError(f"no step {name!r} among {self.steps}")

    @property
    def steps(self) -> list[str]:
        return [record["step"] for record in self.data["steps"]]

    def statuses(self, name: str) -> dict[str, str]:
        return {host: result["status"] for host, result in self.step(name).items()}


def run(directory: Path, playbook: Path | str, *options: str, quiet: bool = True) -> Run:
    """Run a playbook file, or playbook text (written into `directory`), against the lab."""
    directory.mkdir(parents=True, exist_ok=True)
    if isinstance(playbook, str):
        path = directory / "book.yml"
        path.write_text(textwrap.dedent(playbook))
        playbook = path
    results, out = directory / "results.json", directory / "out"
    argv = [
        *("run", str(playbook), "-i", str(INVENTORY), "--lab"),
        *("--results", str(results), "--output-dir", str(out), *options),
    ]
    code = main([*argv, "-q"] if quiet else argv)
    return Run(code, json.loads(results.read_text()), out)


def config_block(running: str, interface: str) -> str:
    """The lines of `interface ...` in a running-config, up to its closing `!`."""
    start = running.index(f"interface {interface}\n")
    return running[start : running.index("!", start)]


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run(tmp_path_factory.mktemp("audit"), PLAYBOOKS / "interface-audit.yml")


@pytest.fixture(scope="module")
def runbook(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run(tmp_path_factory.mktemp("runbook"), PLAYBOOKS / "runbook.yml")


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run(tmp_path_factory.mktemp("templates"), PLAYBOOKS / "parse-templates.yml")


# -- when -------------------------------------------------------------------------------


def test_when_false_skips_the_host_and_its_registered_result_says_skipped(
    tmp_path: Path,
) -> None:
    result = run(
        tmp_path,
        """
        name: Core only
        hosts: routers
        steps:
          - name: Clock on the core
            send: show clock
            when: "'core' in group_names"
            register: clock
          - name: Tell skipped from run
            send: "show {{ 'version | include uptime' if clock.skipped else 'clock' }}"
        """,
    )
    assert result.code == 0
    assert result.statuses("Clock on the core") == {"R1": "ok", "R2": "ok", "R3": "skipped"}
    assert result.step("Clock on the core")["R3"]["commands"] == []
    after = result.step("Tell skipped from run")
    assert after["R3"]["commands"] == ["show version | include uptime"]
    assert after["R1"]["commands"] == ["show clock"]


def test_when_decides_on_an_earlier_steps_output_before_a_change(tmp_path: Path) -> None:
    result = run(tmp_path, PLAYBOOKS / "ntp-servers.yml")
    change = result.step("Set the NTP server")
    assert result.code == 0
    assert {h: r["commands"] for h, r in change.items()} == {
        "R1": ["ntp server 192.0.2.1"],
        "R2": ["ntp server 192.0.2.1"],
        "R3": ["ntp server 192.0.2.123"],
    }
    assert all(r["changed"] for r in change.values())
    assert "ntp server 192.0.2.123" in result.step("Verify")["R3"]["output"]


def test_a_when_that_cannot_be_evaluated_fails_the_host_instead_of_skipping_it(
    tmp_path: Path,
) -> None:
    result = run(
        tmp_path,
        """
        name: Typo in a condition
        hosts: R1
        steps:
          - name: Clock
            send: show clock
            register: clock
          - name: Misspelt attribute
            send: show version
            when: "'UTC' in clock.outptu"
        """,
    )
    failed = result.step("Misspelt attribute")["R1"]
    assert result.code == 2
    assert failed["status"] == "failed" and failed["kind"] == "template"
    assert "book.yml" in failed["error"] and "outptu" in failed["error"]
    assert failed["commands"] == []


def test_a_when_that_is_only_an_undefined_attribute_fails_instead_of_skipping(
    tmp_path: Path,
) -> None:
    result = run(
        tmp_path,
        """
        name: Typo in a condition
        hosts: R1
        steps:
          - {name: Clock, send: show clock, register: clock}
          - {name: Misspelt attribute, send: show version, when: clock.outptu}
        """,
    )
    assert result.step("Misspelt attribute")["R1"]["kind"] == "template"


# -- loop, loop_var -----------------------------------------------------------------------


def test_a_loop_over_a_list_sends_once_per_item_and_registers_one_entry_each(
    templates: Run,
) -> None:
    ports = templates.step("Counters of the management port and the uplink, one command each")
    r1 = ports["R1"]
    assert r1["commands"] == [
        "show interfaces GigabitEthernet0/0",
        "show interfaces GigabitEthernet0/1",
    ]
    assert [entry["item"] for entry in r1["results"]] == [
        "GigabitEthernet0/0",
        "GigabitEthernet0/1",
    ]
    assert [entry["status"] for entry in r1["results"]] == ["ok", "ok"]
    assert [record["interface"] for record in r1["parsed"]] == [
        "GigabitEthernet0/0",
        "GigabitEthernet0/1",
    ]


def test_a_loop_expression_with_loop_var_sends_once_per_computed_item(audit: Run) -> None:
    details = audit.step("Details of each down port")["R2"]
    assert details["commands"] == [
        "show interfaces GigabitEthernet0/3 | include line protocol|Description",
        "show interfaces GigabitEthernet1/2 | include line protocol|Description",
    ]
    assert [entry["item"] for entry in details["results"]] == [
        "GigabitEthernet0/3",
        "GigabitEthernet1/2",
    ]
    assert "GigabitEthernet1/2 is down" in details["results"][1]["output"]


def test_a_failing_loop_item_fails_the_step_and_the_other_items_keep_their_results(
    tmp_path: Path,
) -> None:
    result = run(
        tmp_path,
        """
        name: One bad item
        hosts: R1
        steps:
          - name: Three shows
            send: show {{ what }}
            loop: [clock, bogus, version]
            loop_var: what
            register: shows
        """,
    )
    shows = result.step("Three shows")["R1"]
    assert result.code == 2
    assert shows["status"] == "failed" and shows["kind"] == "rejected"
    assert "% Invalid input" in shows["error"]
    assert [(e["item"], e["status"]) for e in shows["results"]] == [
        ("clock", "ok"),
        ("bogus", "failed"),
        ("version", "ok"),
    ]


def test_a_loop_expression_that_is_not_a_list_fails_the_host_with_its_type(
    tmp_path: Path,
) -> None:
    result = run(
        tmp_path,
        """
        name: Loop over a string
        hosts: R1
        steps:
          - name: Ping
            send: ping {{ item }}
            loop: "{{ ntp_server }}"
        """,
    )
    ping = result.step("Ping")["R1"]
    assert result.code == 2
    assert ping["kind"] == "template" and "loop must give a list, got str" in ping["error"]


def test_a_loop_item_filtered_out_by_when_is_registered_as_skipped(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
        name: Skip one item
        hosts: R1
        steps:
          - name: Two ports
            send: show interfaces {{ item }} | include line protocol
            loop: [GigabitEthernet0/1, GigabitEthernet0/2]
            when: item != 'GigabitEthernet0/2'
        """,
    )
    entries = result.step("Two ports")["R1"]["results"]
    assert [(e["item"], e["status"]) for e in entries] == [
        ("GigabitEthernet0/1", "ok"),
        ("GigabitEthernet0/2", "skipped"),
    ]


# -- until, retries, delay ----------------------------------------------------------------


def test_until_repeats_the_step_until_its_condition_holds(tmp_path: Path, runbook: Run) -> None:
    waited = runbook.step("Wait until the uplink is up")
    assert {r["attempts"] for r in waited.values()} == {1}
    result = run(
        tmp_path,
        """
        name: Second time lucky
        hosts: R1
        steps:
          - name: Clock
            send: show clock
            register: clock
            until: clock.attempts >= 2
            retries: 3
            delay: 0
        """,
    )
    clock = result.step("Clock")["R1"]
    assert result.code == 0
    assert clock["status"] == "ok" and clock["attempts"] == 2


def test_until_that_never_holds_fails_the_host_after_all_retries_and_delays(
    tmp_path: Path,
) -> None:
    result = run(
        tmp_path,
        """
        name: Never
        hosts: R1
        steps:
          - name: Wait for a neighbour
            send: show clock
            until: "'FULL' in result.output"
            retries: 3
            delay: 0.2
          - name: Not reached
            send: show version
        """,
    )
    waited = result.step("Wait for a neighbour")["R1"]
    assert result.code == 2
    assert waited["status"] == "failed" and waited["kind"] == "until"
    assert waited["attempts"] == 3
    assert waited["error"] == "'until' still false after 3 attempts: 'FULL' in result.output"
    assert waited["elapsed"] >= 0.4  # two delays of 0.2 s between three attempts
    assert result.step("Not reached") == {}


def test_an_until_that_cannot_be_evaluated_fails_at_once_with_the_template_error(
    tmp_path: Path,
) -> None:
    result = run(
        tmp_path,
        """
        name: Typo in until
        hosts: R1
        steps:
          - name: Clock
            send: show clock
            until: "'UTC' in result.outptu"
            retries: 3
            delay: 0
        """,
    )
    clock = result.step("Clock")["R1"]
    assert clock["kind"] == "template" and clock["attempts"] == 1


# -- failed_when, changed_when, ignore_errors ---------------------------------------------


def test_failed_when_fails_the_hosts_where_every_listed_condition_holds(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
        name: Judge the result
        hosts: routers
        steps:
          - name: Clock
            send: show clock
            register: clock
            failed_when:
              - "'UTC' in clock.output"
              - inventory_hostname == 'R2'
        """,
    )
    clock = result.step("Clock")
    assert result.code == 2
    assert result.statuses("Clock") == {"R1": "ok", "R2": "failed", "R3": "ok"}
    assert clock["R2"]["kind"] == "failed_when" and clock["R2"]["error"] == "failed_when matched"


def test_failed_when_false_accepts_output_the_device_marked_as_an_error(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
        name: Probe
        hosts: R1
        steps:
          - name: Maybe missing
            send: show platform software status
            failed_when: false
        """,
    )
    probe = result.step("Maybe missing")["R1"]
    assert result.code == 0
    assert probe["status"] == "ok" and probe["error"] is None
    assert "% Invalid input" in probe["output"]


def test_changed_when_overrides_whether_a_step_counts_as_a_change(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
        name: Changes
        hosts: R1
        steps:
          - name: A show that changes something
            send: show clock
            changed_when: true
          - name: Config that changes nothing
            config: ntp server 192.0.2.1
            changed_when: "'ntp' not in result.output"
        """,
    )
    assert result.step("A show that changes something")["R1"]["changed"] is True
    assert result.step("Config that changes nothing")["R1"]["changed"] is False
    assert result.data["recap"]["R1"]["changed"] == 1


def test_ignore_errors_keeps_a_failed_host_going_and_the_run_green(runbook: Run) -> None:
    missing = runbook.step("A command that may not exist on older images")
    assert runbook.code == 0
    assert {(r["status"], r["ignored"]) for r in missing.values()} == {("failed", True)}
    assert all("% Invalid input" in r["error"] for r in missing.values())
    assert list(runbook.step("Only R3 reads its ARP table")) == ["R3"]  # R3 went on
    assert runbook.data["recap"]["R3"]["ignored"] == 1


# -- run_once, step hosts -----------------------------------------------------------------

ONCE = """
name: Once
hosts: routers
steps:
  - name: Uptime once
    send: show version | include uptime
    run_once: true
    register: reference
  - name: Everyone reads it
    send: "show running-config | include {{ reference.output.split()[0] }}"
"""


def test_run_once_runs_on_the_first_host_and_its_result_is_visible_to_all(
    tmp_path: Path, runbook: Run
) -> None:
    assert list(runbook.step("Read the reference clock once")) == ["R1"]
    result = run(tmp_path, ONCE)
    assert list(result.step("Uptime once")) == ["R1"]
    sent = {h: r["commands"] for h, r in result.step("Everyone reads it").items()}
    assert sent == {h: ["show running-config | include R1"] for h in ("R1", "R2", "R3")}


def test_step_hosts_narrow_the_plays_hosts_for_that_step(tmp_path: Path, runbook: Run) -> None:
    assert runbook.statuses("Only R3 reads its ARP table") == {"R3": "ok"}
    result = run(
        tmp_path,
        """
        name: Narrowed
        hosts: routers
        steps:
          - name: Core but R1
            send: show clock
            hosts: [core, "!R1"]
          - name: Everyone
            send: show clock
        """,
    )
    assert list(result.step("Core but R1")) == ["R2"]
    assert list(result.step("Everyone")) == ["R1", "R2", "R3"]


# -- tags, --tags, --skip-tags, --list-steps, --start-at-step -----------------------------


def test_tags_choose_the_steps_that_run(tmp_path: Path) -> None:
    only = run(tmp_path, PLAYBOOKS / "interface-audit.yml", "--tags", "save")
    assert only.code == 0
    assert only.steps == ["Keep every interface table in one file"]
    skipped = run(tmp_path / "skip", PLAYBOOKS / "interface-audit.yml", "--skip-tags", "save")
    assert "Keep every interface table in one file" not in skipped.steps
    assert len(skipped.steps) == 4


def test_the_always_tag_runs_under_any_tags_but_not_when_skipped(tmp_path: Path) -> None:
    book = """
    name: Tagged
    hosts: R1
    tags: [audit]
    steps:
      - {name: Login banner, send: show clock, tags: [always]}
      - {name: Interfaces, send: show ip interface brief, tags: [interfaces]}
      - {name: Routes, send: show ip route, tags: [routing]}
    """
    assert run(tmp_path, book, "--tags", "routing").steps == ["Login banner", "Routes"]
    assert run(tmp_path, book, "--tags", "audit").steps == ["Login banner", "Interfaces", "Routes"]
    assert run(tmp_path, book, "--skip-tags", "always,routing").steps == ["Interfaces"]


def test_list_steps_prints_every_play_and_step_with_its_tags_and_contacts_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results.json"
    audit = PLAYBOOKS / "interface-audit.yml"
    code = main(
        ["run", str(audit), "-i", str(INVENTORY), "--list-steps", "--results", str(results)]
    )
    listed = capsys.readouterr().out
    assert code == 0 and not results.exists()
    assert listed.splitlines()[0] == "play: Interface audit  (hosts: routers)"
    assert "  - Keep every interface table in one file  (send)  [tags: audit, save]" in listed
    main(["run", str(PLAYBOOKS / "runbook.yml"), "-i", str(INVENTORY), "--list-steps"])
    runbook = capsys.readouterr().out
    assert "  - Read NTP config  (send)" in runbook  # included steps are listed in place
    assert runbook.count("play: ") == 2


def test_start_at_step_skips_every_step_before_it_across_plays(
    runbook: Run, tmp_path: Path
) -> None:
    result = run(
        tmp_path, PLAYBOOKS / "runbook.yml", "--start-at-step", "Wait until the uplink is up"
    )
    assert result.code == 0
    assert result.steps == runbook.steps[-3:]
    assert result.steps[0] == "Wait until the uplink is up"


def test_start_at_an_unknown_step_is_a_usage_error_with_a_suggestion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        [
            *("run", str(PLAYBOOKS / "runbook.yml"), "-i", str(INVENTORY), "--lab"),
            *("--start-at-step", "Wait until the uplink is upp"),
        ]
    )
    assert code == 5
    assert "did you mean 'Wait until the uplink is up'" in capsys.readouterr().err


# -- timeout, expect, answers -------------------------------------------------------------


def test_timeout_bounds_each_command_and_fails_the_host_when_it_runs_out(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
        name: A question nobody answers
        hosts: R1
        steps:
          - name: Copy
            send: copy running-config startup-config
            timeout: 0.5
        """,
        "--command-timeout",
        "30",
    )
    copy = result.step("Copy")["R1"]
    assert result.code == 2
    assert copy["kind"] == "timeout" and "timed out after 0.5s" in copy["error"]
    assert "Destination filename [startup-config]?" in copy["error"]  # the last text received


def test_expect_ends_a_command_at_its_question_for_the_next_step_to_answer(
    tmp_path: Path,
) -> None:
    result = run(tmp_path, PLAYBOOKS / "prompts.yml")
    assert result.code == 0
    asked = result.step("Start the copy; the device asks for a file name")
    assert {r["output"] for r in asked.values()} == {"Destination filename [startup-config]? "}
    answered = result.step("Answer with the name the device proposed")
    assert answered["R3"]["commands"] == ["startup-config"]
    assert "[OK]" in answered["R3"]["output"]


def test_an_expected_prompt_that_never_comes_is_a_timeout(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
        name: Wrong question
        hosts: R1
        steps:
          - name: Copy
            send: copy running-config startup-config
            expect: 'Overwrite\\?'
            timeout: 0.5
        """,
    )
    assert result.step("Copy")["R1"]["kind"] == "timeout"


def test_answers_reply_to_the_devices_questions(tmp_path: Path) -> None:
    result = run(tmp_path, PLAYBOOKS / "save-config.yml")
    assert result.code == 0
    copied = result.step("Copy running-config to startup-config")
    assert all("[OK]" in r["output"] for r in copied.values())
    assert result.statuses("It was saved") == {"R1": "ok", "R2": "ok", "R3": "ok"}
    # the answer reaches the device: what the copy saved is in the startup config
    result = run(
        tmp_path,
        """
        name: Change, then copy
        hosts: R1
        steps:
          - {name: Change, config: ntp server 192.0.2.44}
          - name: Copy
            send: copy running-config startup-config
            answers: {"Destination filename": ""}
          - {name: Startup, send: show startup-config | include ntp}
        """,
    )
    assert result.step("Startup")["R1"]["output"] == "ntp server 192.0.2.44"


def test_a_wrong_answer_fails_the_step_with_the_devices_error(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
        name: Wrong file
        hosts: R1
        steps:
          - name: Copy
            send: copy running-config startup-config
            answers: {"Destination filename": "backup-config"}
        """,
    )
    copy = result.step("Copy")["R1"]
    assert result.code == 2
    assert copy["kind"] == "rejected"
    assert copy["error"] == "%Error opening nvram:/backup-config (No such file or directory)"


# -- parse --------------------------------------------------------------------------------


def test_parse_textfsm_picks_the_ntc_template_by_platform_and_command(audit: Run) -> None:
    brief = audit.step("Interfaces as records")["R1"]
    assert len(brief["parsed"]) == 9
    assert brief["parsed"][0] == {
        "interface": "GigabitEthernet0/0",
        "ip_address": "192.168.100.1",
        "status": "up",
        "proto": "up",
    }
    down = audit.step("Details of each down port")["R1"]["results"]
    assert [e["item"] for e in down] == ["GigabitEthernet0/3", "GigabitEthernet1/2"]


def test_parse_with_a_textfsm_file_a_ttp_file_and_inline_ttp(templates: Run) -> None:
    assert templates.code == 0
    counters = templates.step("Error counters (TextFSM template file)")["R2"]["parsed"]
    assert counters[1]["interface"] == "GigabitEthernet0/1" and counters[1]["crc"] == "0"
    brief = templates.step("Addresses (TTP template file)")["R3"]["parsed"]
    assert {"interface": "Loopback0", "status": "up"}.items() <= brief[-1].items()
    version = templates.step("Software version (inline TTP template)")["R1"]["parsed"]
    assert version == [
        {"platform": "vios_l2", "image": "vios_l2-ADVENTERPRISEK9-M", "version": "15.2(7)E4"}
    ]
    messages = {r["msg"] for r in templates.step("Every router runs 15.x").values()}
    assert messages == {f"R{i} runs 15.2(7)E4" for i in (1, 2, 3)}


def test_output_a_template_does_not_fit_fails_the_step_and_is_never_kept_as_text(
    tmp_path: Path,
) -> None:
    ttp = PLAYBOOKS / "templates" / "show_ip_interface_brief.ttp"
    result = run(
        tmp_path,
        f"""
        name: Wrong template
        hosts: R1
        steps:
          - name: Privilege as interfaces
            send: show privilege
            parse: {{ttp: {ttp}}}
            register: privilege
          - name: Not reached
            send: show version
        """,
        "--allow-dir",
        str(ttp.parent),
    )
    privilege = result.step("Privilege as interfaces")["R1"]
    assert result.code == 2
    assert privilege["status"] == "failed" and privilege["kind"] == "parse"
    assert privilege["parsed"] is None
    assert privilege["error"].startswith("parse error: ttp template")
    assert "produced no records" in privilege["error"]
    assert result.step("Not reached") == {}


def test_a_templated_command_without_an_ntc_template_fails_at_run_time(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
        name: No template for it
        hosts: R1
        vars: {what: privilege}
        steps:
          - name: Show something
            send: show {{ what }}
            parse: textfsm
        """,
    )
    shown = result.step("Show something")["R1"]
    assert shown["kind"] == "parse"
    assert (
        "no ntc-templates template for platform cisco_ios and command 'show privilege'"
        in (shown["error"])
    )


# -- set, assert --------------------------------------------------------------------------


def test_set_computes_per_host_variables_that_later_steps_use(audit: Run) -> None:
    # `down_ports` and `mgmt` are set from the parsed table, then looped over and asserted on
    details = audit.step("Details of each down port")
    assert all(len(r["commands"]) == 2 for r in details.values())
    assert audit.statuses("Work out which ports are down") == {"R1": "ok", "R2": "ok", "R3": "ok"}
    assert "192.168.100.3" in audit.step("The management interface must be up")["R3"]["msg"]


def test_a_set_value_that_cannot_be_computed_fails_the_host(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
        name: Bad set
        hosts: R1
        steps:
          - {name: Brief, send: show ip interface brief, parse: textfsm, register: brief}
          - name: Wrong field
            set: {mgmt_ip: "{{ brief.parsed[0].address.split('/')[0] }}"}
        """,
    )
    wrong = result.step("Wrong field")["R1"]
    assert result.code == 2
    assert wrong["kind"] == "template" and "undefined" in wrong["error"]


def test_assert_passes_with_its_success_message(audit: Run) -> None:
    passed = audit.step("The management interface must be up")
    assert {h: r["msg"] for h, r in passed.items()} == {
        f"R{i}": f"R{i}: management interface up at 192.168.100.{i}" for i in (1, 2, 3)
    }


def test_a_failing_assert_fails_those_hosts_with_its_message(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
        name: Only the core is compliant
        hosts: routers
        steps:
          - name: Uses the core NTP server
            assert:
              that:
                - ntp_server is defined
                - ntp_server == '192.0.2.1'
              fail_msg: "{{ inventory_hostname }} uses {{ ntp_server }}"
          - name: Plain message
            assert:
              that: inventory_hostname != 'R2'
          - name: Afterwards
            send: show clock
        """,
    )
    first = result.step("Uses the core NTP server")
    assert result.code == 2
    assert result.statuses("Uses the core NTP server") == {"R1": "ok", "R2": "ok", "R3": "failed"}
    assert first["R3"]["kind"] == "assert" and first["R3"]["error"] == "R3 uses 192.0.2.123"
    plain = result.step("Plain message")["R2"]
    assert plain["error"] == "assertion failed: inventory_hostname != 'R2'"
    assert list(result.step("Afterwards")) == ["R1"]


# -- config safety: device errors, error_patterns, save -----------------------------------

SHOW_CONFIGS = """
          - {name: Running, send: show running-config}
          - {name: Startup, send: show startup-config}
"""


def test_a_rejected_config_line_fails_the_step_stops_the_rest_and_skips_the_save(
    tmp_path: Path,
) -> None:
    result = run(
        tmp_path,
        """
        name: Half a change
        hosts: R1
        steps:
          - name: Loopback
            config:
              - interface Loopback50
              - description first
              - ip address 10.50.0.1
              - description never sent
            save: true
            ignore_errors: true
        """
        + SHOW_CONFIGS,
    )
    change = result.step("Loopback")["R1"]
    assert change["status"] == "failed" and change["kind"] == "rejected"
    assert change["error"] == "% Incomplete command."
    assert "description never sent" not in change["output"]
    assert "Building configuration" not in change["output"]  # no write memory
    running = result.step("Running")["R1"]["output"]
    block = config_block(running, "Loopback50")
    assert " description first\n" in block and "never sent" not in block
    assert "Loopback50" not in result.step("Startup")["R1"]["output"]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("interface Bogus0", "% Invalid input detected at '^' marker."),
        ("ip route 10.0.0.0 255.0.0.0", "% Incomplete command."),
        ("i Loopback3", '% Ambiguous command:  "i Loopback3"'),
    ],
    ids=["invalid", "incomplete", "ambiguous"],
)
def test_device_error_text_fails_a_config_step_and_takes_the_host_out(
    tmp_path: Path, line: str, error: str
) -> None:
    result = run(
        tmp_path,
        f"""
        name: Bad line on R1
        hosts: routers
        steps:
          - name: Change
            config: "{{{{ '{line}' if inventory_hostname == 'R1' else 'ntp server 192.0.2.5' }}}}"
          - name: Verify
            send: show running-config | include ntp
        """,
    )
    change = result.step("Change")
    assert result.code == 2
    assert change["R1"]["status"] == "failed" and change["R1"]["error"] == error
    assert list(result.step("Verify")) == ["R2", "R3"]


@pytest.mark.parametrize(
    ("lines", "failing", "fits"),
    [
        (["logging buffered 16000", "lgging host 192.0.2.50"], "lgging host 192.0.2.50", "l"),
        (["interface Loopback53", "descrption web"], "descrption web", "descr"),
        (["interface Loopback53", "ip adress 10.53.0.1 255.255.255.255"], "ip adress", "ip ad"),
    ],
    ids=["global", "interface", "argument-keyword"],
)
def test_a_typo_in_a_config_line_fails_the_step_with_the_device_s_caret(
    tmp_path: Path, lines: list[str], failing: str, fits: str
) -> None:
    result = run(
        tmp_path,
        f"""
        name: Typo
        hosts: R1
        steps:
          - name: Change
            config: {json.dumps([*lines, "ntp server 192.0.2.51"])}
            save: true
            ignore_errors: true
        """
        + SHOW_CONFIGS,
    )
    change = result.step("Change")["R1"]
    assert change["status"] == "failed" and change["kind"] == "rejected"
    assert change["error"] == "% Invalid input detected at '^' marker."
    prompt = "R1(config-if)#" if "interface" in lines[0] else "R1(config)#"
    assert f"{prompt}{failing}" in change["output"]
    assert "\n" + " " * len(prompt + fits) + "^\n" in change["output"]
    running = result.step("Running")["R1"]["output"]
    assert f"{lines[0]}\n" in running  # the line before the typo was applied, in full
    assert "192.0.2.5" not in running and "web" not in running  # nothing from the typo on
    assert "192.0.2.51" not in result.step("Startup")["R1"]["output"]  # no save


def test_a_config_step_repeated_in_other_words_changes_nothing_the_second_time(
    tmp_path: Path,
) -> None:
    result = run(
        tmp_path,
        """
        name: Same change twice
        hosts: R1
        steps:
          - {name: First, config: [logging buffered 16000, interface Loopback54, description x]}
          - {name: Second, config: [logg buff 16000, int lo54, desc x]}
          - {name: Third, config: [logging buffered 16000, logging buffered 16000]}
        """,
        "--diff",
    )
    assert "+logging buffered 16000" in result.step("First")["R1"]["diff"]
    assert not any(result.step(name)["R1"]["diff"] for name in ("Second", "Third"))


def test_error_patterns_add_device_errors_that_stop_the_remaining_lines(tmp_path: Path) -> None:
    steps = """
        name: Overlapping address
        hosts: R1
        steps:
          - name: Loopback
            config:
              - interface Loopback52
              - ip address 192.168.100.201 255.255.255.0
              - description after the overlap
            ignore_errors: true
            {patterns}
    """
    plain = run(tmp_path, steps.format(patterns="")).step("Loopback")["R1"]
    assert plain["status"] == "ok" and "description after the overlap" in plain["output"]
    strict = run(tmp_path, steps.format(patterns="error_patterns: ['overlaps with']"))
    checked = strict.step("Loopback")["R1"]
    assert checked["status"] == "failed" and checked["kind"] == "rejected"
    assert checked["error"] == "% 192.168.100.0 overlaps with GigabitEthernet0/0"
    assert "description after the overlap" not in checked["output"]


def test_save_writes_the_startup_config_when_every_line_succeeded(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
        name: Saved change
        hosts: R1
        steps:
          - name: Loopback
            config: [interface Loopback60, description saved]
            save: true
        """
        + SHOW_CONFIGS,
    )
    change = result.step("Loopback")["R1"]
    assert change["status"] == "ok" and "[OK]" in change["output"]
    startup = result.step("Startup")["R1"]["output"]
    assert " description saved\n" in config_block(startup, "Loopback60")


def test_a_rejected_line_in_a_looped_config_step_stops_the_later_items_and_the_save(
    tmp_path: Path,
) -> None:
    result = run(
        tmp_path,
        """
        name: Three loopbacks, the second one bad
        hosts: R1
        steps:
          - name: Loopbacks
            config: ["interface Loopback{{ item.id }}", "{{ item.line }}"]
            loop:
              - {id: 61, line: description one}
              - {id: 62, line: ip address 10.62.0.1}
              - {id: 63, line: description three}
            save: true
            ignore_errors: true
        """
        + SHOW_CONFIGS,
    )
    assert result.step("Loopbacks")["R1"]["status"] == "failed"
    assert "Loopback63" not in result.step("Running")["R1"]["output"]
    assert "Loopback6" not in result.step("Startup")["R1"]["output"]


# -- --check, --diff ----------------------------------------------------------------------

DRY_RUN = """
name: Dry run
hosts: R1
steps:
  - {name: Before, send: show running-config}
  - name: Change
    config: [interface Loopback70, description never sent]
    save: true
  - {name: After, send: show running-config}
  - {name: Startup, send: show startup-config}
"""


def test_check_mode_sends_no_config_but_runs_the_show_commands(tmp_path: Path) -> None:
    result = run(tmp_path, DRY_RUN, "--check")
    change = result.step("Change")["R1"]
    assert result.code == 0
    assert change["commands"] == ["interface Loopback70", "description never sent"]
    assert change["outputs"] == [] and change["changed"] is True
    before, after = result.step("Before")["R1"]["output"], result.step("After")["R1"]["output"]
    assert "Loopback70" not in after and after == before
    assert "Loopback70" not in result.step("Startup")["R1"]["output"]


def test_check_mode_prints_per_host_exactly_what_would_be_sent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run(tmp_path, PLAYBOOKS / "ntp-servers.yml", "--check", quiet=False)
    printed = capsys.readouterr().out
    assert result.code == 0
    assert "    > ntp server 192.0.2.1\n" in printed
    assert "    > ntp server 192.0.2.123\n" in printed
    assert result.step("Verify")["R1"]["output"] == ""  # nothing was configured


def test_diff_shows_the_running_config_before_and_after_a_change(tmp_path: Path) -> None:
    result = run(tmp_path, PLAYBOOKS / "loopbacks.yml", "--diff", "--limit", "R1")
    diff = result.step("Create the loopbacks")["R1"]["diff"]
    assert result.code == 0
    assert diff.startswith("--- before\n+++ after\n@@")
    for line in (
        "+interface Loopback10",
        "+ description monitoring source",
        "+interface Loopback20",
    ):
        assert f"\n{line}\n" in diff
    assert "Current configuration" not in diff  # volatile lines are no change
    verify = result.step("Verify")["R1"]
    assert verify["status"] == "ok" and verify["changed"] is False  # changed_when: false


def test_diff_in_check_mode_lists_the_lines_that_would_be_added(tmp_path: Path) -> None:
    result = run(tmp_path, PLAYBOOKS / "ntp-servers.yml", "--check", "--diff")
    diffs = {h: r["diff"] for h, r in result.step("Set the NTP server").items()}
    assert diffs == {
        "R1": "+ntp server 192.0.2.1",
        "R2": "+ntp server 192.0.2.1",
        "R3": "+ntp server 192.0.2.123",
    }


def test_diff_in_check_mode_lists_a_line_that_another_section_already_has(
    tmp_path: Path,
) -> None:
    result = run(
        tmp_path,
        """
        name: Describe Gi0/2
        hosts: R1
        steps:
          - name: Describe
            config: [interface GigabitEthernet0/2, description uplink]
        """,
        "--check",
        "--diff",
    )
    assert "description uplink" in (result.step("Describe")["R1"]["diff"] or "")


def test_check_mode_does_not_send_commands_that_write_to_the_device(tmp_path: Path) -> None:
    result = run(tmp_path, PLAYBOOKS / "save-config.yml", "--check")
    copied = result.step("Copy running-config to startup-config")["R1"]
    assert "[OK]" not in copied["output"]


def test_the_loopbacks_example_runs_cleanly_with_the_command_its_header_suggests(
    tmp_path: Path,
) -> None:
    result = run(tmp_path, PLAYBOOKS / "loopbacks.yml", "--check", "--diff")
    assert result.code == 0
    assert result.statuses("Verify") == {h: "skipped" for h in ("R1", "R2", "R3")}  # check_mode


# -- save_to ------------------------------------------------------------------------------


def test_save_to_writes_one_file_per_host_headed_by_prompt_and_command(audit: Run) -> None:
    for i in (1, 2, 3):
        text = (audit.out / "audit" / f"R{i}-down-ports.txt").read_text()
        heads = [line for line in text.splitlines() if line.startswith(f"R{i}#")]
        assert heads == [
            f"R{i}#show interfaces GigabitEthernet0/3 | include line protocol|Description",
            f"R{i}#show interfaces GigabitEthernet1/2 | include line protocol|Description",
        ]
        assert "GigabitEthernet1/2 is down, line protocol is down" in text


def test_save_to_writes_one_combined_file_in_inventory_order(audit: Run) -> None:
    text = (audit.out / "audit" / "all-interfaces.txt").read_text()
    heads = [line for line in text.splitlines() if "#show" in line]
    assert heads == [f"R{i}#show ip interface brief" for i in (1, 2, 3)]
    blocks = text.split("\n\n")
    assert [block.count("192.168.100.") for block in blocks] == [1, 1, 1]
    assert "192.168.100.2 " in blocks[1]


def test_a_save_to_path_that_escapes_the_output_directory_is_refused(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
        name: Escape
        hosts: R1
        steps:
          - {name: Where, set: {up: ".."}}
          - name: Clock
            send: show clock
            save_to: "{{ up }}/escaped.txt"
        """,
    )
    clock = result.step("Clock")["R1"]
    assert result.code == 2
    assert clock["kind"] == "save_to" and "escapes the output directory" in clock["error"]
    assert not (tmp_path / "escaped.txt").exists()


def test_save_to_may_use_play_vars_in_its_path(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
        name: Per site
        hosts: R1
        vars: {site: lab1}
        steps:
          - {name: Clock, send: show clock, save_to: "{{ site }}/{{ inventory_hostname }}.txt"}
        """,
    )
    assert result.step("Clock")["R1"]["status"] == "ok"
    assert (result.out / "lab1" / "R1.txt").read_text().startswith("R1#show clock\n")


def test_a_host_whose_output_cannot_be_saved_sits_out_the_remaining_steps(
    tmp_path: Path,
) -> None:
    result = run(
        tmp_path,
        """
        name: Escape
        hosts: R1
        steps:
          - {name: Where, set: {up: ".."}}
          - {name: Clock, send: show clock, save_to: "{{ up }}/escaped.txt"}
          - {name: Afterwards, send: show version}
        """,
    )
    assert result.step("Afterwards") == {}


# -- include ------------------------------------------------------------------------------


def include_playbook(hosts: str, vars_line: str = "") -> str:
    return f"""
    name: Reuse
    hosts: {hosts}
    steps:
      - include: {VERIFY_NTP}
        {vars_line}
    """


def test_include_runs_another_files_steps_in_place(runbook: Run) -> None:
    assert runbook.steps[:4] == [
        "Read the reference clock once",
        "Point the core at the NTP server",
        "Read NTP config",
        "The expected server is configured",
    ]
    assert runbook.statuses("The expected server is configured") == {"R1": "ok", "R2": "ok"}


def test_an_included_file_uses_its_own_vars_unless_the_include_overrides_them(
    tmp_path: Path,
) -> None:
    shared = ("--allow-dir", str(PLAYBOOKS))  # the included file is outside tmp_path
    own = run(tmp_path, include_playbook("R3"), *shared)  # the file expects 192.0.2.1
    assert own.step("The expected server is configured")["R3"]["error"] == (
        "R3 does not use 192.0.2.1"
    )
    overridden = run(
        tmp_path, include_playbook("R1", "vars: {expected_server: 192.0.2.55}"), *shared
    )
    assert overridden.code == 2
    assert overridden.step("The expected server is configured")["R1"]["error"] == (
        "R1 does not use 192.0.2.55"
    )


def test_hosts_on_an_include_narrow_the_included_steps(tmp_path: Path) -> None:
    result = run(
        tmp_path, include_playbook("routers", "hosts: core"), "--allow-dir", str(PLAYBOOKS)
    )
    assert list(result.step("Read NTP config")) == ["R1", "R2"]


# -- variable precedence ------------------------------------------------------------------


def pinged(result: Run, step: str) -> dict[str, str]:
    return {h: r["commands"][0] for h, r in result.step(step).items()}


def test_each_variable_level_beats_the_ones_below_it(tmp_path: Path) -> None:
    result = run(tmp_path, PLAYBOOKS / "precedence.yml")
    assert result.code == 0
    assert pinged(result, "Group vars beat defaults") == {
        "R1": "ping 192.0.2.1",
        "R2": "ping 192.0.2.1",
        "R3": "ping 192.0.2.123",
    }
    uplinks = pinged(result, "Host vars beat group vars")
    assert uplinks["R2"].startswith("show interfaces GigabitEthernet0/1 ")
    assert uplinks["R3"].startswith("show interfaces GigabitEthernet0/2 ")
    for step, address in [
        ("Play vars", "192.0.2.10"),
        ("Step vars", "192.0.2.20"),
        ("Set beats step vars", "192.0.2.30"),
    ]:
        assert set(pinged(result, step).values()) == {f"ping {address}"}, step


def test_extra_vars_beat_every_other_level(tmp_path: Path) -> None:
    result = run(tmp_path, PLAYBOOKS / "precedence.yml", "-e", "ntp_server=192.0.2.99")
    pings = {c for r in result.data["steps"] for x in r["results"] for c in x["commands"]}
    assert {c for c in pings if c.startswith("ping")} == {"ping 192.0.2.99"}


# -- multiple plays -----------------------------------------------------------------------


def test_each_play_runs_its_steps_on_its_own_hosts(runbook: Run) -> None:
    plays = {record["play"] for record in runbook.data["steps"]}
    assert plays == {"Change NTP on the core", "Check every router"}
    assert runbook.data["mode"] == {
        "Change NTP on the core": "lockstep",
        "Check every router": "pipeline",
    }
    core = runbook.step("Point the core at the NTP server", play="Change NTP on the core")
    assert list(core) == ["R1", "R2"]
    assert list(runbook.step("Wait until the uplink is up")) == ["R1", "R2", "R3"]
    assert runbook.data["hosts"] == ["R1", "R2", "R3"]


FAILING_FIRST_PLAY = """
- name: First
  hosts: core
  {strategy}
  steps:
    - name: Break R2
      send: "show {{{{ 'bogus' if inventory_hostname == 'R2' else 'clock' }}}}"
- name: Second
  hosts: routers
  {strategy}
  steps:
    - {{name: Clock, send: show clock}}
"""


def test_a_host_that_failed_sits_out_the_next_play_under_lockstep(tmp_path: Path) -> None:
    result = run(tmp_path, FAILING_FIRST_PLAY.format(strategy="strategy: lockstep"))
    assert result.code == 2
    assert result.statuses("Break R2") == {"R1": "ok", "R2": "failed"}
    assert list(result.step("Clock", play="Second")) == ["R1", "R3"]


def test_a_host_that_failed_sits_out_the_next_play_under_pipeline(tmp_path: Path) -> None:
    result = run(tmp_path, FAILING_FIRST_PLAY.format(strategy=""))
    assert result.code == 2
    assert list(result.step("Clock", play="Second")) == ["R1", "R3"]
