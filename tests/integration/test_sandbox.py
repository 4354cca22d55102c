"""Templates run in a sandbox: reaching for Python internals, the OS or unbounded work gets a
clear per-host error, and nothing is executed.

Blow-ups run in a child process with a memory limit and a timeout, so a missing guard
fails the test instead of the machine.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import subprocess
import sys
from pathlib import Path

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
    "percent padding": ("{{ '%0300000000d' % 1 }}", "formatted text would be 300,000,012"),
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
