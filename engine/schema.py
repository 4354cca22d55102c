"""Validate parsed YAML against netplay's JSON Schemas, with errors in plain words.

Schemas stay generic JSON Schema (usable by editors); the words of the errors come
from engine.schema_errors. A schema may also be checked against one of its own
definitions: an included steps file is ``validate(doc, "playbook", definition="steps_file")``.
"""

from __future__ import annotations

import json
import math
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]

from engine.errors import InputError
from engine.schema_errors import Translator, pointer, select
from engine.schema_words import closest, suggest
from engine.source import Document

__all__ = ["closest", "load_schema", "suggest", "validate"]

# The top-level schemas/ directory, installed inside the package so that a wheel carries it.
SCHEMA_PACKAGE = "engine.schemas"
# Keywords that only describe: a "$ref" with only these beside it can be inlined.
_ANNOTATIONS = {"title", "description", "x-expects", "x-messages", "examples", "default"}
# The draft's formats, asserted, plus "finite": YAML's .nan and .inf are numbers that JSON
# cannot write, and .nan passes every minimum and maximum.
_FORMATS = FormatChecker(formats=())
_FORMATS.checkers.update(Draft202012Validator.FORMAT_CHECKER.checkers)
_FORMATS.checks("finite")(lambda value: not isinstance(value, float) or math.isfinite(value))


@cache
def load_schema(schema_name: str) -> dict[str, Any]:
    """The JSON Schema named `schema_name` ("playbook", "inventory", ...), read once."""
    resource = files(SCHEMA_PACKAGE) / f"{schema_name}.schema.json"
    if not resource.is_file():
        raise ValueError(f"no schema named {schema_name!r} in {SCHEMA_PACKAGE}")
    schema: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return schema


def _target(schema_name: str, definition: str | None) -> dict[str, Any]:
    """The whole schema, or one of its "$defs" (keeping "$defs" so its "$ref"s resolve)."""
    root = load_schema(schema_name)
    if definition is None:
        return root
    definitions: dict[str, Any] = root.get("$defs", {})
    if definition not in definitions:
        raise ValueError(f"no definition {definition!r} in the {schema_name} schema")
    return {"$defs": definitions, **definitions[definition]}


@cache
def _validator(schema_name: str, definition: str | None) -> Any:
    # Local "$ref"s are inlined: resolving them per value costs half of the validation time.
    # Formats are asserted: a "regex" that Python cannot compile is an input error.
    schema = _inline(_target(schema_name, definition), load_schema(schema_name), ())
    return Draft202012Validator(schema, format_checker=_FORMATS)


def _inline(node: Any, root: dict[str, Any], active: tuple[str, ...]) -> Any:
    """`node` with every local, non-recursive "$ref" replaced by a copy of its target."""
    if isinstance(node, list):
        return [_inline(item, root, active) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and ref not in active:
        target = _inline(pointer(root, ref), root, (*active, ref))
        rest = {key: value for key, value in node.items() if key != "$ref"}
        if isinstance(target, dict) and set(rest) <= _ANNOTATIONS:
            return {**target, **rest}
    return {key: _inline(value, root, active) for key, value in node.items()}


def validate(doc: Document, schema_name: str, *, definition: str | None = None) -> None:
    """Check `doc` against a schema (or one of its definitions); raise InputError with
    every problem, in file order."""
    translator = Translator(doc, load_schema(schema_name))
    try:
        findings = [
            f
            for error in _validator(schema_name, definition).iter_errors(doc.data)
            for f in translator.translate(error)
        ]
    except RecursionError:
        raise InputError([doc.problem((), "the data is nested too deeply to check")]) from None
    problems = select(findings)
    if problems:
        raise InputError(problems)
