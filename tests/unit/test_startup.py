"""Start-up stays fast: `--help` and `validate` never load an SSH or parsing library."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    *("netmiko", "paramiko", "asyncssh", "cryptography", "textfsm", "ttp", "ntc_templates"),
    *("hier_config", "pydantic"),
)
PROBE = """
import sys
from engine.cli import main
code = main(sys.argv[1:])
loaded = sorted({name.split('.')[0] for name in sys.modules} & set(%r))
print(code, ','.join(loaded))
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "playbooks/runbook.yml", "-i", "playbooks/inventory.yml"],
        ["hosts", "-i", "playbooks/devices.yaml"],
    ],
    ids=["validate", "hosts"],
)
def test_commands_that_touch_no_device_import_no_ssh_library(argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,), *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    code, _, loaded = done.stdout.splitlines()[-1].partition(" ")
    assert (code, loaded) == ("0", ""), done.stdout


def test_help_imports_nothing_but_the_parser() -> None:
    probe = "import sys\nfrom engine.cli import _parser\n_parser()\nprint(sorted(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert not any(f"'{name}" in done.stdout for name in (*HEAVY, "rich", "jsonschema", "jinja2"))


def test_the_names_completion_asks_for_load_neither_templates_nor_schemas() -> None:
    probe = PROBE % ((*HEAVY, "jinja2", "jsonschema", "rich"),)
    argv = ["hosts", "--names", "-i", "playbooks/inventory.yml"]
    done = subprocess.run(
        [sys.executable, "-c", probe, *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    *names, last = done.stdout.splitlines()
    assert (last, names[:2]) == ("0 ", ["all", "routers"])


def test_validate_compiles_a_ttp_template_in_a_child_process_not_in_netplay(
    tmp_path: Path,
) -> None:
    playbook, inventory = tmp_path / "playbook.yml", tmp_path / "inventory.yml"
    template = "Cisco IOS Software, {{ software | ORPHRASE }}\\n"
    step = f'{{send: show version, parse: {{ttp: "{template}"}}}}'
    playbook.write_text(f"name: p\nhosts: all\nsteps:\n  - {step}\n")
    inventory.write_text("hosts:\n  R1: {host: 192.168.100.1, username: u, password: p}\n")
    done = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,), "validate", str(playbook), "-i", str(inventory)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    code, _, loaded = done.stdout.splitlines()[-1].partition(" ")
    assert (code, loaded) == ("0", ""), done.stdout
