"""Templates are sandboxed, strict about undefined names, and checked before any device."""

from __future__ import annotations

import pytest

from engine.errors import InputError, Location
from engine.model import Play, Playbook, Step
from engine.templating import (
    TemplateError,
    check_playbook,
    evaluate,
    reads_hostvars,
    render,
    undeclared_names,
)


def test_plain_strings_are_returned_unchanged() -> None:
    assert render("show ip int br", {}) == "show ip int br"


def test_an_undefined_variable_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(TemplateError, match="undefined variable"):
        render("interface {{ uplink }}", {})


def test_templates_cannot_reach_python_internals() -> None:
    with pytest.raises(TemplateError, match=r"not allowed|undefined"):
        render("{{ ''.__class__.__mro__[1].__subclasses__() }}", {})


def test_conditions_may_be_bare_or_braced() -> None:
    assert evaluate("'up' in x", {"x": "is up"}) is True
    assert evaluate("{{ 'up' in x }}", {"x": "down"}) is False
    assert evaluate(True, {}) is True


def test_undeclared_names_ignore_names_the_template_defines() -> None:
    assert undeclared_names("{% for i in items %}{{ i }}{{ x }}{% endfor %}") == {"items", "x"}


def test_reads_hostvars_detects_cross_host_templates() -> None:
    assert reads_hostvars("{{ hostvars['R2'].intf.output }}")
    assert not reads_hostvars("{{ intf.output }}")


def _book(*steps: Step) -> Playbook:
    here = Location("pb.yml")
    return Playbook("pb.yml", (Play("p", ("all",), steps, here),))


def test_check_reports_a_syntax_error_with_its_key_path() -> None:
    step = Step("s", "send", ("show {{ oops",), Location("pb.yml", path=("steps", 0)))
    with pytest.raises(InputError) as caught:
        check_playbook(_book(step))
    assert caught.value.problems[0].location.path == ("steps", 0, "send")
    assert "syntax error" in caught.value.problems[0].message


def test_check_reports_undefined_names_with_a_suggestion() -> None:
    here = Location("pb.yml", path=("steps", 0))
    first = Step("s", "send", ("show x",), here, register="intf")
    second = Step("t", "send", ("{{ intff.output }}",), Location("pb.yml", path=("steps", 1)))
    with pytest.raises(InputError) as caught:
        check_playbook(_book(first, second), known_names=set())
    problem = caught.value.problems[0]
    assert problem.message == "undefined variable 'intff'"
    assert problem.hint == "did you mean 'intf'?"


def test_registered_names_are_known_only_after_their_step() -> None:
    early = Step("t", "send", ("{{ intf.output }}",), Location("pb.yml", path=("steps", 0)))
    late = Step("s", "send", ("show x",), Location("pb.yml", path=("steps", 1)), register="intf")
    with pytest.raises(InputError):
        check_playbook(_book(early, late), known_names=set())


def test_names_a_template_sets_anywhere_in_itself_are_not_undeclared() -> None:
    assert undeclared_names("{% if true %}{% set x = 1 %}{{ x }}{% endif %}") == set()
    assert undeclared_names("{% if c %}{% set x %}abc{% endset %}{% endif %}{{ x }}") == {"c"}
    looped = "{% for a, b in pairs %}{% if a %}{% set last = b %}{% endif %}{% endfor %}{{ last }}"
    assert undeclared_names(looped) == {"pairs"}
    # a macro's parameter is its own; the same name outside the macro is still read
    assert undeclared_names("{% macro m(uplink) %}{% endmacro %}{{ m(1) }}{{ uplink }}") == {
        "uplink"
    }


def test_a_set_inside_an_if_passes_the_undefined_name_check() -> None:
    template = "show clock{% if true %}{% set x = 1 %}{{ x }}{% endif %}"
    step = Step("s", "send", (template,), Location("pb.yml", path=("steps", 0)))
    check_playbook(_book(step), known_names=())


DEEP = "{{ " + "(" * 200 + "1" + ")" * 200 + " }}"


def test_a_template_nested_too_deeply_is_a_template_error_not_a_crash() -> None:
    for attempt in (lambda: render(DEEP, {}), lambda: undeclared_names(DEEP)):
        with pytest.raises(TemplateError, match="nested too deeply"):
            attempt()
    with pytest.raises(TemplateError, match="nested too deeply"):
        evaluate(DEEP, {})


def test_check_reports_a_template_nested_too_deeply_at_its_key() -> None:
    step = Step("s", "send", (DEEP,), Location("pb.yml", path=("steps", 0)))
    with pytest.raises(InputError) as caught:
        check_playbook(_book(step), known_names=())
    [problem] = caught.value.problems
    assert problem.location.path == ("steps", 0, "send")
    assert "nested too deeply" in problem.message
