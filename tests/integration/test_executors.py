"""Every executor gives the same run: threads, forked worker processes, a Dask
LocalCluster, and a `dask scheduler` with two `dask worker` processes, against the lab over
real SSH.

A worker killed in the middle of a run costs its hosts, which come back `unreachable`
naming it; the other hosts' results and everything collected before are kept.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main
from engine.inventory import Host
from engine.workers import partition

pytestmark = [pytest.mark.lab, pytest.mark.heavy]

ROOT = Path(__file__).resolve().parents[2]
INVENTORY = ROOT / "playbooks" / "inventory.yml"
# Example playbooks whose device output does not change with the clock: serial batches,
# config changes with `ensure`, variable precedence, sessions through a bastion.
PLAYBOOKS = ["rolling-ntp.yml", "ensure-loopback.yml", "precedence.yml", "through-bastion.yml"]
CROSS_HOST = """\
name: Cross-host
hosts: routers
steps:
  - name: Read the hostname
    send: show running-config | include hostname
    register: name
  - name: Echo a peer's first step, until it shows
    send: "show running-config | include {{ hostvars[peer].name.output.split()[-1] }}"
    vars:
      peer: "{{ 'R2' if inventory_hostname == 'R1' else 'R1' }}"
    until: "'hostname' in result.output"
    retries: 2
    delay: 0.1
"""
TIMES = {"started", "elapsed", "timings"}
STARTUP_SECONDS = 60.0  # a guard against a hang, not a measure


def comparable(data: Any) -> Any:
    """A results file without its clock readings."""
    if isinstance(data, dict):
        return {k: comparable(v) for k, v in data.items() if k not in TIMES}
    if isinstance(data, list):
        return [comparable(v) for v in data]
    return data


def inventory_for(playbook: Path) -> Path:
    for line in playbook.read_text().splitlines():
        if "-i playbooks/" in line:
            return ROOT / line.split("-i ", 1)[1].split()[0]
    return INVENTORY


def run(playbook: Path, executor: str, folder: Path, *extra: str) -> tuple[int, Any]:
    results = folder / f"{playbook.stem}-{executor.replace('/', '_').replace(':', '_')}.json"
    argv = ["run", str(playbook), "-i", str(inventory_for(playbook)), "--lab", "-q"]
    argv += ["--results", str(results), "--output-dir", str(folder), "--executor", executor]
    code = main([*argv, *extra])
    return code, json.loads(results.read_text())


def same_as_threads(playbook: Path, executor: str, folder: Path) -> None:
    code, data = run(playbook, executor, folder)
    expected_code, expected = run(playbook, "threads", folder)
    assert (code, comparable(data)) == (expected_code, comparable(expected))


def every_playbook() -> list[Path]:
    return [ROOT / "playbooks" / name for name in PLAYBOOKS]


# Parsed on the workers, with the TTP child the controller started to check the template
# at validation: a forked worker must start its own.
PARSED = """\
name: Parsed on the workers
hosts: routers
steps:
  - name: Addresses
    send: show ip interface brief
    parse: {ttp: brief.ttp}
"""


@pytest.fixture
def parsed(tmp_path: Path) -> Path:
    (tmp_path / "brief.ttp").write_text(
        (ROOT / "playbooks" / "templates" / "show_ip_interface_brief.ttp").read_text()
    )
    book = tmp_path / "parsed.yml"
    book.write_text(PARSED)
    return book


@pytest.fixture
def cross_host(tmp_path: Path) -> Path:
    book = tmp_path / "cross.yml"
    book.write_text(CROSS_HOST)
    return book


LOCAL = ["processes:2", "dask-local:2"]  # two worker processes on this machine


@pytest.mark.parametrize("executor", LOCAL)
@pytest.mark.parametrize("name", PLAYBOOKS)
def test_two_local_worker_processes_give_the_threads_results(
    name: str, executor: str, tmp_path: Path
) -> None:
    same_as_threads(ROOT / "playbooks" / name, executor, tmp_path)


@pytest.mark.parametrize("executor", LOCAL)
def test_ttp_parses_on_worker_processes_as_on_threads(
    executor: str, parsed: Path, tmp_path: Path
) -> None:
    same_as_threads(parsed, executor, tmp_path)


@pytest.mark.parametrize("executor", LOCAL)
def test_hostvars_and_until_work_the_same_on_worker_processes(
    executor: str, cross_host: Path, tmp_path: Path
) -> None:
    same_as_threads(cross_host, executor, tmp_path)


# -- a scheduler and two workers, started as a user would ---------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dask(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "dask", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a Ctrl-C of the test run is not theirs to handle
    )


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """`dask scheduler` and two `dask worker` processes on 127.0.0.1; HOST:PORT."""
    from distributed import Client

    address = f"127.0.0.1:{free_port()}"
    host, port = address.split(":")
    web = ("--no-dashboard", "--dashboard-address", f"{host}:0")  # HTTP on loopback only
    processes = [dask("scheduler", "--host", host, "--port", port, *web)]
    worker = ("worker", f"tcp://{address}", "--host", host, "--nthreads", "1", *web)
    processes += [dask(*worker) for _ in range(2)]
    try:
        with Client(f"tcp://{address}", timeout=STARTUP_SECONDS) as client:
            client.wait_for_workers(2, timeout=STARTUP_SECONDS)
        yield address
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.mark.parametrize("name", PLAYBOOKS)
def test_a_scheduler_and_two_workers_give_the_threads_results(
    name: str, scheduler: str, tmp_path: Path
) -> None:
    same_as_threads(ROOT / "playbooks" / name, f"dask://{scheduler}", tmp_path)


def test_hostvars_and_until_work_the_same_on_a_scheduler_and_two_workers(
    cross_host: Path, scheduler: str, tmp_path: Path
) -> None:
    same_as_threads(cross_host, f"dask://{scheduler}", tmp_path)


# -- a worker dies -----------------------------------------------------------------------

SITES = {"A1": "A", "A2": "A", "A3": "A", "B1": "B", "B2": "B"}
TWO_STEPS = """\
name: Two steps
hosts: all
steps:
  - name: Clock
    send: show clock
  - name: Version
    send: show version
"""


def worker_of_site_a(scheduler: str) -> tuple[str, int]:
    """The worker the run will place site A's hosts on, and its process id."""
    from distributed import Client

    with Client(f"tcp://{scheduler}", timeout=STARTUP_SECONDS) as client:
        client.wait_for_workers(2, timeout=STARTUP_SECONDS)
        pids: dict[str, int] = client.run(os.getpid)
    hosts = [Host(name, "127.0.0.1", vars={"site": site}) for name, site in SITES.items()]
    worker = partition(hosts, sorted(pids))["A1"]
    return worker, pids[worker]


def journal_has(journal: Path, step: str, count: int) -> bool:
    if not journal.exists():
        return False
    lines = [json.loads(line) for line in journal.read_text().splitlines() if line.strip()]
    return sum(1 for line in lines if line.get("step") == step) >= count


def two_sites(folder: Path) -> tuple[Path, Path]:
    """An inventory whose site A hangs on the second step, and the two-step playbook."""
    rows = ["defaults: {username: u, password: p, secret: s}", "hosts:"]
    for number, (name, site) in enumerate(SITES.items(), 1):
        knobs = '{hang_on: "show version"}' if site == "A" else "{}"
        rows.append(f"  {name}: {{host: 10.0.0.{number}, vars: {{site: {site}}}, lab: {knobs}}}")
    inventory = folder / "inventory.yml"
    inventory.write_text("\n".join(rows) + "\n")
    book = folder / "two.yml"
    book.write_text(TWO_STEPS)
    return book, inventory


def run_killing(executor: str, folder: Path, pid: Callable[[], int | None]) -> tuple[int, Any]:
    """Run the two sites, killing the process `pid` names once the first step is in."""
    book, inventory = two_sites(folder)
    results = folder / "r.json"
    killed = threading.Event()

    def kill_once_the_first_step_is_in() -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not journal_has(results.with_suffix(".jsonl"), "Clock", len(SITES)):
            if time.monotonic() > deadline:
                return
            killed.wait(0.05)
        victim = pid()
        if victim is not None:
            os.kill(victim, signal.SIGKILL)
            killed.set()

    killer = threading.Thread(target=kill_once_the_first_step_is_in, daemon=True)
    killer.start()
    argv = ["run", str(book), "-i", str(inventory), "--lab", "-q", "--results", str(results)]
    code = main([*argv, "--executor", executor, "--command-timeout", "60"])
    killer.join(timeout=STARTUP_SECONDS)
    assert killed.is_set()
    return code, json.loads(results.read_text())


def assert_site_a_lost(code: int, data: Any, worker: str) -> None:
    clock, version = ({r["host"]: r for r in s["results"]} for s in data["steps"])
    assert code == 3
    assert all(clock[name]["status"] == "ok" for name in SITES)
    assert {name: version[name]["status"] for name in SITES} == {
        "A1": "unreachable",
        "A2": "unreachable",
        "A3": "unreachable",
        "B1": "ok",
        "B2": "ok",
    }
    assert all(worker in version[name]["error"] for name in ("A1", "A2", "A3"))


def test_a_killed_worker_makes_its_hosts_unreachable_and_keeps_everything_else(
    scheduler: str, tmp_path: Path
) -> None:
    worker, pid = worker_of_site_a(scheduler)
    code, data = run_killing(f"dask://{scheduler}", tmp_path, lambda: pid)
    assert_site_a_lost(code, data, worker)


def test_a_killed_worker_process_makes_its_hosts_unreachable_naming_how_it_ended(
    tmp_path: Path,
) -> None:
    hosts = [Host(name, "127.0.0.1", vars={"site": site}) for name, site in SITES.items()]
    worker = partition(hosts, ["process 1", "process 2"])["A1"]

    def pid() -> int | None:
        named = [p.pid for p in multiprocessing.active_children() if p.name == f"netplay {worker}"]
        return named[0] if named else None

    code, data = run_killing("processes:2", tmp_path, pid)
    assert_site_a_lost(code, data, f"worker {worker} was lost: killed by signal 9")


# -- Ctrl-C ------------------------------------------------------------------------------

HOSTS = [f"H{i}" for i in range(1, 7)]
LONG_RUN = "name: Long run\nhosts: all\nsteps:\n" + "".join(
    f"  - name: Clock {i}\n    send: show clock\n" for i in range(1, 21)
)


def long_run(folder: Path) -> None:
    """Six hosts whose commands take 0.3 s each, and a playbook of twenty steps."""
    rows = ["defaults: {username: u, password: p, secret: s}", "hosts:"]
    rows += [
        f"  {n}: {{host: 10.0.0.{i}, lab: {{command_delay: 0.3}}}}" for i, n in enumerate(HOSTS, 1)
    ]
    (folder / "inventory.yml").write_text("\n".join(rows) + "\n")
    (folder / "long.yml").write_text(LONG_RUN)


def journal_rows(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


@pytest.mark.parametrize(
    ("executor", "signum"),
    [
        ("processes:2", signal.SIGINT),
        ("dask-local:2", signal.SIGINT),
        ("processes:2", signal.SIGTERM),  # `timeout` and service managers signal the group
    ],
)
def test_ctrl_c_stops_every_worker_process_as_it_stops_the_threads(
    executor: str, signum: signal.Signals, tmp_path: Path
) -> None:
    long_run(tmp_path)
    results = tmp_path / "r.json"
    journal = results.with_suffix(".jsonl")
    argv = [sys.executable, "-m", "engine", "run", "long.yml", "-i", "inventory.yml", "--lab"]
    argv += ["-q", "--results", str(results), "--executor", executor]
    with subprocess.Popen(
        argv,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while len(journal_rows(journal)) < len(HOSTS):
                assert time.monotonic() < deadline, "the first step never finished"
                assert process.poll() is None, process.communicate()
                threading.Event().wait(0.05)
            os.killpg(process.pid, signum)  # as a terminal does: the whole group
            out, err = process.communicate(timeout=STARTUP_SECONDS)
        finally:
            process.kill()
    assert process.returncode == 99, err
    assert "Traceback" not in out + err
    data = json.loads(results.read_text())
    assert data["interrupted"] is True
    kept = sorted((s["step"], r["host"]) for s in data["steps"] for r in s["results"])
    assert kept == sorted((row["step"], row["host"]) for row in journal_rows(journal))
    assert "interrupted: not run: 'Clock" in out
    # the workers stopped politely: no host lost its worker
    assert not [r for s in data["steps"] for r in s["results"] if r["status"] == "unreachable"]


def children(pid: int) -> list[int]:
    """The live processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and alive(int(entry.name)):
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for its parent to read its status."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_worker_processes_do_not_outlive_a_killed_controller(tmp_path: Path) -> None:
    long_run(tmp_path)
    journal = tmp_path / "r.jsonl"
    argv = [sys.executable, "-m", "engine", "run", "long.yml", "-i", "inventory.yml", "--lab"]
    argv += ["-q", "--results", "r.json", "--executor", "processes:2"]
    with subprocess.Popen(argv, cwd=tmp_path, start_new_session=True) as process:
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while len(journal_rows(journal)) < len(HOSTS):
                assert time.monotonic() < deadline, "the first step never finished"
                threading.Event().wait(0.05)
            workers = children(process.pid)
            assert len(workers) == 2
            process.kill()
            deadline = time.monotonic() + STARTUP_SECONDS
            while [pid for pid in workers if alive(pid)] and time.monotonic() < deadline:
                threading.Event().wait(0.05)
            assert not [pid for pid in workers if alive(pid)]
        finally:
            process.kill()


# -- secrets and a scheduler that is not there ------------------------------------------

PASSWORD = "Pw-Okapi-3371"


@pytest.mark.parametrize("executor", LOCAL)
def test_worker_session_logs_and_results_never_show_the_password(
    executor: str, tmp_path: Path
) -> None:
    rows = [f"defaults: {{username: u, password: {PASSWORD}, secret: {PASSWORD}}}", "hosts:"]
    rows += [f"  {n}: {{host: 10.0.0.{i}}}" for i, n in enumerate(HOSTS[:2], 1)]
    (tmp_path / "inventory.yml").write_text("\n".join(rows) + "\n")
    book = tmp_path / "show.yml"
    book.write_text(f"name: Show\nhosts: all\nsteps:\n  - name: Echo\n    send: show {PASSWORD}\n")
    logs = tmp_path / "logs"
    argv = ["run", str(book), "-i", str(tmp_path / "inventory.yml"), "--lab", "-q"]
    argv += ["--results", str(tmp_path / "r.json"), "--session-logs", str(logs)]
    main([*argv, "--executor", executor])
    written = [logs / f"{name}.log" for name in HOSTS[:2]] + [tmp_path / "r.json"]
    assert all(path.exists() for path in written)
    assert not [path for path in written if PASSWORD in path.read_text()]


def test_a_scheduler_that_does_not_answer_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    playbook = ROOT / "playbooks" / "precedence.yml"
    argv = ["run", str(playbook), "-i", str(inventory_for(playbook)), "--lab", "-q"]
    code = main([*argv, "--executor", f"dask://127.0.0.1:{free_port()}"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: --executor dask://127.0.0.1:") and "Traceback" not in err
