"""What a template computes is kept as plain data, or refused as a template error."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import jinja2
import pytest

from engine.plain import MAX_DEPTH, plain
from engine.templating import TemplateError, evaluate


class Lazy(Mapping[str, Any]):
    """A mapping computed on demand that nests without end, like `hostvars` could."""

    def __getitem__(self, key: str) -> Any:
        return {"me": Lazy()}  # a new one each time: no cycle to spot, only depth

    def __iter__(self) -> Iterator[str]:
        return iter(["R1"])

    def __len__(self) -> int:
        return 1


def test_mappings_sequences_and_generators_become_dicts_and_lists() -> None:
    value = evaluate("{'a': (1, 2), 'b': ['x'] | map('upper')}", {})
    assert plain(value) == {"a": [1, 2], "b": ["X"]}


def test_non_finite_numbers_become_text_so_the_results_stay_valid_json() -> None:
    json.loads(json.dumps(plain([float("nan"), float("inf")]), allow_nan=False))


def test_an_undefined_name_inside_a_value_is_a_template_error() -> None:
    value = evaluate("[1, nope]", {})
    assert isinstance(value[1], jinja2.Undefined)
    with pytest.raises(TemplateError, match="undefined variable: 'nope' is undefined"):
        plain(value)


def test_a_value_that_contains_itself_is_refused() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(TemplateError, match="contains itself"):
        plain(loop)


def test_a_lazily_computed_mapping_that_keeps_nesting_is_bounded() -> None:
    with pytest.raises(TemplateError, match=f"more than {MAX_DEPTH} levels"):
        plain(Lazy())


def test_something_that_is_not_data_is_refused() -> None:
    with pytest.raises(TemplateError, match="must be data"):
        plain({"f": print})
