"""The schemas printed for editors, and the key reference made from them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli import main
from engine.keyref import markdown, sections
from engine.schema import load_schema

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_playbook_key_reference_is_what_the_schema_makes() -> None:
    committed = (ROOT / "docs" / "playbook-keys.md").read_text(encoding="utf-8")
    assert committed == markdown("playbook"), (
        "docs/playbook-keys.md is out of date: netplay schema playbook --markdown"
        " > docs/playbook-keys.md"
    )


def test_every_play_and_step_key_has_a_row_in_the_reference() -> None:
    schema = load_schema("playbook")
    text = markdown("playbook")
    for definition in ("play", "step", "assertion"):
        for key in schema["$defs"][definition]["properties"]:
            assert f"| `{key}`" in text, (definition, key)


def test_the_reference_says_which_keys_are_required_and_what_values_they_take() -> None:
    text = markdown("playbook")
    assert "| `steps` (required) | a list of steps |" in text
    assert "| `strategy` | one of `lockstep`, `pipeline` |" in text
    assert "e.g. `2`, `'25%'`, `[1, 5, '50%']`" in text


@pytest.mark.parametrize("name", ["inventory", "results"])
def test_the_other_schemas_have_a_reference_too(name: str) -> None:
    titles = [section.title for section in sections(load_schema(name))]
    assert titles and len(titles) == len(set(titles))
    assert "| key | takes | what it does |" in markdown(name)


@pytest.mark.parametrize("name", ["playbook", "inventory", "results"])
def test_schema_prints_the_installed_schema(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", name]) == 0
    printed = capsys.readouterr().out
    assert printed == (ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")
    assert json.loads(printed) == load_schema(name)


def test_an_unknown_schema_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "vault"]) == 5
    assert "invalid choice: 'vault'" in capsys.readouterr().err
