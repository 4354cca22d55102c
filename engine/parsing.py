"""Command output turned into records: TextFSM (ntc-templates or a template file) or TTP.

`parse` returns a list of records (dicts); a failure raises `ParseError` naming the parser,
the template and what went wrong. There is never a silent fall back to the raw text.

- TextFSM: zero records is a valid answer, from empty output or not (no CDP neighbours, no
  err-disabled ports); a template that does not fit fails through its own ``Error`` rules,
  as ntc-templates' do. Keys are lower-cased (the ntc-templates convention). Without a
  template, the ntc-templates index picks one by platform and command, abbreviations (``sh
  ip int br``) included; runs of spaces count as one. An index row listing several
  templates is merged as ntc-templates does (on the first template's ``Key`` values).
- Templates from the playbook are data: a TTP template is checked against an allow-list
  (`engine.ttp_guard`) before TTP compiles it, and a TextFSM template file runs its rules
  with RE2 (linear time), so a rule RE2 cannot run is refused. ntc-templates' own templates
  keep Python's `re`: a few of them use look-behind.
- TTP: blank output gives zero records, but non-empty output that gives none is an error:
  TTP skips every line its template does not match, so an empty result is the only sign of
  a template that does not fit. Errors TTP logs while parsing are errors. Keys stay as
  written. A template holding a newline or ``{{`` is inline text, otherwise a path; netplay
  reads the file and TTP is only ever given text (TTP would take any text for a file or
  folder name first, and ``ttp://`` for its template collection, which is refused). A
  one-line text that also names a file or folder is refused: that file was meant.
  Results are flattened: lists are walked; a dict with one key whose value is a dict or a
  list of dicts (one named top-level group) stands for those dicts; any other non-empty
  dict is one record. So ``<group name="interfaces">`` gives one record per match, even
  when TTP returns a lone match as a dict.
- TTP runs Python's backtracking `re` and string methods, so each TTP compile and parse runs
  in a child process (`engine.isolated`, `engine.ttp_worker`) bounded by `TTP_LIMITS`: a
  regex that backtracks for ever or a template that grows its text fails that parse
  ("took longer than 10 s", "ran out of memory"), the child is killed and a new one serves
  the next parse. Records come back as plain data (a value TTP makes an object is text).

Parsing runs on worker threads: each parse borrows a compiled TextFSM template no other
thread is using (compiled copies are cached per file); TTP parses take turns in the one
child process, which keeps the compiled templates. The parsers are imported on first use.
"""

from __future__ import annotations

import io
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from engine.errors import NetplayError
from engine.isolated import Isolated, IsolatedError, Limits
from engine.paths import FileScope, OutsideTree
from engine.regex import PatternError, compile_linear

Kind = Literal["textfsm", "ttp"]
Record = dict[str, Any]
KINDS: tuple[Kind, ...] = get_args(Kind)


class ParseError(NetplayError):
    """Output could not be parsed, or a template is missing or broken."""


@dataclass(frozen=True)
class ParseSpec:
    """How a step's output is parsed (the step's ``parse`` key)."""

    kind: Kind
    # textfsm: a template file (None: ntc-templates by platform and command);
    # ttp: a template file or the template text itself.
    template: str | None = None
    base_dir: Path | None = None  # relative template paths resolve against it
    # The template file, already resolved inside the playbook's tree; without it a
    # relative path must stay inside `base_dir`.
    file: Path | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ParseError(f"unknown parser {self.kind!r}; expected one of {', '.join(KINDS)}")


def parse(spec: ParseSpec, *, platform: str, command: str, output: str) -> list[Record]:
    """The records in one command's output (see the module docstring for the rules)."""
    if spec.kind == "ttp":
        return _parse_ttp(spec, output)
    if spec.template is None:
        return _parse_ntc(platform, command, output)
    return _merge([_file_pool(spec, spec.template)], output)


def is_inline_ttp(template: str) -> bool:
    """A TTP template holding a newline or ``{{`` is the template text, otherwise a path."""
    return "\n" in template or "{{" in template


def check(spec: ParseSpec, *, platform: str | None, command: str | None = None) -> None:
    """Load-time check: the template exists and compiles; in auto mode, that ntc-templates
    has one for the platform (unless None: not known yet) and (unless it is still a
    template) the command."""
    if spec.kind == "ttp":
        _ttp_template(spec)
    elif spec.template is not None:
        _file_pool(spec, spec.template)
    elif platform is None:
        return
    elif command is None or _is_templated(command):
        _require_platform(platform)
    else:
        for name in _ntc_template_names(platform, command):
            _pool(_ntc_dir() / name, name)


def _is_templated(text: str) -> bool:
    return "{{" in text or "{%" in text


def _template_path(spec: ParseSpec, template: str) -> Path:
    if spec.file is not None:
        return spec.file
    base = spec.base_dir or Path.cwd()
    try:
        return FileScope.of(base).resolve(template, base=base, what=f"{spec.kind} template")
    except OutsideTree as exc:
        raise ParseError(str(exc)) from None


def _read_template(kind: str, path: Path, name: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParseError(f"{kind} template {name!r} not found (looked for {path})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParseError(f"{kind} template {name!r} cannot be read: {exc}") from None


# --- TextFSM -----------------------------------------------------------------------------


class _FsmPool:
    """Compiled copies of one TextFSM template; a parse borrows one, so no two threads
    ever share a state machine. Compiling the first copy validates the template."""

    def __init__(self, name: str, text: str, *, linear: bool) -> None:
        self.name = name
        self._text = text
        self._linear = linear
        self._lock = threading.Lock()
        self._idle: list[Any] = [self._compile()]
        self.header: tuple[str, ...] = tuple(self._idle[0].header)
        self.keys = frozenset(self._idle[0].GetValuesByAttrib("Key"))

    def _compile(self) -> Any:
        import textfsm

        try:
            fsm = textfsm.TextFSM(io.StringIO(self._text))
        except textfsm.TextFSMTemplateError as exc:
            raise ParseError(_template_error(self.name, str(exc))) from None
        return _run_linear(fsm, self.name) if self._linear else fsm

    def parse(self, output: str) -> list[Record]:
        import textfsm

        with self._lock:
            fsm = self._idle.pop() if self._idle else None
        if fsm is None:  # every copy is busy: compile one more, kept for later
            fsm = self._compile()
        try:
            fsm.Reset()
            return [dict(zip(self.header, row, strict=True)) for row in fsm.ParseText(output)]
        except textfsm.TextFSMError as exc:
            raise ParseError(f"textfsm template {self.name}: output does not fit: {exc}") from None
        finally:
            with self._lock:
                self._idle.append(fsm)


def _run_linear(fsm: Any, name: str) -> Any:
    """`fsm` matching its rules (and nested List values) with RE2 instead of `re`."""
    rules: dict[int, Any] = {}
    for rule in (rule for state in fsm.states.values() for rule in state):
        try:
            rules[id(rule)] = compile_linear(rule.regex, multiline=False)
        except PatternError as exc:
            raise ParseError(f"textfsm template {name} line {rule.line_num}: {exc}") from None
    for value in fsm.values:
        if getattr(value, "compiled_regex", None) is not None:
            try:
                value.compiled_regex = compile_linear(value.regex, multiline=False)
            except PatternError as exc:
                raise ParseError(f"textfsm template {name}: Value {value.name}: {exc}") from None
    fsm._CheckRule = lambda rule, line: rules[id(rule)].match(line)
    return fsm


_LINE = re.compile(r"\.?\s*Line:?\s*(\d+)\.?\s*$")


def _template_error(name: str, message: str) -> str:
    """textfsm's message, with its trailing ``Line: N.`` moved to the front."""
    found = _LINE.search(message)
    if found is None:
        return f"textfsm template {name}: {message}"
    return f"textfsm template {name} line {found.group(1)}: {message[: found.start()]}"


_pools: dict[tuple[str, str], _FsmPool] = {}
_pools_lock = threading.Lock()


def _pool(path: Path, name: str, *, linear: bool = False) -> _FsmPool:
    """The cached pool of a template file; a template that fails to load is not cached."""
    key = (str(path), name)
    with _pools_lock:
        pool = _pools.get(key)
    if pool is None:
        pool = _FsmPool(name, _read_template("textfsm", path, name), linear=linear)
        with _pools_lock:
            pool = _pools.setdefault(key, pool)
    return pool


def _file_pool(spec: ParseSpec, template: str) -> _FsmPool:
    return _pool(_template_path(spec, template), template, linear=True)


def _merge(pools: Sequence[_FsmPool], output: str) -> list[Record]:
    """Each template's records; later templates add their new columns to the first one's
    rows, as ntc-templates does: matched on its ``Key`` values, else row by row."""
    first, *rest = pools
    header, records = list(first.header), first.parse(output)
    for pool in rest:
        columns = [c for c in pool.header if c not in header]
        header += columns
        others = pool.parse(output)
        for index, record in enumerate(records):
            match = _match(record, index, others, first.keys)
            record.update({c: match[c] if match else "" for c in columns})
    return [{key.lower(): value for key, value in record.items()} for record in records]


def _match(record: Record, index: int, others: list[Record], keys: frozenset[str]) -> Record | None:
    if not keys:
        return others[index] if index < len(others) else None
    return next((o for o in others if all(o.get(k) == record[k] for k in keys)), None)


# --- ntc-templates -----------------------------------------------------------------------


def _ntc_dir() -> Path:
    """ntc-templates' template directory, honouring NTC_TEMPLATES_DIR as ntc-templates does."""
    configured = os.environ.get("NTC_TEMPLATES_DIR")
    if configured:
        return Path(configured)
    import ntc_templates

    return Path(ntc_templates.__file__).parent / "templates"


def _parse_ntc(platform: str, command: str, output: str) -> list[Record]:
    names = _ntc_template_names(platform, command)
    return _merge([_pool(_ntc_dir() / name, name) for name in names], output)


_found: dict[tuple[str, str, str], tuple[str, ...]] = {}
_index_lock = threading.Lock()  # also guards the index table, whose iteration is stateful


def _ntc_template_names(platform: str, command: str) -> tuple[str, ...]:
    """The template files the ntc-templates index gives for a platform and a command."""
    directory, normal = str(_ntc_dir()), " ".join(command.split())
    key = (directory, platform, normal)
    with _index_lock:
        if key not in _found:
            _found[key] = _lookup(_ntc_index(directory), platform, normal)
        names = _found[key]
    if not names:
        _require_platform(platform)
        raise ParseError(
            f"no ntc-templates template for platform {platform} and command {normal!r}"
        )
    return names


def _ntc_index(directory: str) -> Any:
    from textfsm import clitable

    try:
        return clitable.CliTable("index", directory).index
    except (OSError, clitable.Error) as exc:
        raise ParseError(f"ntc-templates index unusable in {directory}: {exc}") from None


def _lookup(index: Any, platform: str, command: str) -> tuple[str, ...]:
    row = index.GetRowMatch({"Platform": platform, "Command": command})
    return tuple(index.index[row]["Template"].split(":")) if row else ()


_platforms: dict[str, frozenset[str]] = {}


def _require_platform(platform: str) -> None:
    directory = str(_ntc_dir())
    with _index_lock:
        if directory not in _platforms:
            rows = _ntc_index(directory).index
            _platforms[directory] = frozenset(row["Platform"] for row in rows)
        known = _platforms[directory]
    if platform not in known:
        raise ParseError(f"ntc-templates has no templates for platform {platform!r}")


# --- TTP ---------------------------------------------------------------------------------

# Every TTP compile and parse runs in a child process (`engine.isolated`, `engine.ttp_worker`),
# which is killed past these bounds: TTP runs Python's backtracking `re` and string methods.
TTP_LIMITS = Limits(seconds=10.0, memory=1 << 30, answer=64 << 20)
_ttp = Isolated("engine.ttp_worker:handle", TTP_LIMITS)
# Templates already checked and compiled, by text or file: (display name, text).
_ttp_templates: dict[tuple[str, str], tuple[str, str]] = {}


def _parse_ttp(spec: ParseSpec, output: str) -> list[Record]:
    if not output.strip():
        return []
    name, text = _ttp_template(spec)
    records = _ttp_call(name, text, output)
    if not records:
        raise ParseError(f"ttp template {name} produced no records from the output")
    return records


def _ttp_template(spec: ParseSpec) -> tuple[str, str]:
    """The display name and text of a TTP template, checked and compiled once. netplay reads
    a template file itself: TTP is only ever given text."""
    template = spec.template
    if template is None:
        raise ParseError("ttp needs a template: a file path or the template text")
    if template.lstrip().startswith("ttp://"):
        message = "TTP's template collection is not read; copy the template into a file"
        raise ParseError(f"ttp template {template.strip()!r}: {message}")
    if is_inline_ttp(template):
        _refuse_file_name(spec, template)
        key, name = ("inline", template), "(inline)"
    else:
        key, name = ("file", str(_template_path(spec, template))), template
    if key not in _ttp_templates:  # two threads may both check it: no harm
        text = template if key[0] == "inline" else _read_template("ttp", Path(key[1]), name)
        _guard_ttp(name, text)
        _ttp_call(name, text, None)
        _ttp_templates[key] = (name, text)
    return _ttp_templates[key]


def _refuse_file_name(spec: ParseSpec, template: str) -> None:
    """A one-line template text that is also the name of a file or folder was surely meant
    as that file, whose name then holds ``{{``: say so rather than parse with the name."""
    if "\n" not in template and os.path.lexists((spec.base_dir or Path.cwd()) / template):
        message = "names a file or folder, but a name holding '{{' is read as template text"
        raise ParseError(f"ttp template {template!r} {message}: rename it")


def _ttp_call(name: str, text: str, output: str | None) -> list[Record]:
    """TTP's records in the child process; without output, only compile the template."""
    try:
        answer = _ttp.call({"template": text, "output": output})
    except IsolatedError as exc:
        what = "compile" if output is None else "parse"
        raise ParseError(f"ttp template {name}: {what} {exc}") from None
    if answer["errors"]:
        raise ParseError(f"ttp template {name}: {answer['errors'][0]}")
    return list(answer["records"])


def _guard_ttp(name: str, text: str) -> None:
    from xml.parsers.expat import ExpatError

    from engine.ttp_guard import UnsafeTemplate, check_ttp

    try:
        check_ttp(text)
    except UnsafeTemplate as exc:
        raise ParseError(f"ttp template {name} {exc}") from None
    except ExpatError as exc:  # read as TTP reads it: wrapped in <template>, a line more
        message = re.sub(r": line \d+, column \d+$", "", str(exc))
        raise ParseError(f"ttp template {name} line {exc.lineno - 1}: {message}") from None
