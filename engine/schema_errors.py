"""jsonschema's errors in plain words: located Problems a network engineer can act on.

jsonschema reports what failed in schema terms ("Additional properties are not
allowed", "is not valid under any of the given schemas"); this module turns each
report into a Problem: which key, on which line, what was expected and what was
found, and a "did you mean" when one is close.

Custom schema keywords read here: ``x-expects`` (how to name what a value should be)
and ``x-messages`` (message per failing keyword, plus ``choice-missing`` and
``choice-conflict`` for a ``oneOf``/``anyOf`` of single ``required`` keys). Errors
raised under ``dependentRequired`` and ``dependentSchemas`` are about the key that
brought the dependency in, so they are shown at that key; their messages may say
``{key}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError, best_match  # type: ignore[import-untyped]

from engine.errors import KeyPath, Problem
from engine.schema_words import (
    WORDS,
    closest,
    either,
    found,
    plural,
    quoted,
    show,
    suggest,
    type_hint,
)
from engine.source import Document

__all__ = ["Finding", "Translator", "pointer", "select"]

# format name -> (what a valid value is, hint)
_FORMATS = {
    "regex": (
        "a valid regular expression",
        "put a backslash before special characters, in single quotes: '\\[confirm\\]'",
    ),
    "finite": ("a finite number", None),
}
# Keywords whose errors concern a value below the mapping they are written for.
_DESCENDING = {"properties", "patternProperties", "additionalProperties", "items", "prefixItems"}
_Key = tuple[KeyPath, str]  # a key name within the mapping at a path


def pointer(root: dict[str, Any], ref: str) -> Any:
    """The part of `root` a local "$ref" ("#/$defs/step") points to ({} if none)."""
    target: Any = root
    for part in ref[2:].split("/"):
        target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
    return target


@dataclass(frozen=True)
class Finding:
    """A problem plus what is needed to drop its knock-on effects."""

    problem: Problem
    mapping: KeyPath = ()
    missing: tuple[str, ...] = ()  # keys reported missing in `mapping`
    meant: str | None = None  # key an unknown key in `mapping` probably meant
    slot: str | None = None  # findings sharing a location and slot say the same thing
    follows: bool = False  # only a consequence of `missing`: dropped when those are reported


def _knock_on(finding: Finding, reported: set[_Key], meant: set[_Key]) -> bool:
    """True when another finding already explains this one (a typo, a missing key)."""
    keys = [(finding.mapping, key) for key in finding.missing]
    return any(key in meant for key in keys) or (finding.follows and set(keys) <= reported)


def select(findings: list[Finding]) -> list[Problem]:
    """Drop duplicates and knock-on effects ("missing 'send'" after "unknown key 'sendd'")."""
    meant = {(f.mapping, f.meant) for f in findings if f.meant is not None}
    reported = {(f.mapping, key) for f in findings if not f.follows for key in f.missing}
    seen: set[tuple[object, str]] = set()
    kept: list[Problem] = []
    for finding in findings:
        problem = finding.problem
        ident = (problem.location, finding.slot or problem.message)
        if ident in seen or _knock_on(finding, reported, meant):
            continue
        seen.add(ident)
        kept.append(problem)
    return sorted(kept, key=lambda p: (p.location.line or 0, p.location.column or 0))


def _is_choice(branches: Any) -> bool:
    """True for oneOf/anyOf branches that each only require one key (an "exactly one of");
    a branch may also rule out other keys (`not`) and say why (`$comment`)."""
    return isinstance(branches, list) and all(
        isinstance(b, dict)
        and set(b) - {"not", "$comment"} == {"required"}
        and len(b["required"]) == 1
        for b in branches
    )


def _required_keys(schema: dict[str, Any]) -> list[str]:
    """Keys `schema` requires, directly or in any of its anyOf/oneOf branches."""
    branches = [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]
    return [
        key for branch in branches if isinstance(branch, dict) for key in branch.get("required", [])
    ]


class Translator:
    """Turns jsonschema errors about one document into findings."""

    def __init__(self, doc: Document, root: dict[str, Any]) -> None:
        self.doc, self.root = doc, root

    def translate(self, error: ValidationError) -> list[Finding]:
        path = tuple(error.absolute_path)
        if not isinstance(error.schema, dict):  # a `false` schema: nothing more to say
            return [self._at(path, "no value is allowed here")]
        if _about_key(error):
            return self._key_name(error, path)
        trigger = _dependent_key(error)
        if trigger is not None:
            return [self._out_of_place(error, path, trigger)]
        custom = error.schema.get("x-messages", {}).get(error.validator)
        if isinstance(custom, str):
            return [self._at(path, custom.replace("{value}", str(error.instance)))]
        handler = getattr(self, f"_on_{error.validator}", None)
        if handler is None:
            return [self._at(path, error.message)]
        findings: list[Finding] = handler(error, path)
        return findings

    def _at(
        self, path: KeyPath, message: str, hint: str | None = None, *, key: bool = False, **how: Any
    ) -> Finding:
        return Finding(self.doc.problem(path, message, hint=hint, key=key), **how)

    def _key_name(self, error: ValidationError, mapping: KeyPath) -> list[Finding]:
        """A key that is not a valid name (propertyNames): point at the key itself."""
        path = (*mapping, error.instance)
        custom = error.schema.get("x-messages", {}).get(error.validator)
        if isinstance(custom, str):
            return [self._at(path, custom.replace("{value}", str(error.instance)), key=True)]
        if error.validator == "format":
            return [self._at(path, *_bad_format(error), key=True)]
        message = f"key {show(error.instance)} must be {self.describe(error.schema)}"
        return [self._at(path, message, "put the key in quotes to make it text", key=True)]

    def _out_of_place(self, error: ValidationError, mapping: KeyPath, key: str) -> Finding:
        """A key whose dependentSchemas entry fails: it is in the wrong kind of mapping."""
        needed = _required_keys(error.schema)
        wanted = f"needs {either(quoted(needed), 'or')}" if needed else "is not allowed here"
        custom = error.schema.get("x-messages", {}).get(error.validator, f"'{{key}}' {wanted}")
        message = str(custom).replace("{key}", key)
        where, missing = (*mapping, key), tuple(needed)
        return self._at(where, message, key=True, mapping=mapping, missing=missing, follows=True)

    def _on_dependentRequired(self, error: ValidationError, path: KeyPath) -> list[Finding]:
        """A key that only means something with another one ('loop_var' without 'loop')."""
        findings = []
        for key, needs in error.validator_value.items():
            missing = tuple(need for need in needs if need not in error.instance)
            if key in error.instance and missing:
                wanted = either(quoted(missing), "and")
                message, hint = f"'{key}' needs {wanted}", f"add {wanted}, or remove '{key}'"
                where = (*path, key)
                finding = self._at(where, message, hint, key=True, mapping=path, missing=missing)
                findings.append(finding)
        return findings

    def _on_additionalProperties(self, error: ValidationError, path: KeyPath) -> list[Finding]:
        allowed = list(error.schema.get("properties", {}))
        findings = []
        for key in (k for k in error.instance if k not in allowed):
            meant = closest(str(key), allowed)
            hint = f"did you mean '{meant}'?" if meant else "allowed keys: " + ", ".join(allowed)
            message = f"unknown key {show(key)}"
            findings.append(
                self._at((*path, key), message, hint, key=True, mapping=path, meant=meant)
            )
        return findings

    def _on_required(self, error: ValidationError, path: KeyPath) -> list[Finding]:
        properties = error.schema.get("properties", {})
        findings = []
        for key in (k for k in error.validator_value if k not in error.instance):
            about = str(self.resolve(properties.get(key, {})).get("description", ""))
            hint = f"'{key}': {about.split('. ')[0].rstrip('.')}" if about else None
            findings.append(
                self._at(path, f"missing required key '{key}'", hint, mapping=path, missing=(key,))
            )
        return findings

    def _on_type(self, error: ValidationError, path: KeyPath) -> list[Finding]:
        expected = self.describe(error.schema)
        message = f"expected {expected}, got {found(error.instance)}"
        return [self._at(path, message, type_hint(error.instance, expected), slot="type")]

    def _on_enum(self, error: ValidationError, path: KeyPath) -> list[Finding]:
        choices = [str(choice) for choice in error.validator_value]
        hint = suggest(str(error.instance), choices) or f"found {show(error.instance)}"
        return [self._at(path, f"must be one of: {', '.join(choices)}", hint)]

    def _on_const(self, error: ValidationError, path: KeyPath) -> list[Finding]:
        return [self._at(path, f"must be {show(error.validator_value)}")]

    def _on_anyOf(self, error: ValidationError, path: KeyPath) -> list[Finding]:
        if _is_choice(error.validator_value):
            return self._choice(error, path)
        branches = _by_branch(error.context)
        fitting = [i for i in range(len(error.validator_value)) if _fits(branches.get(i, []))]
        if not fitting:
            expected = self.describe(error.schema)
            message = f"expected {expected}, got {found(error.instance)}"
            return [self._at(path, message, type_hint(error.instance, expected), slot="type")]
        errors = branches.get(fitting[0], []) if len(fitting) == 1 else [best_match(error.context)]
        return [finding for sub in errors for finding in self.translate(sub)]

    _on_oneOf = _on_anyOf

    def _choice(self, error: ValidationError, path: KeyPath) -> list[Finding]:
        """Exactly one of some keys: none given, or several given."""
        if not isinstance(error.instance, dict):
            return []  # for other values "required" holds trivially; the type error says it all
        keys = [branch["required"][0] for branch in error.validator_value]
        present = [key for key in keys if key in error.instance]
        messages = error.schema.get("x-messages", {})
        if not present:
            text = messages.get("choice-missing", "needs one of: {choices}")
            message = text.replace("{choices}", either(keys, "or"))
            return [self._at(path, message, mapping=path, missing=tuple(keys))]
        text = messages.get("choice-conflict", "can have only one of {found}")
        message = text.replace("{found}", either(present, "and"))
        return [
            self._at((*path, present[-1]), message, f"keep one of: {', '.join(present)}", key=True)
        ]

    def _on_minItems(self, error: ValidationError, path: KeyPath) -> list[Finding]:
        count = error.validator_value
        text = "must not be empty" if count == 1 else f"needs at least {count} items"
        return [self._at(path, text)]

    def _on_minLength(self, error: ValidationError, path: KeyPath) -> list[Finding]:
        count = error.validator_value
        return [self._at(path, "must not be empty" if count == 1 else f"needs {count}+ characters")]

    _on_minProperties = _on_minItems

    def _on_minimum(self, error: ValidationError, path: KeyPath) -> list[Finding]:
        low, high = error.schema.get("minimum"), error.schema.get("maximum")
        bound = (
            f"between {low} and {high}"
            if None not in (low, high)
            else (f"at least {low}" if high is None else f"at most {high}")
        )
        return [self._at(path, f"must be {bound}, got {show(error.instance)}", slot="number")]

    _on_maximum = _on_minimum

    def _on_exclusiveMinimum(self, error: ValidationError, path: KeyPath) -> list[Finding]:
        limit, found = error.validator_value, show(error.instance)
        return [self._at(path, f"must be more than {limit}, got {found}", slot="number")]

    def _on_pattern(self, error: ValidationError, path: KeyPath) -> list[Finding]:
        return [self._at(path, f"{show(error.instance)} is not in the expected form")]

    def _on_format(self, error: ValidationError, path: KeyPath) -> list[Finding]:
        slot = "number" if error.validator_value == "finite" else None  # .inf: once is enough
        return [self._at(path, *_bad_format(error), slot=slot)]

    def resolve(self, schema: Any) -> dict[str, Any]:
        """`schema` with a local "$ref" followed (one level, enough for descriptions)."""
        if not isinstance(schema, dict):
            return {}
        ref = schema.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return schema
        return {**pointer(self.root, ref), **{k: v for k, v in schema.items() if k != "$ref"}}

    def describe(self, schema: Any) -> str:
        """What a schema accepts, in words: 'a string or a list of strings'."""
        schema = self.resolve(schema)
        if "x-expects" in schema:
            return str(schema["x-expects"])
        branches = schema.get("anyOf") or schema.get("oneOf")
        if "type" not in schema and isinstance(branches, list):
            return either([self.describe(branch) for branch in branches], "or")
        types = schema.get("type", [])
        words = [
            self._describe_type(t, schema) for t in ([types] if isinstance(types, str) else types)
        ]
        return either(words, "or") if words else "a valid value"

    def _describe_type(self, name: str, schema: dict[str, Any]) -> str:
        if name == "array" and "items" in schema:
            return f"a list of {plural(self.describe(schema['items']))}"
        return WORDS.get(name, name)


def _about_key(error: ValidationError) -> bool:
    """True when the error is about a mapping key (raised under "propertyNames")."""
    path = list(error.absolute_schema_path)
    return any(
        part == "propertyNames" and (i == 0 or path[i - 1] != "properties")
        for i, part in enumerate(path)
    )


def _dependent_key(error: ValidationError) -> str | None:
    """The key a failing dependentSchemas entry belongs to, if `error` is about its mapping."""
    path = list(error.absolute_schema_path)
    starts = [
        i
        for i, part in enumerate(path[:-1])
        if part == "dependentSchemas" and (i == 0 or path[i - 1] != "properties")
    ]
    if not starts:
        return None
    key, below = path[starts[-1] + 1], set(path[starts[-1] + 2 :])
    mapping = error.instance
    about_mapping = isinstance(mapping, dict) and key in mapping and not below & _DESCENDING
    return str(key) if about_mapping else None


def _bad_format(error: ValidationError) -> tuple[str, str | None]:
    """Message and hint for a value not in its `format` (the parser's reason included)."""
    noun, hint = _FORMATS.get(error.validator_value, (f"a valid {error.validator_value}", None))
    reason = f": {error.cause}" if error.cause is not None else ""
    return f"{show(error.instance)} is not {noun}{reason}", hint


def _by_branch(context: Iterable[ValidationError]) -> dict[int, list[ValidationError]]:
    branches: dict[int, list[ValidationError]] = {}
    for sub in context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    return branches


def _fits(errors: list[ValidationError]) -> bool:
    """A branch fits when the value has its type (its errors are deeper or about details)."""
    return not any(e.validator == "type" and not e.relative_path for e in errors)
