"""Every render is bounded in time, size and memory: a template that goes over a limit
fails with a message naming the limit, in seconds, without exhausting memory. Each thread
has its own budget, fresh for every render.

Attacks run in a child process with 1 GiB of address space, so a missing guard fails the
test (MemoryError, or the timeout that only guards against a hang) instead of the machine.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import budget
from engine.templating import TemplateError, evaluate, render

ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT = 1024**3
# A list that holds one 900,000-character text 2,000 times: small in memory, huge as text.
SHARED = (
    "{% set ns = namespace(l=[]) %}{% set big = ['y' * 900000] %}"
    "{% for i in range(2000) %}{% set ns.l = ns.l + big %}{% endfor %}"
)
ATTACKS = {
    "string doubling in a namespace": (
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}",
        "would be 1,048,576 long; the limit is 1,000,000",
    ),
    "three nested loops": (
        "{% set l = [0] * 1000 %}{% for a in l %}{% for b in l %}{% for c in l %}"
        "{% endfor %}{% endfor %}{% endfor %}",
        # either bound may come first on a busy machine: both stop it
        ("template works through more than 1,000,000 items", "template ran for more than"),
    ),
    "power tower": ("{{ ((10**1000)**1000)**1000 }}", "number would exceed 100,000 bits"),
    "center": ("{{ 'x' | center(300000000) }}", "centred text would be 300,000,000 long"),
    "percent padding": ("{{ '%0300000000d' % 1 }}", "formatted text would be 300,000,0"),
    "lipsum": ("{{ lipsum(10**6) }}", "lipsum text would be 1,200,000,000 long"),
    "format width": ("{{ '{:>999999999}'.format(1) }}", "formatted text would be"),
    "growing list": (
        "{% set ns = namespace(l=[]) %}{% for i in range(100000) %}"
        "{% set ns.l = ns.l + [i] %}{% endfor %}",
        "template makes more than 25,000,000 characters in all",
    ),
    "block set in a loop": (
        "{% for i in range(100) %}{% set x %}{% for j in range(9999) %}{{ 'y' * 900 }}"
        "{% endfor %}{% endset %}{% endfor %}",
        "template makes more than 25,000,000 characters in all",
    ),
    "join": (
        "{{ (['x' * 900000] * 100) | join }}",
        ("joined text would be 90,000,000 long", "repeated value would be"),
    ),
    "ljust": ("{{ 'x'.ljust(10**9) }}", "result of ljust() would be 1,000,000,000 long"),
    "wordwrap": ("{{ ('x' * 900000) | wordwrap(1) }}", "wrapped text would be"),
    "a list repeated inside a list repeated": (
        "{{ 'x' ~ ([[[1] * 1000] * 1000] * 1000) }}",
        ("repeated value would be", "repeated value would be"),
    ),
    "a list holding one big text many times, joined with ~": (
        SHARED + "{{ 'x' ~ ns.l }}",
        "joined text would be",
    ),
    "a list holding one big text many times, upper-cased": (
        SHARED + "{{ ns.l | upper | length }}",
        "text would be",
    ),
    "a list holding one big text many times, in % formatting": (
        SHARED + "{{ '%s' % (ns.l,) }}",
        "formatted text would be",
    ),
    "a list holding one big text many times, in format()": (
        SHARED + "{{ '{}'.format(ns.l) }}",
        "formatted text would be",
    ),
    "recursion": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "RecursionError"),
    "tojson indent": (
        "{{ {'a': 1} | tojson(indent=300000000) }}",
        "JSON indent would be 300,000,000 long",
    ),
    "tojson indent, nested": (
        "{{ {'a': {'b': {'c': {'d': {'e': 1}}}}} | tojson(indent=300000000) }}",
        "JSON indent would be 300,000,000 long",
    ),
    "tojson indent text": ("{{ [[1]] | tojson(indent=' ' * 900000) }}", "JSON text would be"),
    "pprint of one list held a million times": (
        "{{ ([[[1] * 1000] * 1000] * 1000) | pprint }}",
        ("pretty-printed text would be", "repeated value would be"),
    ),
    "pprint of words hung after a long key": (
        "{{ {'k' * 100000: 'a ' * 400000} | pprint }}",
        "pretty-printed text would be",
    ),
    "output of one list held a million times": (
        "{{ [[[1] * 1000] * 1000] * 1000 }}",
        ("output would be", "repeated value would be"),
    ),
    "string of one list held a million times": (
        "{{ ([[[1] * 1000] * 1000] * 1000) | string | length }}",
        ("text would be", "repeated value would be"),
    ),
    "join of lists held a million times": (
        "{{ [[[[1] * 1000] * 1000] * 1000] | join }}",
        ("joined text would be", "repeated value would be"),
    ),
}
CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from engine.templating import TemplateError, render
try:
    render(sys.stdin.read(), {{}})
except TemplateError as exc:
    print(exc)
"""


@pytest.mark.parametrize("name", ATTACKS)
def test_an_attack_fails_with_the_limit_it_went_over_in_bounded_memory(name: str) -> None:
    template, message = ATTACKS[name]
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(limit=MEMORY_LIMIT)],
        input=template,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    expected = message if isinstance(message, tuple) else (message,)
    assert any(m in done.stdout for m in expected), done.stdout + done.stderr
    assert "MemoryError" not in done.stdout + done.stderr


def test_a_catastrophic_regex_in_a_filter_or_test_answers_at_once() -> None:
    # Python's `re` would backtrack for hours; the child's timeout only guards a hang.
    probe = (
        "from engine.templating import render, evaluate\n"
        "text = {'t': 'a' * 40 + '!'}\n"
        "print(render(\"{{ t | regex_search('^(a+)+$') }}\", text),"
        " evaluate(\"t is search('^(a|aa)+$')\", text),"
        " render(\"{{ t | regex_findall('(a+)+!') }}\", text))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.split() == ["None", "False", str(["a" * 40])], done.stderr


def test_the_line_of_a_multi_line_template_is_named() -> None:
    with pytest.raises(TemplateError, match=r"^template stopped at line 3: centred text"):
        render("interface Gi0/1\n description x\n{{ 'x' | center(10**7) }}\n", {})


def test_the_rendered_output_is_capped() -> None:
    with pytest.raises(TemplateError, match=r"output is over 1,000,000 characters"):
        render("{% for i in range(2) %}{{ 'x' * 600000 }}{% endfor %}", {})


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ 'ab' | center(6) }}", "  ab  "),
        ("{{ 'a\nb' | indent(2) }}", "a\n  b"),
        ("{{ '%05d-%s' | format(42, 'x') }}", "00042-x"),
        ("{{ 'one two three' | wordwrap(7) }}", "one two\nthree"),
        ("{{ ['a', 'b'] | join(',') }}", "a,b"),
        ("{{ [{'n': 1}, {'n': 2}] | join('+', attribute='n') }}", "1+2"),
        ("{{ 'a-b-c' | replace('-', '_', 1) }}", "a_b-c"),
        ("{{ [[1], [2]] | sum(start=[]) }}", "[1, 2]"),
        ("{{ [1, 2, 3] | batch(2, 0) | list }}", "[[1, 2], [3, 0]]"),
        ("{{ '{:>4}|{}'.format(7, 'x') }}", "   7|x"),
        (
            "{{ 2 ** 64 }} {{ 'ab' * 2 }} {{ [1] + [2] }} {{ '%d%%' % 5 }}",
            "18446744073709551616 abab [1, 2] 5%",
        ),
        ("{% for x in 'ab' %}{{ loop.index }}{{ x }}{% endfor %}", "1a2b"),
        ("{{ 'x'.rjust(3, '.') }} {{ '-'.join(['a', 'b']) }}", "..x a-b"),
        ("{{ {'a': [1, 'b']} | tojson(indent=2) }}", '{\n  "a": [\n    1,\n    "b"\n  ]\n}'),
        ("{{ {'a': 1} | tojson }} {{ {'a': (1, 'b')} | pprint }}", "{\"a\": 1} {'a': (1, 'b')}"),
        (
            "{{ [1, 'x'] }} {{ [1, 'x'] | string }} {{ [[1], [2]] | join('+') }}",
            "[1, 'x'] [1, 'x'] [1]+[2]",
        ),
    ],
)
def test_ordinary_templates_render_as_before(template: str, expected: str) -> None:
    assert render(template, {}) == expected


def test_expressions_keep_their_types() -> None:
    assert evaluate("[1, 2] + [3]", {}) == [1, 2, 3]
    assert evaluate("x | select('search', '^G') | list", {"x": ["Gi0", "Fa0"]}) == ["Gi0"]


DOUBLING = (
    "{% set ns = namespace(s='x') %}{% for i in range(40) %}"
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}"
)


def test_a_render_that_runs_out_of_time_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "RENDER_SECONDS", 0.01)
    with pytest.raises(TemplateError, match=r"template ran for more than 0.01 seconds"):
        render("{% for i in range(1000) %}{% for j in range(900) %}{% endfor %}{% endfor %}", {})


def test_the_budget_is_per_render_so_two_large_renders_in_a_row_both_pass() -> None:
    template = "{% for i in range(1000) %}{% for j in range(600) %}{% endfor %}{% endfor %}done"
    assert render(template, {}) == "done"
    assert render(template, {}) == "done"


def test_limits_hold_on_worker_threads_and_each_thread_has_its_own_budget() -> None:
    doubling, message = (DOUBLING, "would be 1,048,576 long")
    fine = "{% for i in range(1000) %}{% for j in range(600) %}{% endfor %}{% endfor %}ok"

    def one(template: str) -> str:
        try:
            return render(template, {})
        except TemplateError as exc:
            return str(exc)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(one, [doubling, fine, fine, doubling]))
    assert message in results[0] and message in results[3]
    assert results[1:3] == ["ok", "ok"]


PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=5)
    ),
    max_leaves=40,
)


@given(PLAIN)
def test_the_size_of_a_values_text_is_never_underestimated(value: object) -> None:
    assert budget.text_size(value) >= max(len(str(value)), len(repr(value)))


def test_the_size_of_a_values_text_is_counted_only_as_far_as_the_limit() -> None:
    shared = [[[1] * 1000] * 1000] * 1000  # a billion numbers, three lists
    assert budget.MAX_CHARS < budget.text_size(shared) < 2 * budget.MAX_CHARS
