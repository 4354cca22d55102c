"""Sandboxed Jinja2: every template is compiled before any device is touched.

One environment for the whole process (sandboxed, StrictUndefined), one cache of compiled
templates keyed by source text. Templates render on the main thread before fan-out, so a
missing variable is reported with its step and location, never from inside a worker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from engine.errors import InputError, KeyPath, Location, Problem
from engine.model import Playbook, Step
from engine.schema import suggest

# Names every template can use without declaring them.
BUILTIN_NAMES = frozenset(
    {"inventory_hostname", "hostvars", "groups", "group_names", "item", "loop"}
)

_BRACES = re.compile(r"^\s*\{\{(.*)\}\}\s*$", re.DOTALL)


class TemplateError(Exception):
    """A template failed to compile or render; the message is fit for users."""


def _regex_search(value: str, pattern: str) -> str | None:
    match = re.search(pattern, value, re.MULTILINE)
    return match.group(0) if match else None


def _regex_findall(value: str, pattern: str) -> list[Any]:
    return re.findall(pattern, value, re.MULTILINE)


def _make_environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )
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
        return ENVIRONMENT.compile_expression(expression_source(source))
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
    try:
        return template.render(variables)
    except Exception as exc:  # whatever a template raises is the template's fault
        raise TemplateError(_explain(exc)) from exc


def evaluate(source: str | bool, variables: Mapping[str, Any]) -> Any:
    """Evaluate an expression (e.g. `when`) to a Python value."""
    if isinstance(source, bool):
        return source
    expression = compile_expression(source)
    try:
        value = expression(variables)
    except Exception as exc:  # whatever a template raises is the template's fault
        raise TemplateError(_explain(exc)) from exc
    if isinstance(value, jinja2.Undefined):
        raise TemplateError("expression evaluated to an undefined value")
    return value


def render_value(value: Any, variables: Mapping[str, Any]) -> Any:
    """Render templates inside nested vars (strings, lists, mappings), leaving others alone."""
    if isinstance(value, str):
        return render(value, variables)
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

    `known_names` are the variables the inventory and `-e` provide. Registered names count
    from the step that registers them onwards, as they will at run time.
    """
    problems: list[Problem] = []
    scope = set(BUILTIN_NAMES) | set(known_names or ())
    for play in playbook.plays:
        play_scope = scope | set(play.vars)
        problems += _check(playbook, (*play.location.path, "vars"), play.vars, None)
        for step in play.steps:
            step_scope = play_scope | set(step.vars) if known_names is not None else None
            for path, source, expression in _step_templates(step):
                problems += _check_one(playbook, path, source, expression, step_scope)
            if step.register:
                scope.add(step.register)
                play_scope.add(step.register)
    if problems:
        raise InputError(problems)


def _step_templates(step: Step) -> Iterable[tuple[KeyPath, str, bool]]:
    """(key path, source, is-expression) of every template in a step."""
    path = step.path
    if isinstance(step.when, str):
        yield (*path, "when"), step.when, True
    single = len(step.commands) == 1
    for i, command in enumerate(step.commands):
        yield ((*path, step.action) if single else (*path, step.action, i)), command, False
    for key, value in step.vars.items():
        for source in template_strings(value):
            yield (*path, "vars", key), source, False


def _check(
    playbook: Playbook, path: KeyPath, values: Mapping[str, Any], scope: set[str] | None
) -> list[Problem]:
    problems: list[Problem] = []
    for key, value in values.items():
        for source in template_strings(value):
            problems += _check_one(playbook, (*path, key), source, False, scope)
    return problems


def _check_one(
    playbook: Playbook, path: KeyPath, source: str, expression: bool, scope: set[str] | None
) -> list[Problem]:
    try:
        if expression:
            compile_expression(source)
        elif is_template(source):
            compile_template(source)
        missing = undeclared_names(source, expression=expression) - scope if scope else set()
    except TemplateError as exc:
        return [_problem(playbook, path, str(exc))]
    return [
        _problem(playbook, path, f"undefined variable '{name}'", suggest(name, scope or ()))
        for name in sorted(missing)
    ]


def _problem(playbook: Playbook, path: KeyPath, message: str, hint: str | None = None) -> Problem:
    if playbook.document is not None:
        return playbook.document.problem(path, message, hint=hint)
    return Problem(Location(playbook.file, path=path), message, hint)
