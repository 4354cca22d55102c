"""Switch vocabularies as data: abbreviations, arguments written canonically, failures."""

from __future__ import annotations

from engine.lab.switch_grammar import ARGS, Failure, Parsed, Rule, interface_reader, offered, parse

RULES = (
    Rule("show version", "version"),
    Rule("show vlan", "vlan"),
    Rule("shutdown", "shutdown"),
    Rule("ip address <address>", "set", key=2),
    Rule("ip route <network> <ip>", "add", key=None),
    Rule("interface <iface>", "section", key=None),
)
READERS = {**ARGS, "iface": interface_reader((("Ethernet", r"\d+/\d+"), ("loopback", r"\d+")))}


def words(line: str) -> tuple[str, ...]:
    parsed = parse(line, RULES, READERS)
    assert isinstance(parsed, Parsed), parsed
    return parsed.words


def test_keywords_may_be_abbreviated_to_a_unique_prefix() -> None:
    assert words("sho ver") == ("show", "version")


def test_an_abbreviation_of_two_keywords_at_the_same_place_is_ambiguous() -> None:
    assert parse("sh", RULES, READERS) == Failure("ambiguous", 0)
    assert parse("show v", RULES, READERS) == Failure("ambiguous", 1)


def test_a_word_that_fits_nothing_is_invalid_at_its_index() -> None:
    assert parse("show vresion", RULES, READERS) == Failure("invalid", 1)
    assert parse("ip address 10.0.0.300/24", RULES, READERS) == Failure("invalid", 2)


def test_a_line_that_stops_early_is_incomplete() -> None:
    assert parse("ip route", RULES, READERS) == Failure("incomplete", 2)


def test_addresses_are_written_with_a_prefix_length_whatever_the_notation() -> None:
    assert words("ip address 10.1.1.1 255.255.255.0") == ("ip", "address", "10.1.1.1/24")
    assert words("ip route 10.1.1.7 255.255.255.0 10.0.0.1")[2] == "10.1.1.0/24"


def test_interface_names_are_written_in_full_from_either_spelling() -> None:
    assert words("int eth1/3") == ("interface", "Ethernet1/3")
    assert words("interface Loop 7") == ("interface", "loopback7")
    assert parse("interface Ethernet9", RULES, READERS) == Failure("invalid", 1)


def test_a_no_form_may_name_only_the_start_of_a_command() -> None:
    parsed = parse("ip address", RULES, READERS, partial=True)
    assert isinstance(parsed, Parsed) and not parsed.complete
    assert parsed.rule.pattern == "ip address <address>"


def test_help_offers_what_may_come_next() -> None:
    assert offered("show ", RULES) == ["version", "vlan"]
    assert offered("ip ", RULES) == ["address", "route"]
    assert offered("ip address ", RULES) == ["<address>"]
