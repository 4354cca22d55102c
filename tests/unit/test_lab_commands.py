"""IOS-style command matching over the declarative trees, without SSH."""

from __future__ import annotations

import pytest

from engine.lab import trees
from engine.lab.commands import (
    Arg,
    Failure,
    Match,
    Node,
    arg,
    interface_name,
    kw,
    parse,
    tree,
    vlan_set,
    vlan_text,
)


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
    failure = failed("show  ip  xyz")
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


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("show ip intx brief", len("show ip int")),  # `int` still fits `interface`
        ("shw version", len("sh")),
        ("show ip interface brief extra", len("show ip interface brief ")),
    ],
)
def test_the_caret_goes_under_the_first_character_no_keyword_accepts(
    line: str, column: int
) -> None:
    failure = failed(line)
    assert (failure.kind, failure.column) == ("invalid", column)


def test_a_bad_argument_is_marked_at_its_start() -> None:
    assert failed("terminal length lots").column == len("terminal length ")


@pytest.mark.parametrize("line", ["w", "s", "t", "p", "di", "c", "e", "cl", "co"])
def test_short_abbreviations_are_ambiguous_over_the_full_exec_vocabulary(line: str) -> None:
    assert failed(line).kind == "ambiguous"


@pytest.mark.parametrize(
    ("line", "expanded"),
    [("wr", "write"), ("sh clo", "show clock"), ("en", "enable"), ("rel", "reload")],
)
def test_abbreviations_ios_accepts_still_resolve(line: str, expanded: str) -> None:
    assert matched(line).text == expanded


def test_commands_the_lab_knows_only_by_name_are_unfinished() -> None:
    assert failed("traceroute").kind == "incomplete"
    assert failed("traceroute 10.0.0.1").kind == "invalid"


def test_user_mode_sees_fewer_commands_so_fewer_are_ambiguous() -> None:
    assert failed("co", privileged=False).kind == "incomplete"  # only `connect` at `>`
    assert failed("co").kind == "ambiguous"  # configure, connect, copy at `#`


def test_siblings_with_the_same_keyword_are_merged_into_one_node() -> None:
    root = tree(kw("copy", kw("a", action="first")), kw("copy", kw("b", action="second")))
    assert [child.keyword for child in root.children] == ["copy"]
    assert [matched_in(root, line) for line in ("copy a", "cop b")] == ["first", "second"]


def test_two_actions_on_the_same_words_are_a_mistake_in_the_data() -> None:
    with pytest.raises(ValueError, match="copy"):
        tree(kw("copy", action="first"), kw("copy", action="second"))


def matched_in(root: Node, line: str) -> str:
    result = parse(line, root)
    assert isinstance(result, Match), result
    return result.action


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("30,10,20-22,11", "10-11,20-22,30"), ("5", "5"), ("1-3,4", "1-4")],
)
def test_vlan_lists_are_kept_in_compressed_sorted_form(text: str, canonical: str) -> None:
    root = tree(kw("vlan", arg(Arg.VLANS, action="vlans")))
    result = parse(f"vlan {text}", root)
    assert isinstance(result, Match) and result.args == (canonical,)
    assert vlan_text(vlan_set(canonical) or set()) == canonical


def test_numbers_that_ios_names_are_stored_by_name() -> None:
    root = tree(
        kw("eq", arg(Arg.TCP_PORT, action="port")), kw("trap", arg(Arg.LEVEL, action="level"))
    )
    assert [parse(line, root).args for line in ("eq 80", "eq 8080", "trap 4")] == [  # type: ignore[union-attr]
        ("www",),
        ("8080",),
        ("warnings",),
    ]


def test_interface_name_needs_a_known_type_and_a_number() -> None:
    assert interface_name("po", "1") == "Port-channel1"
    assert interface_name("gi", "") is None
    assert interface_name("x", "1") is None
