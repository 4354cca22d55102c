"""Values, names and expectations put into words for error messages, and "did you mean"."""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Iterable
from typing import Any

__all__ = [
    "WORDS",
    "closest",
    "either",
    "found",
    "plural",
    "quoted",
    "show",
    "suggest",
    "type_hint",
]

WORDS = {
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
    matches = same or difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return matches[0] if matches else None


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """A "did you mean 'x'?" hint for a misspelled name, or None when nothing is close."""
    match = closest(word, choices)
    return None if match is None else f"did you mean '{match}'?"


def found(value: Any) -> str:
    """What a value is, in the words of the error messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    kinds = {str: "a string", dict: "a mapping", list: "a list"}
    return next((word for kind, word in kinds.items() if isinstance(value, kind)), "a value")


def show(value: Any) -> str:
    """A value as it appears in a message: text in single quotes, .nan and .inf as YAML
    writes them, the rest as JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
    return f"'{value}'" if isinstance(value, str) else json.dumps(value, default=str)


def quoted(keys: Iterable[str]) -> list[str]:
    """Key names in single quotes, as messages show them."""
    return [f"'{key}'" for key in keys]


def either(words: list[str], last: str) -> str:
    """'a, b or c' (`last` is 'or' or 'and')."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def plural(description: str) -> str:
    """'a step (a mapping)' -> 'steps'; 'a mapping of x' -> 'mappings of x'."""
    noun = description.split(" (")[0].removeprefix("a ").removeprefix("an ")
    head, of, rest = noun.partition(" of ")
    return "booleans" if noun == "true or false" else f"{head}s{of}{rest}"


def type_hint(value: Any, expected: str) -> str | None:
    """A hint for the two usual causes of a wrong type: a missing indent, missing quotes."""
    if value is None:
        return "the value is empty; check that the lines below are indented under the key"
    if "string" in expected and isinstance(value, bool | int | float):
        return "put the value in quotes to make it text"
    return None
