"""Sandboxed Jinja2: every template is compiled before any device is touched.

One environment for the whole process (sandboxed, StrictUndefined), one cache of compiled
templates keyed by source text. Templates render on the main thread before fan-out, so a
missing variable is reported with its step and location, never from inside a worker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.exceptions import SecurityError

from engine.budget import MAX_CHARS, LimitExceeded, start_render
from engine.errors import ExitCode, InputError, KeyPath, Location, NetplayError, Problem
from engine.model import Playbook, Step
from engine.regex import PatternError, check, compile_linear
from engine.sandbox import Sandbox, bound
from engine.schema import suggest
from engine.source import Document

# Names every template can use without declaring them.
BUILTIN_NAMES = frozenset({"inventory_hostname", "hostvars", "groups", "group_names", "check_mode"})


_BRACES = re.compile(r"^\s*\{\{(.*)\}\}\s*$", re.DOTALL)


class TemplateError(NetplayError):
    """A template failed to compile or render; the message is fit for users."""

    exit_code = ExitCode.INVALID_INPUT


def _regex_search(value: str, pattern: str) -> str | None:
    match = compile_linear(pattern).search(value)
    return match.group(0) if match else None


def _regex_findall(value: str, pattern: str) -> list[Any]:
    return list(compile_linear(pattern).findall(value))


def _search(value: str, pattern: str) -> bool:
    return compile_linear(pattern, multiline=False).search(value) is not None


def _make_environment() -> Sandbox:
    env = Sandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )
    env.filters["regex_search"] = _regex_search
    env.filters["regex_findall"] = _regex_findall
    env.tests["search"] = _search
    return bound(env)


ENVIRONMENT = _make_environment()


def is_template(text: str) -> bool:
    """True when `text` has Jinja2 syntax; plain strings skip the template machinery."""
    return "{{" in text or "{%" in text or "{#" in text


def expression_source(text: str) -> str:
    """An expression may be written bare (`a == 1`) or braced (`{{ a == 1 }}`)."""
    match = _BRACES.match(text)
    return match.group(1) if match else text


@contextmanager
def _compiling(kind: str) -> Iterator[None]:
    """Jinja2's errors while compiling a template or expression, as TemplateErrors. Its
    parser recurses once per nesting level: 80 parentheses exhaust Python's stack."""
    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{kind} syntax error: {exc.message}") from exc
    except RecursionError:
        raise TemplateError(f"{kind} syntax error: nested too deeply") from None


@lru_cache(maxsize=4096)
def compile_template(source: str) -> jinja2.Template:
    """Compile a text template, translating Jinja2's errors."""
    with _compiling("template"):
        return ENVIRONMENT.from_string(source)


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> Any:
    """Compile a boolean/value expression such as a `when` condition."""
    with _compiling("expression"):
        return ENVIRONMENT.compile_expression(expression_source(source), undefined_to_none=False)


def _parse(source: str, *, expression: bool) -> nodes.Template:
    text = "{{ " + expression_source(source) + " }}" if expression else source
    with _compiling("expression" if expression else "template"):
        return ENVIRONMENT.parse(text)


def undeclared_names(source: str, *, expression: bool = False) -> frozenset[str]:
    """Variables a template reads without defining them itself.

    A name the template sets anywhere (`set`, a `for` target, a macro) counts as its own:
    Jinja2's analysis would report one set inside an `if` as read from outside."""
    if not expression and not is_template(source):
        return frozenset()
    tree = _parse(source, expression=expression)
    with _compiling("expression" if expression else "template"):  # walks the tree: recursive
        own = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "store"}
        own |= {m.name for m in tree.find_all(nodes.Macro)}
        return frozenset(meta.find_undeclared_variables(tree)) - own


def reads_hostvars(source: str, *, expression: bool = False) -> bool:
    """True when a template reads another host's variables (forces lockstep execution)."""
    return "hostvars" in undeclared_names(source, expression=expression)


def _explain(exc: Exception, source: str) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        return f"undefined variable: {exc.message}"
    if isinstance(exc, LimitExceeded):
        return f"template stopped{_line(exc, source)}: {exc}"
    if isinstance(exc, SecurityError):
        return f"not allowed in a template: {exc}"
    if isinstance(exc, MemoryError | RecursionError):
        return f"template stopped{_line(exc, source)}: {type(exc).__name__}"
    if isinstance(exc, PatternError):
        return f"bad regular expression: {exc}"
    return f"{type(exc).__name__}: {exc}"


def _line(exc: Exception, source: str) -> str:
    """` at line N` of a template of several lines, from Jinja2's rewritten traceback."""
    if "\n" not in source.strip():
        return ""
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return f" at line {line}" if line else ""


def render(source: str, variables: Mapping[str, Any]) -> str:
    """Render a text template; plain strings come back unchanged."""
    if not is_template(source):
        return source
    template = compile_template(source)
    start_render()
    try:
        text = template.render(variables)
    except Exception as exc:  # whatever a template raises is the template's fault
        raise TemplateError(_explain(exc, source)) from exc
    if len(text) > MAX_CHARS:
        raise TemplateError(f"template stopped: output is over {MAX_CHARS:,} characters")
    return text


def evaluate(source: str | bool, variables: Mapping[str, Any]) -> Any:
    """Evaluate an expression (e.g. `when`) to a Python value."""
    if isinstance(source, bool):
        return source
    expression = compile_expression(source)
    start_render()
    try:
        value = expression(variables)
    except Exception as exc:  # whatever a template raises is the template's fault
        raise TemplateError(_explain(exc, source)) from exc
    if isinstance(value, jinja2.Undefined):
        raise TemplateError(f"undefined variable: {getattr(value, '_undefined_message', value)}")
    return value


def _single_expression(text: str) -> str | None:
    """`"{{ expr }}"` and nothing else → `expr`, so its value keeps its type."""
    match = _BRACES.match(text)
    if match is None or "{{" in match.group(1) or "}}" in match.group(1):
        return None
    return match.group(1)


def render_value(value: Any, variables: Mapping[str, Any]) -> Any:
    """Render templates inside nested vars (strings, lists, mappings), leaving others alone.

    A string that is one expression (`"{{ ports | select('up') | list }}"`) keeps the
    expression's type — a list stays a list — like Ansible's variables do.
    """
    if isinstance(value, str):
        expression = _single_expression(value)
        return evaluate(expression, variables) if expression else render(value, variables)
    if isinstance(value, list):
        return [render_value(item, variables) for item in value]
    if isinstance(value, Mapping):
        return {key: render_value(item, variables) for key, item in value.items()}
    return value


def template_strings(value: Any) -> Iterable[str]:
    """Every string inside a nested value, for compile-time checks."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from template_strings(item)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from template_strings(item)


def check_playbook(playbook: Playbook, known_names: Iterable[str] | None = None) -> None:
    """Compile every template of a playbook; with `known_names`, also reject undefined names.

    `known_names` are the variables the inventory and `-e` provide. Registered and `set`
    names count from the step that defines them onwards, as they will at run time.
    """
    problems: list[Problem] = []
    scope = set(BUILTIN_NAMES) | set(known_names or ())
    check_names = known_names is not None
    for play in playbook.plays:
        scope |= set(play.vars)
        for key, value in play.vars.items():
            for source in template_strings(value):
                path = (*play.location.path, "vars", key)
                problems += _check_one(playbook.document, playbook.file, path, source, False, None)
        for step in play.steps:
            local = scope | set(step.vars) | {"result"}
            if step.loop is not None:
                local.add(step.loop_var)
            if step.register:
                local.add(step.register)
            problems += _check_patterns(step, playbook.file)
            for path, source, expression in step_templates(step):
                names = local if check_names else None
                problems += _check_one(
                    step.document, playbook.file, path, source, expression, names
                )
            scope |= {step.register} if step.register else set()
            scope |= set(step.values) if step.action == "set" else set()
    if problems:
        raise InputError(problems)


def step_templates(step: Step) -> Iterable[tuple[KeyPath, str, bool]]:
    """(key path, source, is-expression) of every template in a step."""
    path = step.path
    yield from _listed((*path, "when"), step.when, expression=True)
    yield from _listed((*path, step.key), step.commands, expression=False)
    yield from _listed((*path, "absent"), step.absent, expression=False)
    yield from _listed((*path, "failed_when"), step.failed_when, expression=True)
    yield from _listed((*path, "changed_when"), step.changed_when, expression=True)
    if step.until:
        yield (*path, "until"), step.until, True
    if isinstance(step.loop, str):
        yield (*path, "loop"), step.loop, True
    elif step.loop is not None:
        for i, item in enumerate(step.loop):
            yield from ((((*path, "loop", i)), s, False) for s in template_strings(item))
    if step.save_to:
        yield (*path, "save_to"), step.save_to, False
    for key, value in step.vars.items():
        yield from (((*path, "vars", key), s, False) for s in template_strings(value))
    if step.action == "set":
        for key, value in step.values.items():
            yield from (((*path, "set", key), s, False) for s in template_strings(value))
    if step.action == "assert":
        yield from _listed((*path, "assert", "that"), step.values["that"], expression=True)
        for key in ("fail_msg", "success_msg"):
            if step.values.get(key):
                yield (*path, "assert", key), step.values[key], False


def _listed(
    path: KeyPath, items: Sequence[str | bool], *, expression: bool
) -> Iterable[tuple[KeyPath, str, bool]]:
    single = len(items) == 1
    for i, item in enumerate(items):
        if isinstance(item, str):
            yield (path if single else (*path, i)), item, expression


def _check_one(
    document: Document | None,
    file: str,
    path: KeyPath,
    source: str,
    expression: bool,
    scope: set[str] | None,
) -> list[Problem]:
    try:
        if expression:
            compile_expression(source)
        elif is_template(source):
            compile_template(source)
        _check_literal_patterns(source, expression)
        missing = undeclared_names(source, expression=expression) - scope if scope else set()
    except TemplateError as exc:
        return [_problem(document, file, path, str(exc))]
    return [
        _problem(document, file, path, f"undefined variable '{name}'", suggest(name, scope or ()))
        for name in sorted(missing)
    ]


_REGEX_FILTERS = frozenset({"regex_search", "regex_findall"})


def _check_literal_patterns(source: str, expression: bool) -> None:
    """A regex written literally in a template (`regex_search('...')`) must run on RE2."""
    if not expression and not is_template(source):
        return
    tree = _parse(source, expression=expression)
    calls = [*tree.find_all(nodes.Filter), *tree.find_all(nodes.Test)]
    for call in calls:
        regex = (
            call.name in _REGEX_FILTERS if isinstance(call, nodes.Filter) else call.name == "search"
        )
        if regex and call.args and isinstance(call.args[0], nodes.Const):
            try:
                check(str(call.args[0].value))
            except PatternError as exc:
                raise TemplateError(f"{call.name}: {exc}") from None


def step_patterns(step: Step) -> Iterable[tuple[KeyPath, str]]:
    """(key path, regex) of every regular expression a step matches device output with."""
    for i, pattern in enumerate(step.error_patterns):
        yield (*step.path, "error_patterns", i), pattern
    if step.expect:
        yield (*step.path, "expect"), step.expect
    for question in step.answers:
        yield (*step.path, "answers", question), question


def _check_patterns(step: Step, file: str) -> list[Problem]:
    problems = []
    for path, pattern in step_patterns(step):
        try:
            check(pattern)
        except PatternError as exc:
            problems.append(_problem(step.document, file, path, str(exc)))
    return problems


def _problem(
    document: Document | None, file: str, path: KeyPath, message: str, hint: str | None = None
) -> Problem:
    if document is not None:
        return document.problem(path, message, hint=hint)
    return Problem(Location(file, path=path), message, hint)
