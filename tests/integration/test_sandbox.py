"""Templates run in a sandbox: reaching for Python internals, the OS or unbounded work gets a
clear per-host error, and nothing is executed.

Blow-ups run in a child process with a memory limit and a timeout, so a missing guard
fails the test instead of the machine.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[2]
INVENTORY = """\
defaults: {username: netops, password: Pw-Sandbox-1}
hosts:
  R1: {host: 192.168.100.1}
"""
# Each reaches for Python internals or the OS; `MARKER` is created only if one gets through.
ESCAPES = {
    "class hierarchy": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "cycler globals": "{{ cycler.__init__.__globals__.os.system('touch MARKER') }}",
    "lipsum globals": "{{ lipsum.__globals__['os'].popen('touch MARKER').read() }}",
    "joiner globals": "{{ joiner.__init__.__globals__.__builtins__.open('MARKER', 'w') }}",
    "template context": "{{ self._TemplateReference__context.environment }}",
    "namespace internals": "{{ namespace.__init__.__globals__.sys.modules.os }}",
    "format string": "{{ '{0.__class__.__init__.__globals__}'.format(cycler) }}",
    "huge range": "{{ range(10**9) | list | length }}",
}


def write(folder: Path, template: str) -> tuple[Path, Path]:
    playbook, inventory = folder / "playbook.yml", folder / "inventory.yml"
    steps = [{"name": "Attempt", "send": template}]
    playbook.write_text(json.dumps({"name": "Sandbox", "hosts": "all", "steps": steps}))
    inventory.write_text(INVENTORY)
    return playbook, inventory


@pytest.mark.parametrize("name", ESCAPES)
def test_an_escaping_template_fails_its_host_with_a_clear_error(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where `touch MARKER` would land
    playbook, inventory = write(tmp_path, ESCAPES[name].replace("MARKER", str(tmp_path / "M")))
    results = tmp_path / "results.json"
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(
            ["run", str(playbook), "-i", str(inventory), "--lab", "--results", str(results)]
        )
    assert code == 2
    row = json.loads(results.read_text())["steps"][0]["results"][0]
    assert row["status"] == "failed" and row["commands"] == []  # nothing was sent
    assert "not allowed in a template" in row["error"] or "Range too big" in row["error"]
    assert "Traceback" not in err.getvalue()
    assert not (tmp_path / "M").exists()


# Unbounded work: each must end with a clear error, within seconds, in bounded memory.
LOOPS = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
BLOW_UPS = {
    "list repetition": ("run", "{{ [1] * 10**8 }}", 2),
    "nested loops": ("run", LOOPS, 2),
    # `*` is never folded at load time, so validating is instant and the run fails cleanly
    "constant folded at load": ("validate", "{{ 'x' * 10**9 }}", 0),
    "constant at run time": ("run", "{{ 'x' * 10**9 }}", 2),
}
MEMORY_LIMIT = 1024**3  # 1 GiB of address space for the child


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.parametrize("name", BLOW_UPS)
def test_a_template_that_blows_up_gets_a_clear_error_within_seconds(
    name: str, tmp_path: Path
) -> None:
    command, template, expected = BLOW_UPS[name]
    playbook, inventory = write(tmp_path, template)
    argv = [sys.executable, "-m", "engine", command, str(playbook), "-i", str(inventory)]
    argv += ["--lab"] if command == "run" else []
    done = subprocess.run(
        argv, cwd=ROOT, capture_output=True, text=True, timeout=20, preexec_fn=limit_memory
    )
    assert done.returncode == expected, done.stderr
    assert "Traceback" not in done.stderr


TWO_HOSTS = INVENTORY + "  R2: {host: 192.168.100.2}\n"
# The unbounded templates of the hardening issue; each must fail R1 only, naming its limit.
# (`R1` is true on R1 only; templates that define names use it inside, others are wrapped.)
UNBOUNDED = {
    "string doubling": (
        "{% set ns = namespace(s='x') %}{% for i in range(40 if R1 else 1) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}show clock{{ ns.s[:0] }}",
        "would be 1,048,576 long",
    ),
    "nested loops": (
        "{% set l = [0] * (1000 if R1 else 1) %}{% for a in l %}{% for b in l %}"
        "{% for c in l %}{% endfor %}{% endfor %}{% endfor %}show clock",
        "more than 1,000,000 items",
    ),
    "power tower": ("{{ ((10**1000)**1000)**1000 }}", "number would exceed 100,000 bits"),
    "center": ("{{ 'x' | center(300000000) }}", "centred text would be 300,000,000 long"),
    "percent padding": ("{{ '%0300000000d' % 1 }}", "formatted text would be 300,000,0"),
    "lipsum": ("{{ lipsum(10**6) }}", "lipsum text would be 1,200,000,000 long"),
    "catastrophic regex": (
        "{{ 'show ' ~ (('a' * 40 ~ '!') | regex_search('^(a+)+$')) }}",
        None,  # answers at once: R1 sends `show None`, which the device rejects
    ),
}


@pytest.mark.parametrize("name", UNBOUNDED)
def test_an_unbounded_template_fails_only_its_host_naming_the_limit(
    name: str, tmp_path: Path
) -> None:
    template, message = UNBOUNDED[name]
    if "R1 else" not in template:
        template = "{% if R1 %}" + template + "{% else %}show clock{% endif %}"
    playbook, inventory = write(tmp_path, template.replace("R1", "inventory_hostname == 'R1'"))
    inventory.write_text(TWO_HOSTS)
    results = tmp_path / "results.json"
    argv = [sys.executable, "-m", "engine", "run", str(playbook), "-i", str(inventory)]
    argv += ["--lab", "-q", "--results", str(results)]
    done = subprocess.run(
        argv, cwd=ROOT, capture_output=True, text=True, timeout=60, preexec_fn=limit_memory
    )
    assert done.returncode == 2, done.stderr
    rows = {r["host"]: r for r in json.loads(results.read_text())["steps"][0]["results"]}
    assert rows["R2"]["status"] == "ok"
    assert rows["R1"]["status"] == "failed"
    if message is not None:
        assert "template stopped" in rows["R1"]["error"] and message in rows["R1"]["error"]
        assert rows["R1"]["commands"] == []
    assert "MemoryError" not in done.stderr + str(rows["R1"])


MACRO = """\
<macro>
open({marker!r}, "w").write("ran")
def m(data): return data
</macro>
Cisco IOS Software, {{{{ version | macro("m") }}}}
"""


@pytest.mark.parametrize("argv", [["validate"], ["run", "--list-steps"]], ids=" ".join)
def test_a_ttp_macro_never_runs_and_is_reported_with_its_place(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "MARKER"
    playbook, inventory = tmp_path / "playbook.yml", tmp_path / "inventory.yml"
    inventory.write_text(INVENTORY)
    step = {"send": "show version", "parse": {"ttp": MACRO.format(marker=str(marker))}}
    playbook.write_text(json.dumps({"name": "Macro", "hosts": "all", "steps": [step]}))
    code = main([argv[0], str(playbook), "-i", str(inventory), *argv[1:]])
    err = capsys.readouterr().err
    assert code == 4
    assert f"{playbook}:1:" in err and "line 1: <macro> runs Python code" in err
    assert not marker.exists()


# --- TTP: TTP is only ever given text, and every parse is bounded in time and memory -------

BRACE_MACRO = """\
<macro>
open({marker!r}, "w").write("ran")
</macro>
Cisco {{{{ x }}}}
"""


def write_ttp_step(playbook: Path, template: str, **step: Any) -> None:
    steps = [{"send": "show version", "parse": {"ttp": template}, **step}]
    steps.append({"send": "show clock"})
    playbook.write_text(json.dumps({"name": "TTP", "hosts": "all", "steps": steps}))


@pytest.mark.parametrize("where", ["relative", "absolute", "folder"])
def test_a_ttp_text_that_names_a_file_never_loads_it_and_is_reported(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # TTP would take text holding '{{' for a file or folder name first, and compile it
    marker, book, outside = tmp_path / "MARKER", tmp_path / "book", tmp_path / "outside"
    named = {"relative": book / "x{{y}}.ttp", "absolute": outside / "p{{q}}.ttp"}
    named["folder"] = book / "d{{x}}" / "a.txt"
    named[where].parent.mkdir(parents=True)
    named[where].write_text(BRACE_MACRO.format(marker=str(marker)))
    book.mkdir(exist_ok=True)
    template = {"relative": "x{{y}}.ttp", "absolute": str(named["absolute"]), "folder": "d{{x}}"}
    playbook, inventory = book / "playbook.yml", book / "inventory.yml"
    inventory.write_text(INVENTORY)
    write_ttp_step(playbook, template[where])
    for argv in (["validate"], ["run", "--list-steps"]):
        code = main([argv[0], str(playbook), "-i", str(inventory), *argv[1:]])
        err = capsys.readouterr().err
        assert code == 4
        assert f"{playbook}:1:" in err and "names a file or folder" in err
    assert not marker.exists()


@pytest.mark.parametrize(
    "template, message",
    [
        ("ttp://platform/any.txt\n", "TTP's template collection is not read"),
        ("Cisco {{ x | contains(a=1, a=2) }}", "keyword argument repeated: a"),
    ],
    ids=["ttp:// collection", "repeated keyword"],
)
def test_a_ttp_template_ttp_would_not_read_as_text_is_refused_before_anything_runs(
    template: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    playbook, inventory = tmp_path / "playbook.yml", tmp_path / "inventory.yml"
    inventory.write_text(INVENTORY)
    write_ttp_step(playbook, template)
    results = tmp_path / "results.json"
    for argv in (["validate"], ["run", "--lab", "--results", str(results)]):
        code = main([argv[0], str(playbook), "-i", str(inventory), *argv[1:]])
        err = capsys.readouterr().err
        assert code == 4
        assert message in err
    assert not results.exists()


# Each template answers R2 at once with one record; on R1's "R1 uptime is ..." line the
# `name` variable backtracks for ever, or grows "R1" to 8 billion characters.
R1_LINE = "Cisco IOS Software, {{ software | ORPHRASE }}\n{{ name | re('R1%s')%s }} uptime is "
R1_LINE += "{{ uptime | ORPHRASE }}"
BACKTRACKS = R1_LINE % (".*" * 16 + "Z", "")
GROWS = R1_LINE % ("", "".join(f" | replace('1', '{'1' * 2000}')" for _ in range(3)))


def run_ttp_lab(tmp_path: Path, template: str, **step: Any) -> subprocess.Popen[str]:
    playbook, inventory = tmp_path / "playbook.yml", tmp_path / "inventory.yml"
    inventory.write_text(TWO_HOSTS)
    write_ttp_step(playbook, template, **step)
    argv = [sys.executable, "-m", "engine", "run", str(playbook), "-i", str(inventory)]
    argv += ["--lab", "-q", "--results", str(tmp_path / "results.json")]
    return subprocess.Popen(
        argv,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limit_memory,
    )


@pytest.mark.parametrize(
    "template, message",
    [
        (BACKTRACKS, "parse took longer than 10 s"),
        (GROWS, "parse ran out of memory (the limit is 1 GiB)"),
    ],
    ids=["backtracking regex", "growing replace"],
)
def test_an_unbounded_ttp_parse_fails_only_its_host_naming_the_limit(
    template: str, message: str, tmp_path: Path
) -> None:
    with run_ttp_lab(tmp_path, template) as process:
        try:
            out, err = process.communicate(timeout=120)  # guards a hang only
        finally:
            process.kill()
    assert process.returncode == 2, err
    steps = json.loads((tmp_path / "results.json").read_text())["steps"]
    first = {r["host"]: r for r in steps[0]["results"]}
    assert first["R1"]["status"] == "failed" and first["R1"]["kind"] == "parse"
    assert first["R1"]["error"] == f"parse error: ttp template (inline): {message}"
    assert first["R2"]["status"] == "ok" and first["R2"]["parsed"][0]["software"]
    assert [r["status"] for r in steps[1]["results"]] == ["ok"]  # R2 went on; R1 sat out
    assert "Traceback" not in err and "MemoryError" not in out + err


def test_sigterm_in_the_middle_of_a_ttp_parse_stops_the_run_and_keeps_the_results(
    tmp_path: Path,
) -> None:
    journal = tmp_path / "results.jsonl"
    with run_ttp_lab(tmp_path, BACKTRACKS, when="inventory_hostname == 'R1'") as process:
        try:
            wait_for(lambda: "show clock" in journal_text(journal), "R2's last step")
            worker = wait_for_worker(process.pid)
            wait_for(lambda: cpu_seconds(worker) > 1.0, "R1's parse to be at work")
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=60)  # guards a hang only
        finally:
            process.kill()
    assert process.returncode == 99, err
    data = json.loads((tmp_path / "results.json").read_text())
    rows = {(s["step"], r["host"]): r["status"] for s in data["steps"] for r in s["results"]}
    assert rows[("show version", "R2")] == "skipped" and rows[("show clock", "R2")] == "ok"
    assert ("show version", "R1") not in rows or rows[("show version", "R1")] == "failed"
    wait_for(lambda: not Path(f"/proc/{worker}").exists(), "the TTP worker to end")


def journal_text(journal: Path) -> str:
    return journal.read_text() if journal.exists() else ""


def wait_for(condition: Callable[[], object], what: str) -> None:
    """Poll `condition()` (a guard against a hang, not a speed test)."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


def wait_for_worker(parent: int) -> int:
    """The pid of the child process that runs `parent`'s TTP parses."""
    found: list[int] = []

    def look() -> bool:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rpartition(")")[2].split()
                command = (stat.parent / "cmdline").read_bytes()
                if int(fields[1]) == parent and b"engine.isolated" in command:
                    found.append(int(stat.parent.name))
        return bool(found)

    wait_for(look, "the TTP worker")
    return found[0]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
