"""Validate parsed YAML against netplay's JSON Schemas, with errors in plain words.

jsonschema reports what failed in schema terms ("Additional properties are not
allowed", "is not valid under any of the given schemas"); this module turns each
report into a located Problem a network engineer can act on: which key, on which
line, what was expected and what was found, and a "did you mean" when one is close.

Schemas stay generic JSON Schema (usable by editors); the only extras are custom
keywords read here: ``x-expects`` (how to name what a value should be) and
``x-messages`` (message per failing keyword, plus ``choice-missing`` and
``choice-conflict`` for a ``oneOf``/``anyOf`` of single ``required`` keys).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError, best_match  # type: ignore[import-untyped]

from engine.errors import InputError, KeyPath, Problem
from engine.source import Document

__all__ = ["SCHEMA_DIR", "closest", "load_schema", "suggest", "validate"]

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
# Keywords that only describe: a "$ref" with only these beside it can be inlined.
_ANNOTATIONS = {"title", "description", "x-expects", "x-messages", "examples", "default"}
_WORDS = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "nothing (null)",
}


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice `word` was most likely meant to be (a typo, other case), or None."""
    options = [choice for choice in choices if isinstance(choice, str)]
    same = [choice for choice in options if choice.lower() == word.lower()]
    found = same or difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return found[0] if found else None


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """A "did you mean 'x'?" hint for a misspelled name, or None when nothing is close."""
    match = closest(word, choices)
    return None if match is None else f"did you mean '{match}'?"


@cache
def load_schema(schema_name: str) -> dict[str, Any]:
    """The JSON Schema named `schema_name` ("playbook", "inventory", ...), read once."""
    path = SCHEMA_DIR / f"{schema_name}.schema.json"
    if not path.is_file():
        raise ValueError(f"no schema named {schema_name!r} in {SCHEMA_DIR.name}/")
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@cache
def _validator(schema_name: str) -> Any:
    # Local "$ref"s are inlined: resolving them per value costs half of the validation time.
    schema = load_schema(schema_name)
    return Draft202012Validator(_inline(schema, schema, ()))


def _inline(node: Any, root: dict[str, Any], active: tuple[str, ...]) -> Any:
    """`node` with every local, non-recursive "$ref" replaced by a copy of its target."""
    if isinstance(node, list):
        return [_inline(item, root, active) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and ref not in active:
        target = _inline(_pointer(root, ref), root, (*active, ref))
        rest = {key: value for key, value in node.items() if key != "$ref"}
        if isinstance(target, dict) and set(rest) <= _ANNOTATIONS:
            return {**target, **rest}
    return {key: _inline(value, root, active) for key, value in node.items()}


def _pointer(root: dict[str, Any], ref: str) -> Any:
    target: Any = root
    for part in ref[2:].split("/"):
        target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
    return target


def validate(doc: Document, schema_name: str) -> None:
    """Check `doc` against a schema; raise InputError with every problem, in file order."""
    translator = _Translator(doc, load_schema(schema_name))
    try:
        findings = [
            f
            for error in _validator(schema_name).iter_errors(doc.data)
            for f in translator.translate(error)
        ]
    except RecursionError:
        raise InputError([doc.problem((), "the data is nested too deeply to check")]) from None
    problems = _select(findings)
    if problems:
        raise InputError(problems)


@dataclass(frozen=True)
class _Finding:
    """A problem plus what is needed to drop its knock-on effects."""

    problem: Problem
    mapping: KeyPath = ()
    missing: tuple[str, ...] = ()  # keys reported missing in `mapping`
    meant: str | None = None  # key an unknown key in `mapping` probably meant
    slot: str | None = None  # findings sharing a location and slot say the same thing


def _select(findings: list[_Finding]) -> list[Problem]:
    """Drop duplicates and "missing 'send'" when "unknown key 'sendd'" explains it; sort."""
    meant = {(f.mapping, f.meant) for f in findings if f.meant is not None}
    seen: set[tuple[object, str]] = set()
    kept: list[Problem] = []
    for finding in findings:
        problem = finding.problem
        ident = (problem.location, finding.slot or problem.message)
        if ident in seen or any((finding.mapping, key) in meant for key in finding.missing):
            continue
        seen.add(ident)
        kept.append(problem)
    return sorted(kept, key=lambda p: (p.location.line or 0, p.location.column or 0))


def _found(value: Any) -> str:
    """What a value is, in the words of the error messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    kinds = {str: "a string", dict: "a mapping", list: "a list"}
    return next((word for kind, word in kinds.items() if isinstance(value, kind)), "a value")


def _show(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else json.dumps(value, default=str)


def _either(words: list[str], last: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def _plural(description: str) -> str:
    """'a step (a mapping)' -> 'steps'; 'a mapping of x' -> 'mappings of x'."""
    noun = description.split(" (")[0].removeprefix("a ").removeprefix("an ")
    head, of, rest = noun.partition(" of ")
    return "booleans" if noun == "true or false" else f"{head}s{of}{rest}"


def _is_choice(branches: Any) -> bool:
    """True for oneOf/anyOf branches that each only require one key (an "exactly one of")."""
    return isinstance(branches, list) and all(
        isinstance(b, dict) and set(b) == {"required"} and len(b["required"]) == 1 for b in branches
    )


class _Translator:
    """Turns jsonschema errors about one document into findings."""

    def __init__(self, doc: Document, root: dict[str, Any]) -> None:
        self.doc, self.root = doc, root

    def translate(self, error: ValidationError) -> list[_Finding]:
        path = tuple(error.absolute_path)
        if not isinstance(error.schema, dict):  # a `false` schema: nothing more to say
            return [self._at(path, "no value is allowed here")]
        if _about_key(error):
            return self._key_name(error, path)
        custom = error.schema.get("x-messages", {}).get(error.validator)
        if isinstance(custom, str):
            return [self._at(path, custom.replace("{value}", str(error.instance)))]
        handler = getattr(self, f"_on_{error.validator}", None)
        if handler is None:
            return [self._at(path, error.message)]
        findings: list[_Finding] = handler(error, path)
        return findings

    def _at(
        self, path: KeyPath, message: str, hint: str | None = None, *, key: bool = False, **how: Any
    ) -> _Finding:
        return _Finding(self.doc.problem(path, message, hint=hint, key=key), **how)

    def _key_name(self, error: ValidationError, mapping: KeyPath) -> list[_Finding]:
        """A key that is not a valid name (propertyNames): point at the key itself."""
        path = (*mapping, error.instance)
        custom = error.schema.get("x-messages", {}).get(error.validator)
        if isinstance(custom, str):
            return [self._at(path, custom.replace("{value}", str(error.instance)), key=True)]
        message = f"key {_show(error.instance)} must be {self.describe(error.schema)}"
        return [self._at(path, message, "put the key in quotes to make it text", key=True)]

    def _on_additionalProperties(self, error: ValidationError, path: KeyPath) -> list[_Finding]:
        allowed = list(error.schema.get("properties", {}))
        findings = []
        for key in (k for k in error.instance if k not in allowed):
            meant = closest(str(key), allowed)
            hint = f"did you mean '{meant}'?" if meant else "allowed keys: " + ", ".join(allowed)
            message = f"unknown key {_show(key)}"
            findings.append(
                self._at((*path, key), message, hint, key=True, mapping=path, meant=meant)
            )
        return findings

    def _on_required(self, error: ValidationError, path: KeyPath) -> list[_Finding]:
        properties = error.schema.get("properties", {})
        findings = []
        for key in (k for k in error.validator_value if k not in error.instance):
            about = str(self.resolve(properties.get(key, {})).get("description", ""))
            hint = f"'{key}': {about.split('. ')[0].rstrip('.')}" if about else None
            findings.append(
                self._at(path, f"missing required key '{key}'", hint, mapping=path, missing=(key,))
            )
        return findings

    def _on_type(self, error: ValidationError, path: KeyPath) -> list[_Finding]:
        expected = self.describe(error.schema)
        message = f"expected {expected}, got {_found(error.instance)}"
        return [self._at(path, message, _type_hint(error.instance, expected), slot="type")]

    def _on_enum(self, error: ValidationError, path: KeyPath) -> list[_Finding]:
        choices = [str(choice) for choice in error.validator_value]
        hint = suggest(str(error.instance), choices) or f"found {_show(error.instance)}"
        return [self._at(path, f"must be one of: {', '.join(choices)}", hint)]

    def _on_const(self, error: ValidationError, path: KeyPath) -> list[_Finding]:
        return [self._at(path, f"must be {_show(error.validator_value)}")]

    def _on_anyOf(self, error: ValidationError, path: KeyPath) -> list[_Finding]:
        if _is_choice(error.validator_value):
            return self._choice(error, path)
        branches = _by_branch(error.context)
        fitting = [i for i in range(len(error.validator_value)) if _fits(branches.get(i, []))]
        if not fitting:
            expected = self.describe(error.schema)
            message = f"expected {expected}, got {_found(error.instance)}"
            return [self._at(path, message, _type_hint(error.instance, expected), slot="type")]
        errors = branches.get(fitting[0], []) if len(fitting) == 1 else [best_match(error.context)]
        return [finding for sub in errors for finding in self.translate(sub)]

    _on_oneOf = _on_anyOf

    def _choice(self, error: ValidationError, path: KeyPath) -> list[_Finding]:
        """Exactly one of some keys: none given, or several given."""
        if not isinstance(error.instance, dict):
            return []  # for other values "required" holds trivially; the type error says it all
        keys = [branch["required"][0] for branch in error.validator_value]
        present = [key for key in keys if key in error.instance]
        messages = error.schema.get("x-messages", {})
        if not present:
            text = messages.get("choice-missing", "needs one of: {choices}")
            message = text.replace("{choices}", _either(keys, "or"))
            return [self._at(path, message, mapping=path, missing=tuple(keys))]
        text = messages.get("choice-conflict", "can have only one of {found}")
        message = text.replace("{found}", _either(present, "and"))
        return [
            self._at((*path, present[-1]), message, f"keep one of: {', '.join(present)}", key=True)
        ]

    def _on_minItems(self, error: ValidationError, path: KeyPath) -> list[_Finding]:
        count = error.validator_value
        text = "must not be empty" if count == 1 else f"needs at least {count} items"
        return [self._at(path, text)]

    def _on_minLength(self, error: ValidationError, path: KeyPath) -> list[_Finding]:
        count = error.validator_value
        return [self._at(path, "must not be empty" if count == 1 else f"needs {count}+ characters")]

    _on_minProperties = _on_minItems

    def _on_minimum(self, error: ValidationError, path: KeyPath) -> list[_Finding]:
        low, high = error.schema.get("minimum"), error.schema.get("maximum")
        bound = (
            f"between {low} and {high}"
            if None not in (low, high)
            else (f"at least {low}" if high is None else f"at most {high}")
        )
        return [self._at(path, f"must be {bound}, got {_show(error.instance)}")]

    _on_maximum = _on_minimum

    def _on_pattern(self, error: ValidationError, path: KeyPath) -> list[_Finding]:
        return [self._at(path, f"{_show(error.instance)} is not in the expected form")]

    def resolve(self, schema: Any) -> dict[str, Any]:
        """`schema` with a local "$ref" followed (one level, enough for descriptions)."""
        if not isinstance(schema, dict):
            return {}
        ref = schema.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return schema
        return {**_pointer(self.root, ref), **{k: v for k, v in schema.items() if k != "$ref"}}

    def describe(self, schema: Any) -> str:
        """What a schema accepts, in words: 'a string or a list of strings'."""
        schema = self.resolve(schema)
        if "x-expects" in schema:
            return str(schema["x-expects"])
        branches = schema.get("anyOf") or schema.get("oneOf")
        if "type" not in schema and isinstance(branches, list):
            return _either([self.describe(branch) for branch in branches], "or")
        types = schema.get("type", [])
        words = [
            self._describe_type(t, schema) for t in ([types] if isinstance(types, str) else types)
        ]
        return _either(words, "or") if words else "a valid value"

    def _describe_type(self, name: str, schema: dict[str, Any]) -> str:
        if name == "array" and "items" in schema:
            return f"a list of {_plural(self.describe(schema['items']))}"
        return _WORDS.get(name, name)


def _about_key(error: ValidationError) -> bool:
    """True when the error is about a mapping key (raised under "propertyNames")."""
    path = list(error.absolute_schema_path)
    return any(
        part == "propertyNames" and (i == 0 or path[i - 1] != "properties")
        for i, part in enumerate(path)
    )


def _by_branch(context: Iterable[ValidationError]) -> dict[int, list[ValidationError]]:
    branches: dict[int, list[ValidationError]] = {}
    for sub in context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    return branches


def _fits(errors: list[ValidationError]) -> bool:
    """A branch fits when the value has its type (its errors are deeper or about details)."""
    return not any(e.validator == "type" and not e.relative_path for e in errors)


def _type_hint(value: Any, expected: str) -> str | None:
    if value is None:
        return "the value is empty; check that the lines below are indented under the key"
    if "string" in expected and isinstance(value, bool | int | float):
        return "put the value in quotes to make it text"
    return None
