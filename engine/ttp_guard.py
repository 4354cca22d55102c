"""TTP templates as data: an allow-list checked before TTP ever sees a template.

TTP runs Python from its templates in many places: `<macro>` bodies, and `<vars>`,
`<lookup>` and `<input>` loaded as Python, are `exec`'d; every function's arguments
(`contains(...)` in a match variable, any group attribute) go through `eval`; `<input>`,
`<extend>` and `include=` read files; `<output>` returners write files; a match variable
may call any method of the matched text. netplay accepts only the part of TTP that is data:

- the root `<template>` (attributes `name`, `results`, `pathchar`), `<group>` (nested
  groups; `name`, `method`, `default` and the group functions of `GROUP_FUNCTIONS`),
  `<vars load="yaml|json">` and `<doc>`;
- match variables whose functions are in `MATCH_FUNCTIONS`, `PATTERNS` or `STRING_METHODS`;
- function arguments that are literals: text, numbers, true/false/none, bare words (TTP
  reads them as text), and lists of those, each keyword once (the list must compile);
- regexes given to `re`, `ignore`, `*_re`, `resub`, `resuball` (TTP runs them with Python's
  backtracking `re`) without nested repetition (`engine.regex.backtracking_risk`); any other
  slow regex, or text grown by string methods, meets the time and memory limits of the
  child process every TTP parse runs in (`engine.parsing`).

Anything else is refused with the line of the template it is on, before TTP compiles it.
The XML is read with expat with document types refused, so no entity is ever expanded.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

import yaml

from engine.regex import backtracking_risk

PATTERNS = frozenset(
    {"PHRASE", "ROW", "ORPHRASE", "DIGIT", "IP", "PREFIX", "IPV6", "PREFIXV6", "WORD", "MAC"}
)
_REGEX_ARGS = frozenset(
    {"re", "ignore", "_line_", "contains_re", "exclude_re", "startswith_re", "endswith_re"}
    | {"notstartswith_re", "notendswith_re", "resub", "resuball"}
)
MATCH_FUNCTIONS = _REGEX_ARGS | frozenset(
    {"_start_", "_end_", "_exact_", "_exact_space_", "_headers_", "columns", "set", "default"}
    | {"joinmatches", "append", "prepend", "cidr_match", "contains", "copy", "count", "equal"}
    | {"exclude", "greaterthan", "lessthan", "ip_info", "is_ip", "isdigit", "notdigit", "item"}
    | {"join", "let", "mac_eui", "notequal", "record", "replaceall", "sformat", "to_cidr"}
    | {"to_float", "to_int", "to_ip", "to_list", "to_net", "to_str", "to_unicode", "truncate"}
    | {"unrange", "uptimeparse", "void"}
)
# Methods of the matched text TTP may call by name: none of them can grow the text much.
STRING_METHODS = frozenset(
    {"upper", "lower", "title", "capitalize", "swapcase", "strip", "lstrip", "rstrip"}
    | {"split", "rsplit", "replace", "startswith", "endswith", "isalpha", "isalnum"}
    | {"isspace", "islower", "isupper"}
)
GROUP_FUNCTIONS = frozenset(
    {"contains", "containsall", "contains_val", "exclude", "excludeall", "exclude_val"}
    | {"equal", "del", "itemize", "items2dict", "expand", "record", "void", "to_int"}
    | {"to_ip", "sformat", "set", "str_to_unicode"}
)
# Why the best-known unsafe parts are refused; anything else unknown is "not allowed".
_REASONS = {
    "macro": "runs Python code",
    "lookup": "reads lookup tables from files or runs Python",
    "rlookup": "reads lookup tables from files or runs Python",
    "gpvlookup": "reads lookup tables from files or runs Python",
    "geoip_lookup": "reads a database file",
    "dns": "makes network queries",
    "rdns": "makes network queries",
    "print": "writes to the terminal",
    "raise": "raises Python exceptions",
    "chain": "runs functions named elsewhere in the template",
    "functions": "runs functions named elsewhere in the template",
    "validate": "imports validation libraries",
    "cerberus": "imports validation libraries",
    "input": "reads files or runs Python",
    "output": "writes files or runs code",
    "extend": "reads other template files",
    "template": "nested templates are not supported",
    "include": "reads files",
}
_TAGS = {"g": "group", "grp": "group", "group": "group", "v": "vars", "vars": "vars"}
_TAGS |= {"variables": "vars", "doc": "doc", "i": "input", "in": "input", "input": "input"}
_TAGS |= {"o": "output", "out": "output", "output": "output", "macro": "macro"}
_TAGS |= {"lookup": "lookup", "extend": "extend", "template": "template"}
_ROOT_ATTRIBUTES = frozenset({"name", "results", "pathchar"})
_GROUP_ATTRIBUTES = frozenset({"name", "method", "default"})
# Names TTP's `eval` of arguments would resolve to Python objects instead of text.
_OBJECT_NAMES = frozenset({"re", "sys", "traceback", "logging", "log", "get_attributes"})
_VARIABLE = re.compile(r"{{([\S\s]+?)}}")
_FUNCTION = re.compile(r"^(?P<name>\S+?)\s?(\((?P<options>.*)\))?$")
_FORMAT_FIELD = re.compile(r"{{|}}|{\w*}")


class UnsafeTemplate(Exception):
    """A TTP template uses something that is not pure data; `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        self.line, self.message = line, message
        super().__init__(f"line {line}: {message}")


@dataclass
class _Element:
    tag: str
    attributes: dict[str, str]
    line: int
    text: list[tuple[int, str]] = field(default_factory=list)  # (line, text) pieces
    children: list[_Element] = field(default_factory=list)


def check_ttp(text: str) -> None:
    """Raise UnsafeTemplate unless `text` is a TTP template made of data only."""
    _Checker().root(_tree(text))


def _tree(text: str) -> _Element:
    """The template as TTP will read it: as written when its root is <template>, else
    wrapped in one (TTP adds a line before the text; line numbers here are the user's)."""
    try:
        root = _parse(text, shift=0)
        if root.tag.lower() == "template":
            return root
    except expat.ExpatError:
        pass
    return _parse(f"<template>\n{text}\n</template>", shift=1)


def _parse(text: str, *, shift: int) -> _Element:
    parser = expat.ParserCreate()
    stack: list[_Element] = []
    done: list[_Element] = []

    def start(tag: str, attributes: dict[str, str]) -> None:
        element = _Element(tag, attributes, max(parser.CurrentLineNumber - shift, 1))
        (stack[-1].children if stack else done).append(element)
        stack.append(element)

    def data(chunk: str) -> None:
        if stack:
            stack[-1].text.append((parser.CurrentLineNumber - shift, chunk))

    def doctype(*_: Any) -> None:
        line = parser.CurrentLineNumber - shift
        raise UnsafeTemplate(line, "document types (<!DOCTYPE>) are not allowed")

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda _: stack.pop()
    parser.CharacterDataHandler = data
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.Parse(text, True)
    return done[0]


class _Checker:
    """Walks the tree; knows the template's <vars>, which regex arguments may name."""

    def __init__(self) -> None:
        self.variables: dict[str, Any] = {}

    def root(self, root: _Element) -> None:
        _only(root, _ROOT_ATTRIBUTES)
        kinds = [(child, _TAGS.get(child.tag.lower())) for child in root.children]
        for child, kind in kinds:
            if kind not in ("group", "vars", "doc"):
                _refuse_tag(child, kind)
            if kind == "vars":
                self.vars(child)
            elif kind == "doc":
                _only(child, frozenset())
        self.text(root)
        for child, kind in kinds:
            if kind == "group":
                self.group(child)

    def vars(self, element: _Element) -> None:
        load = element.attributes.get("load", "python").strip().lower()
        _only(element, frozenset({"load", "name"}))
        if load not in ("yaml", "json"):
            message = f'<{element.tag}> loaded as {load!r} runs code; write load="yaml" or "json"'
            raise UnsafeTemplate(element.line, message)
        text = "".join(chunk for _, chunk in element.text)
        try:
            data = json.loads(text) if load == "json" else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            message = f"<{element.tag}> is not valid {load.upper()}: {exc}"
            raise UnsafeTemplate(element.line, message) from None
        if data is not None and not isinstance(data, dict):
            raise UnsafeTemplate(element.line, f"<{element.tag}> must hold a mapping")
        self.variables.update(data or {})

    def group(self, group: _Element) -> None:
        method = group.attributes.get("method", "group").strip().lower()
        if method not in ("group", "table"):
            message = f"group method {method!r} is not 'group' or 'table'"
            raise UnsafeTemplate(group.line, message)
        for name, value in group.attributes.items():
            if name.lower() in _GROUP_ATTRIBUTES:
                continue
            if name.lower() not in GROUP_FUNCTIONS:
                raise UnsafeTemplate(group.line, _attribute_reason(group.tag, name))
            self.call(group.line, name, value)
        self.text(group)
        for child in group.children:
            if _TAGS.get(child.tag.lower()) != "group":
                _refuse_tag(child, _TAGS.get(child.tag.lower()))
            self.group(child)

    def text(self, element: _Element) -> None:
        """Every match variable in the element's own text (not its children's)."""
        for line, chunk in _lines(element.text):
            for variable in _VARIABLE.findall(chunk):
                self.variable(line, variable)

    def variable(self, line: int, variable: str) -> None:
        """`{{ name | function(args) | ... }}`, split exactly as TTP splits it."""
        items = [item.strip() for item in variable.split("|") if item.strip()]
        for index, item in enumerate(items):
            found = _FUNCTION.match(item)
            if found is None:
                raise UnsafeTemplate(line, f"cannot read {item!r} in {{{{{variable}}}}}")
            name, options = found.group("name"), found.group("options")
            if index > 0 and not _allowed_function(name):
                reason = _REASONS.get(name, "is not a TTP function netplay allows")
                raise UnsafeTemplate(line, f"function {name!r} {reason}")
            if options is not None:
                self.call(line, name, options)

    def call(self, line: int, name: str, options: str) -> None:
        """The arguments of one function are literals (TTP `eval`s them)."""
        texts = _arguments(line, name, options)
        if name in _REGEX_ARGS:
            for text in texts:
                pattern = self.variables.get(text, text)
                risk = backtracking_risk(str(pattern)) if pattern not in PATTERNS else None
                if risk:
                    raise UnsafeTemplate(line, f"{name}(): {risk}")
        if name == "sformat" and texts and _FORMAT_FIELD.sub("", texts[0]).count("{"):
            raise UnsafeTemplate(line, "sformat() takes only plain '{}' fields")


def _refuse_tag(element: _Element, kind: str | None) -> None:
    reason = _REASONS.get(kind or "", "is not part of the TTP netplay accepts")
    raise UnsafeTemplate(element.line, f"<{element.tag}> {reason}")


def _only(element: _Element, allowed: frozenset[str]) -> None:
    for name in element.attributes:
        if name.lower() not in allowed:
            raise UnsafeTemplate(element.line, _attribute_reason(element.tag, name))


def _attribute_reason(tag: str, name: str) -> str:
    reason = _REASONS.get(name.lower(), "is not allowed")
    return f"attribute {name!r} of <{tag}> {reason}"


def _lines(pieces: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The element's text as (line number, line) pairs, pieces joined where expat split."""
    lines: list[tuple[int, str]] = []
    for number, chunk in pieces:
        for offset, part in enumerate(chunk.split("\n")):
            if offset == 0 and lines and lines[-1][0] == number:
                lines[-1] = (number, lines[-1][1] + part)
            else:
                lines.append((number + offset, part))
    return lines


def _allowed_function(name: str) -> bool:
    return name in MATCH_FUNCTIONS or name in PATTERNS or name in STRING_METHODS


def _arguments(line: int, name: str, options: str) -> list[str]:
    """The text of each argument of `name(options)`; only literals are accepted."""
    try:
        tree = ast.parse(f"f({options})", mode="eval")
        # Compiled as TTP's `eval` will: a repeated keyword passes the parser, not the
        # compiler, and TTP answers a failed `eval` with SystemExit.
        compile(tree, "<arguments>", "eval", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        why = f": {exc.msg}" if isinstance(exc, SyntaxError) and exc.msg else ""
        raise UnsafeTemplate(line, f"cannot read the arguments of {name}({options}){why}") from None
    call = tree.body
    assert isinstance(call, ast.Call)
    values = [*call.args, *(k.value for k in call.keywords)]
    if any(k.arg is None for k in call.keywords) or not all(_literal(v) for v in values):
        message = f"arguments of {name}() must be plain values (text, numbers, names)"
        raise UnsafeTemplate(line, message)
    return [_text(v) for v in values]


def _literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str | int | float | bool) or node.value is None
    if isinstance(node, ast.Name):
        return node.id not in _OBJECT_NAMES and not node.id.startswith("_")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return isinstance(node.operand, ast.Constant) and type(node.operand.value) in (int, float)
    if isinstance(node, ast.List | ast.Tuple):
        return all(_literal(item) for item in node.elts)
    return False


def _text(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
