"""Faults over real SSH: twenty simulated hosts, the faulty ones mixed in among healthy ones.

Every host keeps its result, the healthy ones complete, each fault gets its own status and
message, and nothing reaches the user as a traceback or a password.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Pw-Lemur-9047"
SECRET = "En-Tapir-6618"
HOSTS = [f"H{i:02d}" for i in range(1, 21)]
PLAYBOOK = """\
name: Fault table
hosts: all
steps:
  - name: Clock
    send: show clock
  - name: Details
    send: [show version, show ip interface brief, show inventory]
"""
# Fault → (lab knobs, the status the faulty host ends with, the run's exit code alone)
FAULTS: dict[str, tuple[dict[str, Any], str, int]] = {
    "refuse": ({"refuse": True}, "unreachable", 3),
    "reject_login": ({"reject_login": True}, "failed", 2),
    "hang_before_banner": ({"hang_before_banner": True}, "unreachable", 3),
    "hang_on": ({"hang_on": "show version"}, "failed", 2),
    "drop_after": ({"drop_after": 2}, "failed", 2),  # `enable` counts as the first command
    "reject": ({"reject": ["show clock"]}, "failed", 2),
}
MIXED = dict(zip(["H03", "H06", "H09", "H12", "H15", "H18"], FAULTS, strict=True))
TIMEOUTS = ["--connect-timeout", "2", "--command-timeout", "2"]


def write_inventory(folder: Path, faults: Mapping[str, Mapping[str, Any]]) -> Path:
    """Twenty hosts with distinct credentials; `faults` maps a host to its lab knobs."""
    rows = [
        "defaults:",
        "  username: netops",
        f"  password: {PASSWORD}",
        f"  secret: {SECRET}",
        "hosts:",
    ]
    for number, name in enumerate(HOSTS, 1):
        knobs = json.dumps(dict(faults.get(name, {})))
        rows.append(f"  {name}: {{host: 192.168.100.{number}, lab: {knobs}}}")
    path = folder / "inventory.yml"
    path.write_text("\n".join(rows) + "\n")
    return path


def write_playbook(folder: Path, text: str = PLAYBOOK) -> Path:
    path = folder / "playbook.yml"
    path.write_text(text)
    return path


@dataclass(frozen=True)
class Run:
    """One `netplay run` in this process: exit code, what it printed, what it wrote."""

    code: int
    out: str
    err: str
    seconds: float
    results: dict[str, Any]
    journal: list[dict[str, Any]]

    def result(self, host: str, step: str) -> dict[str, Any]:
        rows = [r for s in self.results["steps"] if s["step"] == step for r in s["results"]]
        return next(r for r in rows if r["host"] == host)

    def last(self, host: str) -> dict[str, Any]:
        """The host's last step result (where a failing host stopped)."""
        rows = [r for s in self.results["steps"] for r in s["results"] if r["host"] == host]
        return rows[-1]


def netplay_run(folder: Path, inventory: Path, *extra: str) -> Run:
    results = folder / "results.json"
    argv = ["run", str(write_playbook(folder)), "-i", str(inventory), "--lab", "-q"]
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, *TIMEOUTS, "--results", str(results), *extra])
    seconds = time.monotonic() - started
    journal_path = results.with_suffix(".jsonl")
    journal = (
        [json.loads(row) for row in journal_path.read_text().splitlines()]
        if (journal_path.exists())
        else []
    )
    data = json.loads(results.read_text())
    return Run(code, out.getvalue(), err.getvalue(), seconds, data, journal)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One run of twenty hosts with one host per fault mixed in."""
    folder = tmp_path_factory.mktemp("mixed")
    faults = {host: FAULTS[fault][0] for host, fault in MIXED.items()}
    return netplay_run(folder, write_inventory(folder, faults))


def test_every_host_keeps_its_result_and_the_healthy_ones_complete(mixed: Run) -> None:
    assert sorted(mixed.results["recap"]) == HOSTS
    assert [r["host"] for r in mixed.results["steps"][0]["results"]] == HOSTS
    for host in HOSTS:
        counts = mixed.results["recap"][host]
        if host in MIXED:
            assert counts["failed"] + counts["unreachable"] == 1, host
        else:
            assert (counts["ok"], counts["failed"], counts["unreachable"]) == (2, 0, 0), host


def test_a_closed_port_is_unreachable_and_the_run_exits_3(mixed: Run) -> None:
    result = mixed.result("H03", "Clock")
    assert result["status"] == "unreachable"
    assert "connection refused" in result["error"]
    assert mixed.code == 3


def test_a_rejected_login_names_the_user_and_never_the_password(mixed: Run) -> None:
    result = mixed.result("H06", "Clock")
    assert result["status"] == "failed"
    assert "authentication failed for user 'netops'" in result["error"]
    assert "H06" in mixed.out  # the console line names the host
    for channel in (mixed.out, mixed.err, json.dumps(mixed.results), json.dumps(mixed.journal)):
        assert PASSWORD not in channel and SECRET not in channel


def test_a_host_silent_before_the_banner_is_unreachable_after_the_connect_timeout(
    mixed: Run,
) -> None:
    result = mixed.result("H09", "Clock")
    assert result["status"] == "unreachable"
    assert "no SSH banner within 2s" in result["error"]
    assert result["elapsed"] >= 1.5  # it waited for the timeout, not less


def test_a_command_that_hangs_fails_after_the_command_timeout_with_the_last_text(
    mixed: Run,
) -> None:
    assert mixed.result("H12", "Clock")["status"] == "ok"
    result = mixed.result("H12", "Details")
    assert result["status"] == "failed"
    assert "'show version' timed out after 2s without a prompt" in result["error"]
    assert "Cisco IOS Software" in result["error"]  # what the device sent before it hung
    assert result["elapsed"] >= 1.5  # it waited for the timeout, not less


def test_a_dropped_session_fails_the_host(mixed: Run) -> None:
    result = mixed.last("H15")
    assert result["status"] == "failed"
    assert "closed the session" in result["error"]


def test_a_rejected_command_fails_with_the_devices_message(mixed: Run) -> None:
    result = mixed.result("H18", "Clock")
    assert result["status"] == "failed"
    assert result["error"] == "% Invalid input detected at '^' marker."


def test_no_fault_reaches_the_user_as_a_traceback(mixed: Run) -> None:
    assert "Traceback" not in mixed.err + mixed.out
    assert mixed.seconds < 15


@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_alone_costs_only_its_host(fault: str, tmp_path: Path) -> None:
    knobs, status, code = FAULTS[fault]
    run = netplay_run(tmp_path, write_inventory(tmp_path, {"H11": knobs}))
    assert run.code == code
    assert run.last("H11")["status"] == status
    healthy = [h for h in HOSTS if h != "H11"]
    assert all(run.results["recap"][h]["ok"] == 2 for h in healthy)


# --- what the executor adds: journal, budgets, rate, reruns, signals --------------------------


def test_the_journal_holds_one_record_per_host_per_step_as_in_the_results(mixed: Run) -> None:
    finished = [(r["host"], s["step"]) for s in mixed.results["steps"] for r in s["results"]]
    journaled = [(r["host"], r["step"]) for r in mixed.journal]
    assert sorted(journaled) == sorted(finished)
    assert all("status" in r and "error" in r for r in mixed.journal)


def test_rerun_failed_runs_only_the_hosts_that_failed_or_were_unreachable(
    mixed: Run, tmp_path: Path
) -> None:
    previous = tmp_path / "previous.json"
    previous.write_text(json.dumps(mixed.results))
    run = netplay_run(tmp_path, write_inventory(tmp_path, {}), "--rerun-failed", str(previous))
    assert sorted(run.results["recap"]) == sorted(MIXED)
    assert run.code == 0


def test_a_host_timeout_stops_a_slow_host_and_not_the_others(tmp_path: Path) -> None:
    slow = {"H07": {"command_delay": 2.0}}  # its session set-up alone outlasts the budget
    run = netplay_run(tmp_path, write_inventory(tmp_path, slow), "--host-timeout", "3")
    assert run.last("H07")["status"] in ("failed", "unreachable")
    assert re.search(r"time[sd]? ?out", run.last("H07")["error"] or "")
    assert all(run.results["recap"][h]["ok"] == 2 for h in HOSTS if h != "H07")
    assert run.seconds < 12


def test_connect_rate_spreads_the_connection_starts(tmp_path: Path) -> None:
    run = netplay_run(tmp_path, write_inventory(tmp_path, {}), "--connect-rate", "20")
    assert run.code == 0
    assert run.seconds >= 0.8  # twenty starts at twenty a second, with jitter


# --- interrupts: every journaled result is in the results, and nothing new starts ----------

LONG_RUN = "".join(f"  - name: Clock {i}\n    send: show clock\n" for i in range(30))


def wait_for(condition: Any, what: str, timeout: float = 60.0) -> None:
    """Poll until `condition()` holds (guards against a hang, not a speed test)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


def journal_rows(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


@dataclass(frozen=True)
class Stopped:
    """A `netplay run` process stopped by signals."""

    code: int
    out: str
    err: str
    results: dict[str, Any]
    journal: list[dict[str, Any]]
    journaled_at_signal: int

    def pairs(self) -> list[tuple[str, str]]:
        return sorted((s["step"], r["host"]) for s in self.results["steps"] for r in s["results"])

    def journal_pairs(self) -> list[tuple[str, str]]:
        return sorted((row["step"], row["host"]) for row in self.journal)


def stop_a_run(tmp_path: Path, play: str, signum: int, *, ignore_sigint: bool = False) -> Stopped:
    """Start a long run of twenty slow hosts, one slower than the rest, signal it once the
    others have done the first step (the slowest host is then mid-step), and collect
    what it left."""
    slow: dict[str, Any] = {name: {"command_delay": 0.3} for name in HOSTS}
    slow[HOSTS[0]] = {"command_delay": 0.6}
    inventory = write_inventory(tmp_path, slow)
    playbook = write_playbook(tmp_path, play + LONG_RUN)
    results = tmp_path / "results.json"
    journal = results.with_suffix(".jsonl")
    argv = [sys.executable, "-m", "engine", "run", str(playbook), "-i", str(inventory), "--lab"]
    argv += ["-q", "--results", str(results)]

    def ignoring() -> None:  # as under `nohup` or a supervisor: SIGINT inherited as ignored
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    with subprocess.Popen(
        argv,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ignoring if ignore_sigint else None,
    ) as process:
        try:
            wait_for(lambda: len(journal_rows(journal)) >= len(HOSTS) - 1, "the first step")
            at_signal = len(journal_rows(journal))
            process.send_signal(signum)
            out, err = process.communicate(timeout=30)
        finally:
            process.kill()
    data = json.loads(results.read_text())
    return Stopped(process.returncode, out, err, data, journal_rows(journal), at_signal)


@pytest.mark.parametrize(
    "strategy, signum",
    [("lockstep", signal.SIGTERM), ("pipeline", signal.SIGINT)],
    ids=["lockstep-SIGTERM", "pipeline-SIGINT"],
)
def test_an_interrupted_run_keeps_every_journaled_result_and_says_what_did_not_run(
    strategy: str, signum: int, tmp_path: Path
) -> None:
    run = stop_a_run(
        tmp_path, f"name: Long run\nhosts: all\nstrategy: {strategy}\nsteps:\n", signum
    )
    assert run.code == 99, run.err
    assert "Traceback" not in run.out + run.err
    assert run.results["interrupted"] is True
    assert run.pairs() == run.journal_pairs()
    assert len(run.pairs()) >= len(HOSTS) - 1
    # each host finishes at most the step it was in; none starts another
    assert len(run.journal) - run.journaled_at_signal <= 2 * len(HOSTS)
    assert re.search(r"^interrupted: not run: 'Clock \d+'", run.out, re.MULTILINE)
    assert run.results["not_run"][-1]["step"] == "Clock 29"


def test_sigint_stops_the_run_even_when_inherited_as_ignored(tmp_path: Path) -> None:
    run = stop_a_run(
        tmp_path, "name: Long run\nhosts: all\nsteps:\n", signal.SIGINT, ignore_sigint=True
    )
    assert run.code == 99, run.err
    assert run.results["interrupted"] is True
    assert run.pairs() == run.journal_pairs()


CONFIG_LINES = [
    "interface Loopback5",
    "description by netplay",
    "ip address 10.5.5.5 255.255.255.255",
]


@pytest.mark.parametrize("strategy", ["lockstep", "pipeline"])
def test_a_config_step_in_flight_at_sigterm_is_reported_with_its_lines_never_as_not_run(
    strategy: str, tmp_path: Path
) -> None:
    # R2's device takes the last line and never answers: the step outlasts the grace period
    inventory = write_inventory(tmp_path, {"H02": {"hang_on": "ip address"}})
    lines = "".join(f"      - {line}\n" for line in CONFIG_LINES)
    play = f"name: Change\nhosts: H01,H02\nstrategy: {strategy}\nsteps:\n"
    play += f"  - name: c1\n    config:\n{lines}  - name: s2\n    send: show clock\n"
    results, logs = tmp_path / "results.json", tmp_path / "logs"
    argv = [sys.executable, "-m", "engine", "run", str(write_playbook(tmp_path, play))]
    argv += ["-i", str(inventory), "--lab", "--results", str(results), "--session-logs", str(logs)]
    with subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True) as process:
        try:
            log = logs / "H02.log"
            wait_for(lambda: log.exists() and CONFIG_LINES[-1] in log.read_text(), "the last line")
            process.send_signal(signal.SIGTERM)
            out, _ = process.communicate(timeout=30)
        finally:
            process.kill()
    assert process.returncode == 99, out
    data = json.loads(results.read_text())
    [cut] = [
        r for s in data["steps"] if s["step"] == "c1" for r in s["results"] if r["host"] == "H02"
    ]
    assert (cut["status"], cut["kind"], cut["commands"]) == ("failed", "interrupted", CONFIG_LINES)
    assert "the configuration it sent may have been applied" in cut["error"]
    journaled = [(row["step"], row["host"]) for row in journal_rows(results.with_suffix(".jsonl"))]
    assert ("c1", "H02") in journaled
    # absent when every other step ran (H01 may finish its steps before the signal)
    assert all("H02" not in entry["hosts"] for entry in data.get("not_run", []))
    assert re.search(r"^  failed +H02 .*interrupted before the step finished", out, re.MULTILINE)
