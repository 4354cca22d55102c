"""Sandboxed Jinja2: every template is compiled before any device is touched.

One environment for the whole process (sandboxed, StrictUndefined), one cache of compiled
templates keyed by source text. Templates render on the main thread before fan-out, so a
missing variable is reported with its step and location, never from inside a worker.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range

from engine.errors import ExitCode, InputError, KeyPath, Location, NetplayError, Problem
from engine.model import Playbook, Step
from engine.schema import suggest
from engine.source import Document

# Names every template can use without declaring them.
BUILTIN_NAMES = frozenset({"inventory_hostname", "hostvars", "groups", "group_names", "check_mode"})


_BRACES = re.compile(r"^\s*\{\{(.*)\}\}\s*$", re.DOTALL)


class TemplateError(NetplayError):
    """A template failed to compile or render; the message is fit for users."""

    exit_code = ExitCode.INVALID_INPUT


def _regex_search(value: str, pattern: str) -> str | None:
    match = re.search(pattern, value, re.MULTILINE)
    return match.group(0) if match else None


def _regex_findall(value: str, pattern: str) -> list[Any]:
    return re.findall(pattern, value, re.MULTILINE)


# A template renders on the main thread before fan-out, so it must not be able to stall
# the run: loops and repeated sequences get a budget of items per render.
MAX_ITEMS = 1_000_000
_spent = threading.local()


def _budget(items: int) -> None:
    total = getattr(_spent, "items", 0) + items
    if total > MAX_ITEMS:
        raise SecurityError(f"template works through more than {MAX_ITEMS:,} items")
    _spent.items = total


def _range(*args: int) -> range:
    numbers = safe_range(*args)
    _budget(len(numbers))
    return numbers


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, plus limits on `*` and `**` (`'x' * 10**9` would exhaust memory)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > 1000:
            raise SecurityError("exponent too large in a template")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, str | list | tuple) and isinstance(count, int):
                    _budget(len(sequence) * max(count, 0))
        return super().call_binop(context, operator, left, right)


def _make_environment() -> ImmutableSandboxedEnvironment:
    env = _Sandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )
    env.globals["range"] = _range
    env.filters["regex_search"] = _regex_search
    env.filters["regex_findall"] = _regex_findall
    env.tests["search"] = lambda value, pattern: re.search(pattern, value) is not None
    return env


ENVIRONMENT = _make_environment()


def is_template(text: str) -> bool:
    """True when `text` has Jinja2 syntax; plain strings skip the template machinery."""
    return "{{" in text or "{%" in text or "{#" in text


def expression_source(text: str) -> str:
    """An expression may be written bare (`a == 1`) or braced (`{{ a == 1 }}`)."""
    match = _BRACES.match(text)
    return match.group(1) if match else text


@lru_cache(maxsize=4096)
def compile_template(source: str) -> jinja2.Template:
    """Compile a text template, translating Jinja2's errors."""
    try:
        return ENVIRONMENT.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error: {exc.message}") from exc


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> Any:
    """Compile a boolean/value expression such as a `when` condition."""
    try:
        return ENVIRONMENT.compile_expression(expression_source(source), undefined_to_none=False)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"expression syntax error: {exc.message}") from exc


def _parse(source: str, *, expression: bool) -> nodes.Template:
    text = "{{ " + expression_source(source) + " }}" if expression else source
    try:
        return ENVIRONMENT.parse(text)
    except jinja2.TemplateSyntaxError as exc:
        kind = "expression" if expression else "template"
        raise TemplateError(f"{kind} syntax error: {exc.message}") from exc


def undeclared_names(source: str, *, expression: bool = False) -> frozenset[str]:
    """Variables a template reads without defining them itself."""
    if not expression and not is_template(source):
        return frozenset()
    return frozenset(meta.find_undeclared_variables(_parse(source, expression=expression)))


def reads_hostvars(source: str, *, expression: bool = False) -> bool:
    """True when a template reads another host's variables (forces lockstep execution)."""
    return "hostvars" in undeclared_names(source, expression=expression)


def _explain(exc: Exception) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        return f"undefined variable: {exc.message}"
    if isinstance(exc, SecurityError):
        return f"not allowed in a template: {exc}"
    return f"{type(exc).__name__}: {exc}"


def render(source: str, variables: Mapping[str, Any]) -> str:
    """Render a text template; plain strings come back unchanged."""
    if not is_template(source):
        return source
    template = compile_template(source)
    _spent.items = 0
    try:
        return template.render(variables)
    except Exception as exc:  # whatever a template raises is the template's fault
        raise TemplateError(_explain(exc)) from exc


def evaluate(source: str | bool, variables: Mapping[str, Any]) -> Any:
    """Evaluate an expression (e.g. `when`) to a Python value."""
    if isinstance(source, bool):
        return source
    expression = compile_expression(source)
    _spent.items = 0
    try:
        value = expression(variables)
    except Exception as exc:  # whatever a template raises is the template's fault
        raise TemplateError(_explain(exc)) from exc
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
        missing = undeclared_names(source, expression=expression) - scope if scope else set()
    except TemplateError as exc:
        return [_problem(document, file, path, str(exc))]
    return [
        _problem(document, file, path, f"undefined variable '{name}'", suggest(name, scope or ()))
        for name in sorted(missing)
    ]


def _problem(
    document: Document | None, file: str, path: KeyPath, message: str, hint: str | None = None
) -> Problem:
    if document is not None:
        return document.problem(path, message, hint=hint)
    return Problem(Location(file, path=path), message, hint)
