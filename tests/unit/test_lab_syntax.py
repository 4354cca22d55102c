"""Command syntax written as one line of text, compiled into a matching tree."""

from __future__ import annotations

import pytest

from engine.lab.commands import Failure, Match, parse, tree
from engine.lab.syntax import compile_syntax, expand


def matches(syntax: str, line: str) -> Match | Failure:
    return parse(line, tree(*compile_syntax(syntax, "done")))


@pytest.mark.parametrize(
    "line",
    ["logging buffered", "logging buffered 8000", "logging buffered informational",
     "logging buffered 8000 debugging", "logging buffered 6"],
)  # fmt: skip
def test_optional_parts_may_be_left_out(line: str) -> None:
    assert isinstance(matches("logging buffered [<4096-2147483647>] [$LEVEL]", line), Match)


def test_a_required_choice_must_be_made() -> None:
    syntax = "switchport mode {access|trunk|dynamic {auto|desirable}}"
    assert matches(syntax, "switchport mode dynamic desirable") == Match(
        "done", ("switchport", "mode", "dynamic", "desirable"), ()
    )
    result = matches(syntax, "switchport mode dynamic")
    assert isinstance(result, Failure) and result.kind == "incomplete"


def test_numbers_are_checked_against_their_range() -> None:
    result = matches("vlan <1-4094>", "vlan 4095")
    assert isinstance(result, Failure) and result.column == len("vlan ")


def test_keywords_ios_prints_in_capitals_match_any_case() -> None:
    result = matches("snmp-server community WORD [RO|RW]", "snmp-server community x rw")
    assert isinstance(result, Match) and result.words[-1] == "RW"


def test_macros_expand_into_their_alternatives() -> None:
    assert expand("logging trap $LEVEL").startswith("logging trap {emergencies|alerts|")


@pytest.mark.parametrize("syntax", ["ip {route|address", "ip route]", "Bogus WORD"])
def test_a_mistake_in_the_syntax_is_found_when_the_tree_is_built(syntax: str) -> None:
    with pytest.raises(ValueError):
        compile_syntax(syntax, "done")


def test_optional_parts_share_the_nodes_that_follow_them() -> None:
    top = compile_syntax("ip address A.B.C.D A.B.C.D [secondary] [tag <1-9>]", "done")
    mask = top[0].children[0].children[0].children[0]
    secondary, tag = (child for child in mask.children if child.keyword)
    assert secondary.children[0] is tag
