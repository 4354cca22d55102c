"""The JSON Schemas as the package holds them, and a reference of their keys in Markdown.

`netplay schema NAME` prints a schema (for an editor, or a tool of your own);
`netplay schema NAME --markdown` prints, for every mapping the schema describes (a play, a
step, an `assert`, ...), a table of its keys: what each takes and what it does, in the
schema's own words. `docs/playbook-keys.md` is that reference for playbooks, so the docs
say what `validate` checks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from engine.schema import SCHEMA_PACKAGE, load_schema

_BRANCHES = ("anyOf", "oneOf", "allOf", "then", "else")
_TYPES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}


def schema_text(name: str) -> str:
    """The schema file `name` (playbook, inventory, results) exactly as installed."""
    return (files(SCHEMA_PACKAGE) / f"{name}.schema.json").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Section:
    """A mapping the schema describes, and its keys."""

    title: str
    description: str
    keys: tuple[tuple[str, Mapping[str, Any], bool], ...]  # name, schema, required


def markdown(name: str) -> str:
    """The key reference of schema `name`, in Markdown."""
    schema = load_schema(name)
    lines = [
        f"# {schema.get('title', name)}: every key",
        "",
        f"<!-- Made by `netplay schema {name} --markdown` from schemas/{name}.schema.json:"
        " edit the schema, not this file. -->",
        "",
        _cell(schema.get("description", "")),
    ]
    for section in sections(schema):
        lines += ["", f"## {section.title}", ""]
        if section.description:
            lines += [_cell(section.description), ""]
        lines += ["| key | takes | what it does |", "|---|---|---|"]
        for key, node, required in section.keys:
            label = f"`{key}`" + (" (required)" if required else "")
            lines.append(
                f"| {label} | {_cell(takes(node, schema))} | {_cell(_about(node, schema))} |"
            )
    return "\n".join(lines) + "\n"


def sections(schema: Mapping[str, Any]) -> list[Section]:
    """Every mapping with named keys in the schema, in the order a reader meets them: from
    the top of the document, then the definitions no key leads to."""
    found: dict[int, Section] = {}
    roots = [(schema, str(schema.get("title", "document")))]
    roots += [(node, str(node.get("title", key))) for key, node in schema.get("$defs", {}).items()]
    for node, label in roots:
        for section_node, title in _walk(node, label, schema, set()):
            if id(section_node) not in found:
                found[id(section_node)] = _section(section_node, title, schema)
    return list(found.values())


def _walk(
    node: Any, label: str, root: Mapping[str, Any], seen: set[int]
) -> Iterator[tuple[Mapping[str, Any], str]]:
    if not isinstance(node, Mapping) or id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node.get("$ref"), str):
        target = _resolve(node["$ref"], root)
        yield from _walk(target, str(target.get("title", label)), root, seen)
    if node.get("properties"):
        yield node, label
    for branch in _BRANCHES:
        value = node.get(branch)
        for item in value if isinstance(value, list) else [value]:
            yield from _walk(item, label, root, seen)
    yield from _walk(node.get("items"), label, root, seen)
    extra = node.get("additionalProperties")
    yield from _walk(extra, f"{label}: each value", root, seen)
    for key, value in (node.get("properties") or {}).items():
        yield from _walk(value, str(key), root, seen)


def _section(node: Mapping[str, Any], title: str, root: Mapping[str, Any]) -> Section:
    required = set(node.get("required", ()))
    keys = [(str(k), v, k in required) for k, v in node["properties"].items()]
    return Section(title, str(node.get("description", "")), tuple(keys))


def _resolve(ref: str, root: Mapping[str, Any]) -> Mapping[str, Any]:
    node: Any = root
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return dict(node) if not isinstance(node, dict) else node


def _merged(node: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    """A key's schema with what its "$ref" says, its own words first."""
    if isinstance(node.get("$ref"), str):
        return {**_merged(_resolve(node["$ref"], root), root), **node}
    return node


def takes(node: Mapping[str, Any], root: Mapping[str, Any]) -> str:
    """What a key takes, in words: its `x-expects`, else its values or types."""
    merged = _merged(node, root)
    if "x-expects" in merged:
        words = str(merged["x-expects"])
    elif "enum" in merged:
        words = "one of " + ", ".join(f"`{value}`" for value in merged["enum"])
    else:
        kinds = merged.get("type", [])
        words = " or ".join(
            _TYPES.get(k, k) for k in ([kinds] if isinstance(kinds, str) else kinds)
        )
    examples = merged.get("examples")
    if examples:
        words += "; e.g. " + ", ".join(f"`{_example(e)}`" for e in examples)
    return words or "anything"


def _example(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list):
        return "[" + ", ".join(_example(v) for v in value) + "]"
    return str(value)


def _about(node: Mapping[str, Any], root: Mapping[str, Any]) -> str:
    merged = _merged(node, root)
    return str(merged.get("description", merged.get("title", "")))


def _cell(text: str) -> str:
    """Text for one Markdown table cell or paragraph: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")
