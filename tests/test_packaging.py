"""Packaging: what netplay imports is declared and bounded; the wheel and sdist carry what it
reads at run time, and the installed wheel works from any directory."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
# Modules that only run under a tool, with the extra that declares what they import.
EXTRA_ONLY = {"engine/lab/pytest_plugin.py": "test"}


def normalised(name: str) -> str:
    """A distribution name as PyPI compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(spec: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec)
    assert match, spec
    return normalised(match.group())


def third_party_imports(path: Path) -> set[str]:
    """The top-level names `path` imports that are neither the standard library nor netplay."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"engine"}


def test_every_third_party_import_of_the_engine_is_a_declared_dependency() -> None:
    distributions = packages_distributions()
    undeclared = []
    for path in sorted((ROOT / "engine").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        extra = EXTRA_ONLY.get(relative)
        specs = PROJECT["optional-dependencies"][extra] if extra else PROJECT["dependencies"]
        declared = {requirement_name(spec) for spec in specs}
        for module in sorted(third_party_imports(path)):
            provided_by = {normalised(d) for d in distributions.get(module, [module])}
            if not provided_by & declared:
                undeclared.append(f"{relative}: {module}")
    assert undeclared == []


def test_every_requirement_has_an_upper_bound() -> None:
    specs = [
        *PYPROJECT["build-system"]["requires"],
        *PROJECT["dependencies"],
        *(spec for extra in PROJECT["optional-dependencies"].values() for spec in extra),
    ]
    unbounded = [spec for spec in specs if not re.search(r"<|==", spec)]
    assert unbounded == []


def run(argv: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # nothing from the repo
    return subprocess.run(
        [str(arg) for arg in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist, and the wheel built from it, as `python -m build` makes them."""
    out = tmp_path_factory.mktemp("dist")
    done = run([sys.executable, "-m", "build", "--outdir", out, ROOT], cwd=out)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.mark.heavy
def test_the_sdist_and_the_wheel_carry_the_schemas_and_every_module(dist: Path) -> None:
    schemas = sorted(p.name for p in (ROOT / "schemas").glob("*.schema.json"))
    modules = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "engine").rglob("*.py"))
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    with tarfile.open(sdist) as tar:
        in_sdist = {name.partition("/")[2] for name in tar.getnames()}
    assert [f"schemas/{name}" for name in schemas if f"schemas/{name}" not in in_sdist] == []
    expected = [*modules, "engine/py.typed", *(f"engine/schemas/{name}" for name in schemas)]
    assert [name for name in expected if name not in in_wheel] == []


@pytest.mark.heavy
@pytest.mark.lab
def test_the_installed_wheel_validates_and_runs_a_playbook_from_another_directory(
    dist: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    assert run([sys.executable, "-m", "venv", "--without-pip", venv], tmp_path).returncode == 0
    (wheel,) = dist.glob("*.whl")
    installed = run(
        [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel],
        tmp_path,
    )
    assert installed.returncode == 0, installed.stderr
    # The dependencies come from this environment: a path, so its editable install of
    # netplay (a .pth hook in the same folder) is not loaded.
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    playbooks = ROOT / "playbooks"
    netplay = venv / "bin" / "netplay"
    where = run([python, "-c", "import engine; print(engine.__file__)"], elsewhere)
    version = run([netplay, "--version"], elsewhere)
    valid = run(
        [netplay, "validate", playbooks / "runbook.yml", "-i", playbooks / "inventory.yml"],
        elsewhere,
    )
    ran = run(
        [netplay, "run", playbooks / "show-version.yml", "-i", playbooks / "devices.yaml", "--lab"],
        elsewhere,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr
    assert version.stdout.split() == ["netplay", PROJECT["version"]], version.stderr
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert ran.returncode == 0, ran.stdout + ran.stderr
