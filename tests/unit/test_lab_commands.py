"""IOS-style command matching over the declarative trees, without SSH."""

from __future__ import annotations

import pytest

from engine.lab import trees
from engine.lab.commands import Arg, Failure, Match, arg, interface_name, kw, parse, tree


def matched(line: str, *, privileged: bool = True) -> Match:
    result = parse(line, trees.EXEC, privileged=privileged)
    assert isinstance(result, Match), result
    return result


def failed(line: str, *, privileged: bool = True) -> Failure:
    result = parse(line, trees.EXEC, privileged=privileged)
    assert isinstance(result, Failure), result
    return result


@pytest.mark.parametrize(
    ("line", "expanded"),
    [
        ("sh ip int br", "show ip interface brief"),
        ("show ip interface brief", "show ip interface brief"),
        ("SH VER", "show version"),
        ("sh run", "show running-config"),
        ("conf t", "configure terminal"),
        ("wr", "write"),
        ("sh int des", "show interfaces description"),
        ("sh cdp nei det", "show cdp neighbors detail"),
        ("sh vl br", "show vlan brief"),
    ],
)
def test_each_word_may_be_a_unique_prefix(line: str, expanded: str) -> None:
    assert matched(line).text == expanded


def test_an_exact_keyword_wins_over_longer_keywords_it_prefixes() -> None:
    root = tree(kw("ip", action="short"), kw("ipv6", action="long"))
    result = parse("ip", root)
    assert isinstance(result, Match)
    assert result.action == "short"


def test_a_prefix_of_two_keywords_is_ambiguous() -> None:
    assert failed("sh in").kind == "ambiguous"  # interfaces, inventory


def test_an_unknown_word_is_invalid_at_its_column() -> None:
    failure = failed("show  ip  foo")
    assert failure.kind == "invalid"
    assert failure.column == len("show  ip  ")


def test_a_word_after_a_complete_command_is_invalid() -> None:
    assert failed("show clock now").column == len("show clock ")


def test_stopping_before_a_command_is_complete_is_incomplete() -> None:
    assert failed("show ip").kind == "incomplete"
    assert failed("show cdp").kind == "incomplete"


def test_privileged_words_are_unknown_at_the_user_prompt() -> None:
    assert failed("show running-config", privileged=False).column == len("show ")
    assert matched("show version", privileged=False).action == "show_version"


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("show interfaces gi0/1", "GigabitEthernet0/1"),
        ("show interfaces Gi 0/1", "GigabitEthernet0/1"),
        ("show interfaces GigabitEthernet1/3", "GigabitEthernet1/3"),
        ("show interfaces lo0", "Loopback0"),
        ("show interfaces vlan 10", "Vlan10"),
    ],
)
def test_interface_names_are_expanded_from_one_or_two_words(line: str, name: str) -> None:
    assert matched(line).args == (name,)


def test_an_unknown_interface_type_is_invalid() -> None:
    assert failed("show interfaces xe0/1").column == len("show interfaces ")


def test_numbers_outside_their_range_are_invalid() -> None:
    assert matched("terminal width 511").action == "terminal"
    assert failed("terminal width 9999").column == len("terminal width ")


def test_a_line_argument_keeps_the_rest_of_the_line_with_its_spacing() -> None:
    root = tree(kw("description", arg(Arg.LINE, action="describe")))
    result = parse("desc  to  core  ", root)
    assert isinstance(result, Match)
    assert result.args == ("to  core",)


def test_failures_at_a_verbatim_node_say_so() -> None:
    result = parse("ip domain-name lab.example", trees.GLOBAL)
    assert isinstance(result, Failure)
    assert result.verbatim


def test_failures_at_an_argument_are_not_verbatim() -> None:
    result = parse("ip route 10.0.0.0 255.0.0.0 nowhere", trees.GLOBAL)
    assert isinstance(result, Failure)
    assert not result.verbatim


def test_interface_name_needs_a_known_type_and_a_number() -> None:
    assert interface_name("po", "1") == "Port-channel1"
    assert interface_name("gi", "") is None
    assert interface_name("x", "1") is None
