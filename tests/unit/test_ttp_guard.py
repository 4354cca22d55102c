"""TTP templates are data: anything in them that TTP would execute, import, read or write
is refused, with its line, before TTP compiles the template."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.parsing import ParseError, ParseSpec, check
from engine.ttp_guard import UnsafeTemplate, check_ttp

BRIEF = (
    '<group name="interfaces">\n'
    '{{ interface | _start_ }} {{ ip | IP }} {{ ok | exclude("OK?") }} {{ method }} '
    "{{ status | ORPHRASE | lower }} {{ protocol | re('[a-z]+') }}\n"
    "</group>\n"
)


def refusal(text: str) -> UnsafeTemplate:
    with pytest.raises(UnsafeTemplate) as caught:
        check_ttp(text)
    return caught.value


def test_a_template_of_groups_match_variables_vars_and_doc_is_accepted() -> None:
    check_ttp(BRIEF)
    check_ttp("{{ name }} uptime is {{ uptime | ORPHRASE }}")
    check_ttp(
        '<vars load="yaml">\nhostname: gethostname\n</vars>\n<doc>what it parses</doc>\n'
        '<group name="vlans" method="table" contains="vlan">\n'
        "{{ vlan | to_int }} {{ name | replace('-', '_') | set(hostname) }}\n</group>\n"
    )


def test_a_macro_that_would_create_a_file_does_nothing_and_is_reported(tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    template = (
        f"<macro>\nimport os\nopen({str(marker)!r}, 'w')\ndef m(data): return data\n</macro>\n"
        '{{ version | macro("m") }}\n'
    )
    spec = ParseSpec("ttp", template)
    with pytest.raises(ParseError, match=r"^ttp template \(inline\) line 1: <macro> runs Python"):
        check(spec, platform="cisco_ios")
    assert not marker.exists()


CODE_IN_ARGUMENTS = {
    "match function": "{{ x | contains(__import__('os').system('touch MARKER')) }}",
    "variable name": "{{ ignore(open('MARKER', 'w')) }}",
    "group attribute": "<group contains=\"__import__('os').getcwd()\">\n{{ x }}\n</group>",
    "attribute access": "{{ x | contains(sys.modules) }}",
    "a name TTP resolves to a module": "{{ x | contains(sys) }}",
    "keyword splat": "{{ x | contains(**{'a': 1}) }}",
}


@pytest.mark.parametrize("text", CODE_IN_ARGUMENTS.values(), ids=CODE_IN_ARGUMENTS)
def test_function_arguments_must_be_plain_values(text: str, tmp_path: Path) -> None:
    assert "must be plain values" in refusal(text).message


REFUSED = {
    "macro function": ('{{ x | macro("m") }}', 1, "function 'macro' runs Python code"),
    "lookup": ("<lookup name='l'>a = 1</lookup>", 1, "<lookup> reads lookup tables"),
    "input": ("<input load='text'>x</input>", 1, "<input> reads files or runs Python"),
    "output": ("<output returner='file' url='/tmp/'/>", 1, "<output> writes files"),
    "extend": ("<extend template='/etc/passwd'/>", 1, "<extend> reads other template files"),
    "python vars": ("\n<vars>a = 1</vars>", 2, "loaded as 'python' runs code"),
    "vars include": ('<vars load="yaml" include="/etc/x"/>', 1, "'include' of <vars> reads"),
    "chain": ("<group chain='c'>\n{{ x }}\n</group>", 1, "'chain' of <group> runs functions"),
    "dns": ("\n\n{{ x | dns }}", 3, "function 'dns' makes network queries"),
    "print": ("{{ x | print }}", 1, "function 'print' writes to the terminal"),
    "string method": ("{{ x | center(999999999) }}", 1, "'center' is not a TTP function"),
    "dunder": ("{{ x | __class__ }}", 1, "'__class__' is not a TTP function"),
    "nested template": (
        "<template>\n<template name='t'>x</template>\n</template>",
        2,
        "nested templates",
    ),
    "group validate": ("<group validate='s'>\n{{ x }}\n</group>", 1, "'validate' of <group>"),
    "doctype": (
        '<!DOCTYPE t [<!ENTITY a "aaaa">]>\n<template>&a;</template>',
        1,
        "document types",
    ),
    "nested repetition": ("{{ x | re('(a+)+$') }}", 1, "can take exponential time"),
    "sformat width": ("{{ x | sformat('{:>999999999}') }}", 1, "plain '{}' fields"),
    "entity-hidden code": ("&#123;&#123; x | contains(open('M')) }}", 1, "must be plain values"),
    # TTP's `eval` of these fails, and TTP answers with SystemExit
    "repeated keyword": ("{{ x | contains(a=1, a=2) }}", 1, "keyword argument repeated: a"),
    "keyword that cannot be assigned": ("{{ x | set(__debug__=1) }}", 1, "cannot assign"),
    "group repeated keyword": ("<group contains='a=1, a=2'>\n{{ x }}\n</group>", 1, "repeated"),
}


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED)
def test_what_ttp_would_execute_read_or_write_is_refused_with_its_line(
    case: tuple[str, int, str],
) -> None:
    text, line, message = case
    caught = refusal(text)
    assert caught.line == line
    assert message in caught.message


def test_a_regex_argument_named_in_vars_is_checked_too() -> None:
    text = '<vars load="yaml">\nbad: "(a|aa)*$"\n</vars>\n{{ x | re("bad") }}\n'
    assert "exponential time" in refusal(text).message


def test_a_file_template_reports_the_line_in_its_own_file(tmp_path: Path) -> None:
    (tmp_path / "t.ttp").write_text("<doc>x</doc>\n\n<macro>\ndef m(d): return d\n</macro>\n")
    with pytest.raises(ParseError, match=r"^ttp template t.ttp line 3: <macro> runs Python"):
        check(ParseSpec("ttp", "t.ttp", tmp_path), platform="cisco_ios")
