"""Values computed by templates, made plain data before a run keeps them.

A `set` value or a `loop` list can be anything an expression returns: `hostvars` (a
mapping computed on demand, which holds this very value once it is set), an undefined
name inside a list, a generator from `map` without `| list`. What is kept — in registered
variables, the results file and the journal — must be plain JSON data: mappings, lists,
text, numbers, booleans and null, bounded in depth and size.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import jinja2

from engine.templating import TemplateError

MAX_DEPTH = 32
MAX_ITEMS = 100_000


def plain(value: Any) -> Any:
    """`value` as plain data; TemplateError for undefined parts, cycles, or too much."""
    return _Converter().convert(value, 0)


class _Converter:
    def __init__(self) -> None:
        self.items = 0
        self.open: set[int] = set()  # containers being converted: a repeat is a cycle

    def convert(self, value: Any, depth: int) -> Any:
        self.items += 1
        if self.items > MAX_ITEMS:
            raise TemplateError(f"value holds more than {MAX_ITEMS:,} items")
        if isinstance(value, jinja2.Undefined):
            raise TemplateError(f"undefined variable: {_undefined(value)}")
        if value is None or isinstance(value, bool | int | str):
            return str(value) if isinstance(value, str) else value
        if isinstance(value, float):
            return value if math.isfinite(value) else str(value)
        if not isinstance(value, Mapping | Iterable):
            raise TemplateError(
                f"a value must be data (text, numbers, lists, mappings), not {type(value).__name__}"
            )
        if depth >= MAX_DEPTH:
            raise TemplateError(f"value is nested more than {MAX_DEPTH} levels deep")
        if id(value) in self.open:
            raise TemplateError("value contains itself")
        self.open.add(id(value))
        try:
            if isinstance(value, Mapping):
                return {_key(k): self.convert(v, depth + 1) for k, v in value.items()}
            return [self.convert(v, depth + 1) for v in value]
        finally:
            self.open.discard(id(value))


def _key(key: Any) -> str | int | float | bool | None:
    return key if key is None or isinstance(key, str | int | float | bool) else str(key)


def _undefined(value: jinja2.Undefined) -> str:
    return str(getattr(value, "_undefined_message", "a value is undefined"))
