"""One error root: every error a user can cause is a NetplayError with its exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.errors import ExitCode, FailureKind, InternalError, Location, NetplayError, Problem
from engine.inventory import PatternError
from engine.templating import TemplateError

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("error", [TemplateError("x"), PatternError("x")])
def test_template_and_host_pattern_errors_are_invalid_input(error: NetplayError) -> None:
    assert isinstance(error, NetplayError)
    assert error.exit_code == ExitCode.INVALID_INPUT


def test_an_internal_error_is_one_printable_line_with_secrets_masked() -> None:
    cause = ValueError("bad \x1b[31mthing\x1b[0m with hunter22\nand more")
    error = InternalError.of(cause, lambda text: text.replace("hunter22", "********"))
    assert error.exit_code == ExitCode.ERROR
    assert str(error) == "ValueError: bad \\x1b[31mthing\\x1b[0m with ********"


def test_the_results_schema_lists_every_failure_kind() -> None:
    schema = json.loads((ROOT / "schemas" / "results.schema.json").read_text())
    kinds = schema["$defs"]["registered"]["properties"]["kind"]["enum"]
    assert set(kinds) == {*(k.value for k in FailureKind), None}


def test_a_problem_shows_its_line_with_secret_values_masked_and_the_caret_in_place() -> None:
    line = "  R1: {host: 10.0.0.1, password: Pw-Otter-5150, prot: 22}"
    where = Location("inv.yml", 2, line.index("prot") + 1, ("hosts", "R1", "prot"))
    shown = Problem(where, "unknown key 'prot'", source_line=line).render().splitlines()
    assert shown[1] == "     2 |   R1: {host: 10.0.0.1, password: ********, prot: 22}"
    assert shown[2].index("^") == shown[1].index("prot")


def test_a_problem_at_a_value_under_a_secret_name_masks_it_on_its_own_line() -> None:
    where = Location("inv.yml", 4, 7, ("hosts", "R1", "vars", "ssh_keys", 0))
    shown = Problem(where, "expected a string", source_line="    - 12345678").render()
    assert "12345678" not in shown and "    - ********" in shown
