"""The repository holds sources, not what runs produce: git ignores run outputs, nothing it
tracks is a one-off script or bulk data, and CI runs the README's test command."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# What runs write besides the example playbooks' `save_to` files: `--results` and its
# journal, and the benchmarks' raw data and lab log (their table and chart are kept).
RUN_OUTPUTS = [
    "results.json",
    "results.jsonl",
    "playbooks/.netplay/runs/20261201-101500/results.json",  # the run history
    "benchmarks/results/results.json",
    "benchmarks/results/lab.log",
    "benchmarks/results/failed/netplay-W1-n3-r1/stdout.txt",
    "dist/netplay-0.1.0-py3-none-any.whl",
    "build/lib/engine/cli.py",
]
LARGEST_FILE = 256 * 1024


def git(*argv: str) -> str:
    done = subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        pytest.skip(f"not a git checkout: {done.stderr.strip()}")
    return done.stdout


def ignored(paths: list[str]) -> list[str]:
    """Those of `paths` git ignores (`git check-ignore` exits 1 when it ignores none)."""
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout.splitlines()


def save_targets(node: Any) -> Iterator[str]:
    """Every `save_to` path in a parsed playbook, a template standing for one host's name."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "save_to" and isinstance(value, str):
                yield re.sub(r"\{\{.*?\}\}", "R1", value)
            else:
                yield from save_targets(value)
    elif isinstance(node, list):
        for item in node:
            yield from save_targets(item)


def test_the_files_example_playbooks_save_are_ignored_by_git() -> None:
    git("rev-parse", "--git-dir")
    targets = sorted(
        {
            target
            for path in (ROOT / "playbooks").rglob("*.yml")
            for target in save_targets(yaml.safe_load(path.read_text(encoding="utf-8")))
        }
    )
    assert targets  # the examples do save files: interface-audit.yml
    assert [t for t in targets if t not in ignored(targets)] == []


def test_results_builds_and_raw_benchmark_data_are_ignored_by_git() -> None:
    git("rev-parse", "--git-dir")
    assert [p for p in RUN_OUTPUTS if p not in ignored(RUN_OUTPUTS)] == []


def test_no_tracked_file_is_one_git_ignores() -> None:
    assert git("ls-files", "--cached", "--ignored", "--exclude-standard").split() == []


def test_no_tracked_file_is_bulk_data() -> None:
    large = [
        name
        for name in git("ls-files", "-z").split("\0")
        if name and (ROOT / name).is_file() and (ROOT / name).stat().st_size > LARGEST_FILE
    ]
    assert large == []


def test_the_repository_root_holds_no_python_scripts() -> None:
    assert [
        name for name in git("ls-files").split() if "/" not in name and name.endswith(".py")
    ] == []


def test_ci_runs_the_readme_test_command_exactly() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(.*?)\n```", readme, flags=re.DOTALL)
    (test_command,) = [c for c in commands if "-m pytest" in c and "\n" not in c]
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_every_example_file_names_a_schema_that_accepts_it_on_its_first_line() -> None:
    examples = sorted((ROOT / "playbooks").glob("*.y*ml"))
    assert len(examples) > 10
    for path in examples:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        named = re.fullmatch(
            r"# yaml-language-server: \$schema=(\.\./schemas/\w+\.schema\.json)", first
        )
        assert named, f"{path.name}: {first}"
        schema = json.loads((path.parent / named.group(1)).read_text(encoding="utf-8"))
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
