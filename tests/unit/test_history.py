"""Run history: every run's results kept beside its playbook, private, never through a link."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from engine import commands, history
from engine.cli import main
from engine.drivers import ConnectionSettings
from engine.drivers.replay import ReplayDriver, Script
from engine.errors import InputError, UsageError
from engine.inventory import Host
from engine.options import RunOptions
from engine.runner import Stop

PASSWORD = "pw-Osprey-5512"
INVENTORY = f"defaults: {{password: {PASSWORD}}}\nhosts:\n  R1: {{}}\n  R2: {{}}\n"
PLAYBOOK = """\
name: Two steps
hosts: all
steps:
  - {name: first, send: show clock}
  - {name: second, send: show users}
"""
DAY = 1_796_000_000.0  # a moment in 2026, for run ids


def replay(host: Host, settings: ConnectionSettings) -> ReplayDriver:
    # the device echoes the password: the kept results must hold it masked
    script = Script({"show clock": "noon", "show users": f"netops {PASSWORD}"})
    return ReplayDriver(host, settings, script)


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, RunOptions]:
    """A playbook in its own folder, with history on."""
    monkeypatch.delenv("NETPLAY_NO_HISTORY")
    (tmp_path / "inventory.yml").write_text(INVENTORY)
    (tmp_path / "site.yml").write_text(PLAYBOOK)
    return tmp_path / "site.yml", RunOptions(inventory=tmp_path / "inventory.yml", quiet=True)


def kept(folder: Path) -> list[Path]:
    root = folder / ".netplay" / "runs"
    return [root / run_id for run_id in history.run_ids(root)]


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_a_run_keeps_its_results_in_private_folders_beside_the_playbook(
    book: tuple[Path, RunOptions],
) -> None:
    playbook, options = book
    assert commands.run(str(playbook), options, driver_factory=replay) == 0
    (run,) = kept(playbook.parent)
    data = json.loads((run / "results.json").read_text())
    assert [s["step"] for s in data["steps"]] == ["first", "second"]
    assert [mode(p) for p in (run.parent.parent, run.parent, run)] == [0o700] * 3
    assert mode(run / "results.json") == 0o600


def test_the_history_holds_the_same_masked_data_as_the_results_file(
    book: tuple[Path, RunOptions],
) -> None:
    playbook, options = book
    results = playbook.parent / "results.json"
    assert (
        commands.run(str(playbook), replace(options, results=results), driver_factory=replay) == 0
    )
    (run,) = kept(playbook.parent)
    text = (run / "results.json").read_text()
    assert text == results.read_text()
    assert PASSWORD not in text and "netops ********" in text


def test_without_results_the_journal_goes_to_the_history_as_the_run_goes(
    book: tuple[Path, RunOptions],
) -> None:
    playbook, options = book
    assert commands.run(str(playbook), options, driver_factory=replay) == 0
    (run,) = kept(playbook.parent)
    rows = [json.loads(line) for line in (run / "results.jsonl").read_text().splitlines()]
    assert sorted((r["step"], r["host"]) for r in rows) == [
        ("first", "R1"),
        ("first", "R2"),
        ("second", "R1"),
        ("second", "R2"),
    ]
    assert PASSWORD not in (run / "results.jsonl").read_text()


def test_an_interrupted_run_keeps_what_it_did_and_what_it_did_not_run(
    book: tuple[Path, RunOptions],
) -> None:
    playbook, options = book
    stop = Stop()

    def interrupting(host: Host, settings: ConnectionSettings) -> ReplayDriver:
        driver = replay(host, settings)
        send = driver.send

        def sending(command: str, **kwargs: Any) -> Any:
            stop.set()  # Ctrl-C while the first command runs
            return send(command, **kwargs)

        driver.send = sending  # type: ignore[method-assign]
        return driver

    options = replace(options, forks=1)
    assert commands.run(str(playbook), options, stop=stop, driver_factory=interrupting) == 99
    (run,) = kept(playbook.parent)
    data = json.loads((run / "results.json").read_text())
    assert data["interrupted"] is True
    assert data["not_run"][0]["hosts"] == ["R2"]


@pytest.mark.parametrize("how", ["option", "environment"])
def test_no_history_keeps_nothing(
    book: tuple[Path, RunOptions], how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    playbook, options = book
    if how == "option":
        options = replace(options, history=False)
    else:
        monkeypatch.setenv("NETPLAY_NO_HISTORY", "1")
    assert commands.run(str(playbook), options, driver_factory=replay) == 0
    assert not (playbook.parent / ".netplay").exists()


def test_the_history_keeps_the_newest_runs_and_removes_older_ones(tmp_path: Path) -> None:
    playbook = tmp_path / "site.yml"
    made = [history.begin(playbook, keep=3, now=DAY + second).id for second in range(5)]
    assert history.run_ids(history.root_for(playbook)) == made[-3:]
    assert not (tmp_path / ".netplay" / "runs" / made[0]).exists()


def test_runs_started_in_the_same_second_get_their_own_folders(tmp_path: Path) -> None:
    playbook = tmp_path / "site.yml"
    ids = [history.begin(playbook, keep=50, now=DAY).id for _ in range(11)]
    assert len(set(ids)) == 11
    assert history.run_ids(history.root_for(playbook)) == ids  # in the order they started
    assert ids[1] == f"{ids[0]}-2"


@pytest.mark.parametrize("planted", [".netplay", ".netplay/runs"])
def test_a_link_planted_for_a_history_folder_is_refused_before_any_device_is_contacted(
    book: tuple[Path, RunOptions], planted: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    playbook, options = book
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    link = playbook.parent / planted
    link.parent.mkdir(exist_ok=True)
    link.symlink_to(elsewhere)
    opened: list[str] = []

    def watched(host: Host, settings: ConnectionSettings) -> ReplayDriver:
        opened.append(host.name)
        return replay(host, settings)

    with pytest.raises(UsageError, match="symbolic link; --no-history runs without it"):
        commands.run(str(playbook), options, driver_factory=watched)
    assert opened == [] and list(elsewhere.iterdir()) == []


def test_a_link_among_the_runs_is_neither_listed_nor_removed(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    playbook = tmp_path / "site.yml"
    first = history.begin(playbook, keep=50, now=DAY)
    victim = tmp_path_factory.mktemp("victim")
    (victim / "keep.txt").write_text("mine\n")
    link = first.path.parent / "20200101-000000"
    link.symlink_to(victim)
    second = history.begin(playbook, keep=1, now=DAY + 1)
    assert history.run_ids(first.path.parent) == [second.id]
    assert link.is_symlink() and (victim / "keep.txt").read_text() == "mine\n"


def test_history_lists_each_run_with_its_time_playbook_hosts_and_result(
    book: tuple[Path, RunOptions], capsys: pytest.CaptureFixture[str]
) -> None:
    playbook, options = book

    def r2_fails(host: Host, settings: ConnectionSettings) -> ReplayDriver:
        answer = "% Invalid input detected at '^' marker." if host.name == "R2" else "noon"
        return ReplayDriver(host, settings, Script({"show clock": answer, "show users": "-"}))

    assert commands.run(str(playbook), options, driver_factory=replay) == 0
    assert commands.run(str(playbook), options, driver_factory=r2_fails) == 2
    capsys.readouterr()
    assert main(["history", str(playbook.parent)]) == 0
    header, first, second = capsys.readouterr().out.splitlines()
    assert header.split() == ["RUN", "STARTED", "PLAYBOOK", "HOSTS", "TIME", "RESULT"]
    ids = history.run_ids(history.root_for(playbook))
    assert first.startswith(ids[0]) and second.startswith(ids[1])
    assert first.split()[3:5] == ["site.yml", "2"] and first.endswith("  ok")
    assert second.endswith("  failed: R2")


def test_history_of_a_playbook_lists_only_its_runs(
    book: tuple[Path, RunOptions], capsys: pytest.CaptureFixture[str]
) -> None:
    playbook, options = book
    other = playbook.parent / "other.yml"
    other.write_text(PLAYBOOK)
    assert commands.run(str(playbook), options, driver_factory=replay) == 0
    assert commands.run(str(other), options, driver_factory=replay) == 0
    capsys.readouterr()
    assert main(["history", str(other)]) == 0
    (_, line) = capsys.readouterr().out.splitlines()
    assert "other.yml" in line


def test_a_run_without_results_is_listed_as_incomplete(tmp_path: Path) -> None:
    folder = history.begin(tmp_path / "site.yml", keep=50, now=DAY)
    (summary,) = history.summaries(folder.path.parent)
    assert summary.result == "incomplete: no results (running or killed)"


@pytest.mark.parametrize(
    ("recap", "interrupted", "said"),
    [
        ({"R1": {"changed": 0}}, False, "ok"),
        ({"R1": {"changed": 2}, "R2": {"changed": 1}}, False, "ok, 2 changed"),
        ({"R1": {"failed": 1}, "R2": {"unreachable": 1}}, False, "unreachable: R2; failed: R1"),
        ({f"R{n}": {"failed": 1} for n in range(5)}, False, "failed: R0, R1, R2 and 2 more"),
        ({"R1": {}}, True, "interrupted"),
    ],
)
def test_a_runs_outcome_is_one_short_phrase(
    recap: dict[str, dict[str, int]], interrupted: bool, said: str
) -> None:
    assert history.outcome({"recap": recap, "interrupted": interrupted}) == said


def test_a_run_is_named_by_its_id_a_unique_start_of_it_its_folder_or_a_results_file(
    tmp_path: Path,
) -> None:
    playbook = tmp_path / "site.yml"
    one = history.begin(playbook, keep=50, now=DAY)
    two = history.begin(playbook, keep=50, now=DAY + 86_400)
    root = one.path.parent
    one.results.write_text("{}")
    assert history.resolve(one.id, root) == (one.id, one.results)
    assert history.resolve(two.id[:8], root) == (two.id, two.results)
    assert history.resolve(str(one.path), root) == (str(one.path), one.results)
    other = tmp_path / "saved.json"
    other.write_text("{}")
    assert history.resolve(str(other), root) == (str(other), other)
    with pytest.raises(UsageError, match="names several runs"):
        history.resolve(one.id[:2], root)
    with pytest.raises(UsageError, match="neither a results file nor a run kept"):
        history.resolve("19990101", root)


def test_a_file_that_is_not_netplay_results_is_invalid_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    with pytest.raises(InputError, match="not a netplay results file"):
        history.load_results(bad)
    bad.write_text("{not json")
    with pytest.raises(InputError, match="not a netplay results file"):
        history.load_results(bad)


def test_keep_runs_must_be_at_least_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "site.yml", "--keep-runs", "0"]) == 5
    assert "--keep-runs: must be from 1 to" in capsys.readouterr().err


def test_the_environment_variable_set_to_0_keeps_the_history(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NETPLAY_NO_HISTORY", "0")
    assert history.wanted(True)
    monkeypatch.setenv("NETPLAY_NO_HISTORY", "yes")
    assert not history.wanted(True)
