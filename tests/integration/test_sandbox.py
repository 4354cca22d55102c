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
