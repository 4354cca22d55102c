"""Output filters after a pipe: include, exclude, begin, section, count."""

from __future__ import annotations

from engine.lab.commands import Failure, Match
from engine.lab.filters import apply_filter, parse_filter

CONFIG = """hostname R1
!
interface GigabitEthernet0/1
 description uplink
 ip address 10.0.0.1 255.255.255.252
!
interface GigabitEthernet0/2
 no ip address
 shutdown
!
ip route 0.0.0.0 0.0.0.0 10.0.0.2
"""


def filtered(text: str, pipe: str) -> str:
    match = parse_filter(pipe)
    assert isinstance(match, Match), match
    return apply_filter(text, match)


def test_include_keeps_matching_lines_with_an_abbreviated_keyword() -> None:
    assert filtered(CONFIG, " i hostname") == "hostname R1\n"


def test_the_expression_is_the_rest_of_the_line_alternation_included() -> None:
    assert (
        filtered(CONFIG, " include hostname|ip route")
        == "hostname R1\nip route 0.0.0.0 0.0.0.0 10.0.0.2\n"
    )


def test_exclude_drops_matching_lines() -> None:
    assert "!" not in filtered(CONFIG, " exclude !")


def test_begin_starts_at_the_first_match() -> None:
    assert filtered(CONFIG, " begin ^ip route") == "ip route 0.0.0.0 0.0.0.0 10.0.0.2\n"


def test_section_keeps_a_matching_block_with_its_indented_lines() -> None:
    assert filtered(CONFIG, " section GigabitEthernet0/2") == (
        "interface GigabitEthernet0/2\n no ip address\n shutdown\n"
    )


def test_section_shows_the_parent_of_matching_child_lines() -> None:
    assert (
        filtered(CONFIG, " sec description")
        == "interface GigabitEthernet0/1\n description uplink\n"
    )


def test_count_reports_the_number_of_matching_lines() -> None:
    assert filtered(CONFIG, " count interface") == "Number of lines which match regexp = 2\n"


def test_an_invalid_expression_matches_nothing() -> None:
    assert filtered(CONFIG, " include (") == ""


def test_an_unknown_filter_is_invalid_and_a_missing_one_incomplete() -> None:
    unknown, missing = parse_filter(" grep x"), parse_filter(" ")
    assert isinstance(unknown, Failure) and unknown.kind == "invalid"
    assert isinstance(missing, Failure) and missing.kind == "incomplete"
