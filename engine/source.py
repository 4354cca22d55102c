"""Read YAML files into plain Python data plus a map from key paths to line:column.

Not ``yaml.safe_load``: it accepts duplicate keys, expands alias bombs until memory runs
out, makes dates ``datetime`` and forgets positions. Here PyYAML composes the node graph
and one pass turns it into data while recording where every value and key starts.
"""

from __future__ import annotations

import codecs
import difflib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from engine.errors import InputError, KeyPath, Location, Problem

if yaml.__with_libyaml__:
    from yaml import CSafeLoader as _SafeLoader
else:  # pragma: no cover - the pure-Python parser gives the same events, only slower
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

__all__ = ["MAX_ALIAS_VALUES", "MAX_BYTES", "MAX_DEPTH", "Document", "load_yaml", "parse_yaml"]

MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 100  # far beyond any real file, well inside what validators can recurse through
MAX_ALIAS_VALUES = 100_000  # values produced by alias expansion: stops "billion laughs"

Position = tuple[int, int]
_BINARY = "this looks like a binary file, not YAML"
_TAG = "tag:yaml.org,2002:"
# YAML forbids these characters anywhere in a stream (the PyYAML reader's own rule).
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


@dataclass(frozen=True)
class Document:
    """One parsed YAML file: its text, its data, and where every value sits in it."""

    file: str
    text: str
    data: Any
    marks: Mapping[KeyPath, Position] = field(default_factory=dict, repr=False, compare=False)
    key_marks: Mapping[KeyPath, Position] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def lines(self) -> list[str]:
        """The text split into lines (YAML's line breaks are a subset of these)."""
        return self.text.splitlines()

    def locate(self, path: KeyPath, *, key: bool = False) -> Location:
        """Where the value at `path` starts (its key with `key=True`), else its nearest ancestor."""
        found = self.key_marks.get(path) if key else None
        depth = len(path)
        while found is None and depth >= 0:
            found = self.marks.get(path[:depth])
            depth -= 1
        line, column = found if found is not None else (None, None)
        return Location(self.file, line, column, _printable(path))

    def problem(
        self, path: KeyPath, message: str, *, hint: str | None = None, key: bool = False
    ) -> Problem:
        """A Problem at `path` with its location and the offending source line filled in."""
        location = self.locate(path, key=key)
        return Problem(location, message, hint, _line_of(self.lines, location.line))


def load_yaml(path: str | os.PathLike[str], *, display: str | None = None) -> Document:
    """Read and parse one YAML file; every failure is an InputError naming the file."""
    name = display if display is not None else os.fspath(path)
    return parse_yaml(_decode(_read_bytes(Path(path), name), name), name)


def parse_yaml(text: str, file: str) -> Document:
    """Parse YAML `text` (shown to users as `file`) into a Document, or raise InputError."""
    if len(text) > MAX_BYTES:
        raise _too_large(file, len(text))
    text = text.removeprefix("\ufeff")
    _reject_control_characters(text, file)
    root = _compose(text, file)
    builder = _Builder(file, text)
    data = builder.run(root)
    return Document(file, text, data, builder.marks, builder.key_marks)


def _compose(text: str, file: str) -> yaml.Node:
    """The document's node graph (PyYAML's composer); syntax errors become Problems."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        raise InputError([_explain(error, text.splitlines(), file)]) from None
    except yaml.YAMLError as error:
        raise InputError.at(file, f"cannot read YAML: {error}") from None
    except RecursionError:  # the pure-Python composer recurses once per nesting level
        raise InputError.at(file, f"nesting is too deep (over {MAX_DEPTH} levels)") from None
    finally:
        loader.dispose()
    if root is None or (root.tag == _TAG + "null" and root.value == ""):
        what = "has no YAML content" if text.strip() else "is empty"
        hint = "expected a mapping of keys and values"
        raise InputError.at(file, f"file {what}", line=1, column=1, hint=hint)
    return root


def _printable(path: KeyPath) -> KeyPath:
    """`path` with keys that are neither text nor numbers (null, 1.5, true) as YAML text."""
    return tuple(p if type(p) in (str, int) else yaml.safe_dump(p).split("\n")[0] for p in path)


def _line_of(lines: list[str], line: int | None) -> str | None:
    return lines[line - 1] if line is not None and 1 <= line <= len(lines) else None


def _read_bytes(path: Path, name: str) -> bytes:
    """The file's bytes; refuse more than MAX_BYTES without reading them all."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                raise _too_large(name, os.fstat(stream.fileno()).st_size)
            return raw
    except FileNotFoundError:
        raise InputError.at(name, "file not found", hint=_similar_file(path, name)) from None
    except IsADirectoryError:
        raise InputError.at(name, "this is a directory, not a file") from None
    except OSError as error:  # permissions, I/O errors, ...
        raise InputError.at(name, f"cannot read the file: {error.strerror}") from None


def _similar_file(path: Path, name: str) -> str | None:
    """'did you mean' naming a file of the same directory with a close name."""
    try:
        names = [entry.name for entry in os.scandir(path.parent) if entry.is_file()]
    except OSError:
        return None
    close = difflib.get_close_matches(path.name, names, n=1, cutoff=0.75)
    return f"did you mean '{Path(name).with_name(close[0])}'?" if close else None


def _too_large(file: str, size: int) -> InputError:
    limit = MAX_BYTES // 1048576
    return InputError.at(file, f"file is too large ({size / 1048576:.1f} MiB; limit {limit} MiB)")


def _decode(raw: bytes, file: str) -> str:
    """UTF-8 text of `raw`; say where it is not UTF-8."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError.at(file, "file is UTF-16, not UTF-8", line=1, column=1)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        offset, byte = len(raw[: error.start].decode("utf-8")), raw[error.start]
    line, column, source = _where(raw.decode("utf-8", "replace"), offset)
    hint = _BINARY if b"\x00" in raw[:8192] else "save the file as UTF-8"
    message = f"file is not valid UTF-8 text (byte 0x{byte:02x})"
    raise InputError.at(file, message, line=line, column=column, hint=hint, source_line=source)


def _reject_control_characters(text: str, file: str) -> None:
    """YAML forbids control characters: name the first one and say where it is."""
    bad = _NON_PRINTABLE.search(text)
    if bad is None:
        return
    line, column, source = _where(text, bad.start())
    hint = _BINARY if "\x00" in text else 'write it as an escape in double quotes: "\\t"'
    message = f"control character U+{ord(bad.group()):04X} is not allowed in YAML"
    raise InputError.at(file, message, line=line, column=column, hint=hint, source_line=source)


def _where(text: str, offset: int) -> tuple[int, int, str]:
    """1-based line and column of `offset`, and its line with the bad character as '?'."""
    before = (text[:offset] + "?").splitlines()  # the "?" keeps a trailing empty line
    after = text[offset + 1 :].splitlines()[:1] or [""]
    return len(before), len(before[-1]), _NON_PRINTABLE.sub("?", before[-1] + after[0])


class _Loader(_SafeLoader):
    """PyYAML's safe parser, with JSON's implicit types: dates and '=' stay plain text."""

    yaml_implicit_resolvers = {  # noqa: RUF012 - read-only, replaces the inherited table
        first: [(tag, rx) for tag, rx in found if tag not in (_TAG + "timestamp", _TAG + "value")]
        for first, found in _SafeLoader.yaml_implicit_resolvers.items()
    }


_SCALARS: dict[str, Callable[[_Loader, Any], Any]] = {
    _TAG + "str": lambda _, node: node.value,
    _TAG + "null": _Loader.construct_yaml_null,
    _TAG + "bool": _Loader.construct_yaml_bool,
    _TAG + "int": _Loader.construct_yaml_int,
    _TAG + "float": _Loader.construct_yaml_float,
}
_Built = tuple[Any, int]  # a value and how many values it holds once aliases are expanded
_COLLECTIONS: dict[type, str] = {yaml.MappingNode: _TAG + "map", yaml.SequenceNode: _TAG + "seq"}


class _Builder:
    """Turns the composed node graph into data, the line map and located problems.

    Aliases share one node in the graph; each value is built once and reused, and the
    size a plain copy would have is counted, so alias bombs stop early with bounded memory.
    """

    def __init__(self, file: str, text: str) -> None:
        self.file, self.text = file, text
        self.built: dict[int, _Built] = {}  # id(node) -> (value, size once aliases expand)
        self.building: set[int] = set()
        self.aliased = 0
        self.marks: dict[KeyPath, Position] = {}
        self.key_marks: dict[KeyPath, Position] = {}
        self.problems: list[Problem] = []

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def run(self, root: yaml.Node) -> Any:
        """The data of `root`; raise InputError listing what is wrong, if anything."""
        value, _ = self._build(root, (), 0)
        if self.problems:
            raise InputError(sorted(self.problems, key=_position))
        return value

    def _build(self, node: yaml.Node, path: KeyPath | None, depth: int) -> _Built:
        if id(node) in self.built:
            return self._alias(node, path)
        if id(node) in self.building:
            self._fail(node, "an alias is inside the value it refers to", path)
        if depth > MAX_DEPTH:
            self._fail(node, f"nesting is too deep (more than {MAX_DEPTH} levels)", ())
        if path is not None:
            self.marks[path] = _at(node)
        self._check_tag(node, path)
        self.building.add(id(node))
        if isinstance(node, yaml.MappingNode):
            built = self._mapping(node, path, depth)
        elif isinstance(node, yaml.SequenceNode):
            built = self._sequence(node, path, depth)
        else:
            built = self._scalar(node, path), 1
        self.building.discard(id(node))
        self.built[id(node)] = built
        return built

    def _alias(self, node: yaml.Node, path: KeyPath | None) -> _Built:
        value, size = self.built[id(node)]
        self.aliased += size  # what a plain copy would cost
        if self.aliased > MAX_ALIAS_VALUES:
            message = f"aliases expand to over {MAX_ALIAS_VALUES} values"
            self._fail(node, message, path, "this looks like an alias bomb; use fewer aliases")
        if path is not None:
            self.marks[path] = _at(node)  # where the shared value is written
        return value, size

    def _check_tag(self, node: yaml.Node, path: KeyPath | None) -> None:
        """Only JSON's types: no Python objects, sets, dates, binary or custom tags."""
        if node.tag == _TAG + "merge":
            hint = "put shared settings under 'defaults' or in a group"
            self._fail(node, "merge keys ('<<') are not supported", path, hint)
        allowed = _COLLECTIONS.get(type(node)) or (node.tag if node.tag in _SCALARS else None)
        if node.tag != allowed:
            shown = node.tag.replace(_TAG, "!!", 1)
            hint = "netplay reads plain YAML only: text, numbers, booleans, lists and mappings"
            self._fail(node, f"tag '{shown}' is not allowed", path, hint)

    def _scalar(self, node: yaml.Node, path: KeyPath | None) -> Any:
        construct = _SCALARS[node.tag]
        try:
            return construct(_LOADER, node)
        except (ValueError, KeyError, IndexError):
            kind = node.tag[len(_TAG) :]
            return self._fail(node, f"'{node.value}' is not a valid {kind}", path)

    def _sequence(self, node: yaml.SequenceNode, path: KeyPath | None, depth: int) -> _Built:
        items, size = [], 1
        for index, child in enumerate(node.value):
            value, count = self._build(child, None if path is None else (*path, index), depth + 1)
            items.append(value)
            size += count
        return items, size

    def _mapping(self, node: yaml.MappingNode, path: KeyPath | None, depth: int) -> _Built:
        mapping: dict[Any, Any] = {}
        size, first_line = 1, dict[Any, int]()
        for key_node, value_node in node.value:
            key = self._key(key_node, path, depth, first_line)
            if key is _SKIP:
                continue
            first_line[key] = _at(key_node)[0]
            child = None if path is None else (*path, key)
            if child is not None:
                self.key_marks[child] = _at(key_node)
            mapping[key], count = self._build(value_node, child, depth + 1)
            size += count
            if child is not None and value_node.tag == _TAG + "null" and value_node.value == "":
                self.marks[child] = _at(key_node)  # an empty value ("R1:") is shown at its key
        return mapping, size

    def _key(self, node: yaml.Node, path: KeyPath | None, depth: int, seen: dict[Any, int]) -> Any:
        """The key built from `node`, or _SKIP after reporting why it cannot be used."""
        key, _ = self._build(node, None, depth + 1)
        if isinstance(key, list | dict):
            kind = "list" if isinstance(key, list) else "mapping"
            self._report(node, f"a mapping key must be a single value, not a {kind}", path)
            return _SKIP
        if key in seen:
            shown = f"'{key}'" if isinstance(key, str) else repr(key)
            message = f"duplicate key {shown} (first defined at line {seen[key]})"
            where = () if path is None else (*path, key)
            self._report(node, message, where, "remove one of the two")
            return _SKIP
        return key

    def _report(
        self, node: yaml.Node, message: str, path: KeyPath | None, hint: str | None = None
    ) -> None:
        line, column = _at(node)
        location = Location(self.file, line, column, _printable(path or ()))
        self.problems.append(Problem(location, message, hint, _line_of(self.lines, line)))

    def _fail(
        self, node: yaml.Node, message: str, path: KeyPath | None, hint: str | None = None
    ) -> Any:
        self._report(node, message, path, hint)
        raise InputError(sorted(self.problems, key=_position))


_SKIP = object()
_LOADER = _Loader("")  # only its scalar constructors are used: they keep no state


def _at(node: yaml.Node) -> Position:
    mark = node.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _position(problem: Problem) -> tuple[int, int]:
    return problem.location.line or 0, problem.location.column or 0


# PyYAML's problem (its start) | plain message | hint ("{line}": where the construct began)
_SYNTAX_TABLE = """
mapping values are not allowed | unexpected ':' in a value | quote a value that contains ': '
could not find expected ':' | expected 'key: value' here | check the indentation and the ':'
did not find expected key | bad indentation: not in line with the keys above | align the keys
did not find expected '-' | bad indentation: expected a list item ('- ...') | align the items
block sequence entries are not allowed | a list item ('-') cannot start here | indent the list
found unexpected end | the file ends inside a quoted string | close the quote of line {line}
did not find expected ',' or ']' | a '[' list is not closed | close the '[' of line {line}
did not find expected ',' or '}' | a '{' mapping is not closed | close the '{' of line {line}
found character that cannot start any token | a value cannot start with this character | quote it
but found another document | a second YAML document starts here | a file holds one document
found undefined alias | an alias ('*name') has no anchor ('&name') before it | define it first
did not find expected node content | a value is missing here | look for an unclosed '[' or '{'
exceeded maximum nesting depth | nesting is too deep (over 1000 levels) | flatten the data
did not find expected alphabetic | '&', '*' or '!' needs a name here | quote the value
did not find expected comment | unexpected text after the value | quote the whole value
second occurrence | this anchor name ('&name') is already used | anchor names must be unique
"""
_SYNTAX = [line.split(" | ") for line in _SYNTAX_TABLE.strip().splitlines()]
_TABS = "tabs are not allowed for indentation; use spaces", "replace the tabs with spaces"


def _explain(error: yaml.MarkedYAMLError, lines: list[str], file: str) -> Problem:
    """Turn a PyYAML syntax error into a located Problem in plain words."""
    mark, context = error.problem_mark, error.context_mark
    if mark is None or _line_of(lines, mark.line + 1) is None:
        mark = context or mark  # past the end of the file: show where the construct began
    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
    problem = error.problem or ""
    message, hint = f"YAML syntax error: {problem}", error.context
    began = str(context.line + 1 if context else line)
    for known, text, advice in _SYNTAX:
        if problem.startswith(known):
            message, hint = text, advice.replace("{line}", began)
    source = _line_of(lines, line)
    indent = len(source) - len(source.lstrip()) if source is not None else 0
    if source is not None and "\t" in source[:indent]:
        (message, hint), column = _TABS, source.index("\t") + 1
    elif problem.startswith("did not find expected key") and (column or 0) > indent + 1:
        message, hint = "unexpected text after the value", "quote the whole value"
    return Problem(Location(file, line, column), message, hint, source)
