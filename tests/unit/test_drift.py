"""Drift between two runs: what changed per host and step, volatile text left out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main
from engine.drift import Change, HostDrift, Ignore, compare, lines_changed, render
from engine.errors import UsageError

DEFAULT = Ignore.of(exact=False)


# -- volatile text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("R1 uptime is 3 weeks, 2 days, 5 minutes", "R1 uptime is 3 weeks, 2 days, 9 minutes"),
        ("*22:45:29.331 UTC Mon Nov 30 2026", "09:01:02.004 UTC Tue Dec 1 2026"),
        ("Current configuration : 1914 bytes", "Current configuration : 1990 bytes"),
        (
            "     16589760 packets input, 2405515200 bytes, 0 no buffer",
            "     16590001 packets input, 2405599999 bytes, 0 no buffer",
        ),
        (
            "  5 minute input rate 9280 bits/sec, 8 packets/sec",
            "  5 minute input rate 0 bits/sec, 0 packets/sec",
        ),
        (
            "     reliability 255/255, txload 1/255, rxload 1/255",
            "     reliability 254/255, txload 9/255, rxload 3/255",
        ),
        (
            "     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored",
            "     4 input errors, 2 CRC, 0 frame, 0 overrun, 7 ignored",
        ),
        (
            "CPU utilization for five seconds: 1%/0%; one minute: 1%",
            "CPU utilization for five seconds: 9%/2%; one minute: 3%",
        ),
        (
            "10.255.0.2        1   FULL/DR         00:00:39    172.16.0.2      GigabitEthernet0/1",
            "10.255.0.2        1   FULL/DR         00:00:31    172.16.0.2      GigabitEthernet0/1",
        ),
        (
            "Internet  172.16.0.2            101   5254.00c4.9f02  ARPA   GigabitEthernet0/1",
            "Internet  172.16.0.2              7   5254.00c4.9f02  ARPA   GigabitEthernet0/1",
        ),
        (
            "R2               Gig 0/1           178             R S I  IOSv      Gig 0/2",
            "R2               Gig 0/1           161             R S I  IOSv      Gig 0/2",
        ),
        (
            "R2               Gig 0/1           178             R S I  IOSv      Gig 0/2",
            "R2               Gig 0/1           99              R S I  IOSv      Gig 0/2",
        ),
        (
            "*Nov 30 22:45:29.321: %SYS-5-CONFIG_I: Configured",
            "*Dec  1 08:00:00.000: %SYS-5-CONFIG_I: Configured",
        ),
    ],
)
def test_text_that_changes_on_its_own_is_the_same_once_blanked(before: str, after: str) -> None:
    assert before != after
    assert DEFAULT.line(before) == DEFAULT.line(after)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("ntp server 192.0.2.1", "ntp server 192.0.2.2"),
        (" description uplink", " description uplink to R3"),
        ("  MTU 1500 bytes, BW 1000000 Kbit/sec", "  MTU 9000 bytes, BW 1000000 Kbit/sec"),
        (  # a neighbour replaced: its dead time is left out, its address is not
            "10.255.0.2        1   FULL/DR         00:00:39    172.16.0.2      GigabitEthernet0/1",
            "10.255.0.9        1   FULL/DR         00:00:39    172.16.0.2      GigabitEthernet0/1",
        ),
        (
            "Internet  172.16.0.2            101   5254.00c4.9f02  ARPA   GigabitEthernet0/1",
            "Internet  172.16.0.2            101   5254.00c4.aaaa  ARPA   GigabitEthernet0/1",
        ),
    ],
)
def test_drift_in_a_line_with_volatile_parts_still_shows(before: str, after: str) -> None:
    assert DEFAULT.line(before) != DEFAULT.line(after)


def test_parsed_fields_named_like_volatile_values_are_left_out() -> None:
    record = {"interface": "Gi0/1", "uptime": "1w", "input_packets": "5", "dead_time": "x"}
    nested = {"ports": [record], "CRC": "0", "AGE": "7"}
    assert DEFAULT.record(nested) == {"ports": [{"interface": "Gi0/1"}]}


def test_exact_leaves_nothing_out_but_the_users_own_patterns() -> None:
    exact = Ignore.of([r"serial (\d+)"], exact=True)
    assert exact.line("R1 uptime is 3 weeks") == "R1 uptime is 3 weeks"
    assert exact.line("serial 123 ok") == exact.line("serial 456 ok")
    assert exact.names == ("your patterns",)


def test_a_pattern_with_groups_blanks_only_its_groups() -> None:
    mine = Ignore.of([r"^ntp server (\S+)"], exact=True)
    assert mine.line("ntp server 192.0.2.1") == mine.line("ntp server 192.0.2.2")
    assert mine.line("ntp server 192.0.2.1") != mine.line("ntp peer 192.0.2.1")


@pytest.mark.parametrize("option", ["lines", "fields"])
def test_a_pattern_the_regex_engine_cannot_run_is_a_usage_error(option: str) -> None:
    with pytest.raises(UsageError, match=r"--ignore.*look-ahead"):
        Ignore.of(**{option: ["(?=x)"]}, exact=False)


# -- comparing --------------------------------------------------------------------------------


def test_changed_lines_show_under_their_parent_section() -> None:
    before = ["!", "interface Gi0/1", " description a", " no shutdown", "ntp server 1.1.1.1"]
    after = ["!", "interface Gi0/1", " description b", " no shutdown", "ntp server 1.1.1.1", "!"]
    assert lines_changed(before, after) == (
        "  interface Gi0/1",
        "-  description a",
        "+  description b",
        "+ !",
    )


def result(host: str, **fields: Any) -> dict[str, Any]:
    return {"host": host, "status": "ok", "commands": ["show clock"], "outputs": ["x"], **fields}


def run(
    *steps: tuple[str, list[dict[str, Any]]], hosts: tuple[str, ...] = ("R1", "R2")
) -> dict[str, Any]:
    return {
        "hosts": list(hosts),
        "steps": [{"play": "p", "step": name, "results": results} for name, results in steps],
    }


def test_each_host_and_step_that_differs_is_named_with_what_differs() -> None:
    before = run(
        ("clock", [result("R1"), result("R2")]),
        ("parse", [result("R1", parsed=[{"name": "Gi0/1", "status": "up"}]), result("R2")]),
    )
    after = run(
        ("clock", [result("R1"), result("R2", status="failed", kind="rejected", error="% bad")]),
        ("parse", [result("R1", parsed=[{"name": "Gi0/1", "status": "down"}]), result("R2")]),
    )
    drift = compare(before, after, DEFAULT)
    assert drift.drifted == ("R1", "R2")
    assert drift.found == (
        HostDrift(
            "R1",
            "parse",
            (
                Change(
                    "parsed",
                    (
                        '- {"name": "Gi0/1", "status": "up"}',
                        '+ {"name": "Gi0/1", "status": "down"}',
                    ),
                ),
            ),
        ),
        HostDrift("R2", "clock", (Change("status", ("- ok", "+ failed (rejected): % bad")),)),
    )


def test_outputs_are_compared_command_by_command() -> None:
    before = run(
        ("show", [result("R1", commands=["a", "b"], outputs=["one", "two"])]), hosts=("R1",)
    )
    after = run(
        ("show", [result("R1", commands=["a", "b"], outputs=["one", "three"])]), hosts=("R1",)
    )
    (found,) = compare(before, after, DEFAULT).found
    assert found.changes == (Change("b", ("- two", "+ three")),)


def test_commands_that_differ_are_a_change_of_their_own() -> None:
    before = run(("show", [result("R1", commands=["show ip route"])]), hosts=("R1",))
    after = run(("show", [result("R1", commands=["show ip route vrf x"])]), hosts=("R1",))
    (found,) = compare(before, after, DEFAULT).found
    assert found.changes[0] == Change("commands", ("- show ip route", "+ show ip route vrf x"))


def test_a_host_in_one_run_only_is_named_once() -> None:
    before = run(("clock", [result("R1"), result("R2")]))
    after = run(("clock", [result("R1"), result("R3")]), hosts=("R1", "R3"))
    drift = compare(before, after, DEFAULT)
    assert [(d.host, d.step, d.changes) for d in drift.found] == [
        ("R3", None, (Change("only in B"),)),
        ("R2", None, (Change("only in A"),)),
    ]


def test_a_step_that_ran_in_one_run_only_is_named_for_its_hosts() -> None:
    before = run(("clock", [result("R1")]), hosts=("R1",))
    after = run(("clock", [result("R1")]), ("new", [result("R1")]), hosts=("R1",))
    (found,) = compare(before, after, DEFAULT).found
    assert (found.step, found.changes) == ("new", (Change("ran only in B"),))


def test_steps_of_the_same_name_are_matched_in_order() -> None:
    before = run(
        ("s", [result("R1", outputs=["1"])]), ("s", [result("R1", outputs=["2"])]), hosts=("R1",)
    )
    assert compare(before, before, DEFAULT).found == ()
    assert compare(before, before, DEFAULT).steps == 2


def test_the_rendering_heads_each_change_with_host_step_and_what() -> None:
    before = run(("clock", [result("R1", outputs=["a\nb"])]), hosts=("R1",))
    after = run(("clock", [result("R1", outputs=["a\nc"])]), hosts=("R1",))
    text = render(compare(before, after, DEFAULT), "one", "two", DEFAULT)
    assert text.splitlines() == [
        "--- A one",
        "+++ B two",
        "",
        "R1  clock  [show clock]",
        "  - b",
        "  + c",
        "",
        "drift on 1 of 1 host: R1 (left out: uptime, clock, date, config stamps, counters,"
        " cpu, ages)",
    ]


# -- the command ------------------------------------------------------------------------------


def write(path: Path, data: dict[str, Any]) -> str:
    path.write_text(json.dumps(data))
    return str(path)


def test_diff_exits_1_on_drift_and_0_when_the_runs_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write(tmp_path / "a.json", run(("clock", [result("R1", outputs=["R1 uptime is 1 week"])])))
    b = write(tmp_path / "b.json", run(("clock", [result("R1", outputs=["R1 uptime is 2 weeks"])])))
    assert main(["diff", a, b]) == 0
    assert "no drift: 2 hosts, 1 step" in capsys.readouterr().out
    assert main(["diff", a, b, "--exact"]) == 1
    assert "R1  clock  [show clock]" in capsys.readouterr().out


def test_diff_errors_keep_their_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write(tmp_path / "a.json", run(("clock", [result("R1")])))
    (tmp_path / "bad.json").write_text("[]")
    assert main(["diff", a, str(tmp_path / "bad.json")]) == 4
    assert main(["diff", a, "no-such-run", "-p", str(tmp_path)]) == 5
    assert main(["diff", a, a, "--ignore", "(?<=x)"]) == 5
    assert main(["diff", "-p", str(tmp_path)]) == 5
    err = capsys.readouterr().err
    assert "keeps 0 runs" in err and "Traceback" not in err


def test_device_text_in_a_diff_is_made_printable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write(tmp_path / "a.json", run(("clock", [result("R1", outputs=["ok"])]), hosts=("R1",)))
    b = write(
        tmp_path / "b.json",
        run(("clock", [result("R1", outputs=["\x1b]0;owned\x07"])]), hosts=("R1",)),
    )
    assert main(["diff", a, b]) == 1
    assert "+ ^[]0;owned^G" in capsys.readouterr().out
