"""`?` help and Tab completion at a simulated device's prompt."""

from __future__ import annotations

from engine.lab.assist import complete, help_text
from engine.lab.cli import Session
from engine.lab.commands import Choices, Failure, choices
from engine.lab.device import Device, DeviceSpec
from engine.lab.trees import EXEC


def session(*lines: str) -> Session:
    lab = Session(Device(DeviceSpec("R1", "admin", "pw")), "admin")
    for line in lines:
        lab.handle(line)
    return lab


def words(found: Choices | Failure) -> list[str]:
    assert isinstance(found, Choices)
    return [node.keyword or str(node.arg) for node in found.nodes]


def test_choices_after_a_space_are_the_next_words() -> None:
    assert words(choices("show ip ", EXEC)) == [
        "interface", "route", "arp", "ospf", "bgp", "access-lists"
    ]  # fmt: skip


def test_choices_of_a_partial_word_are_its_completions() -> None:
    assert words(choices("sh ip int b", EXEC)) == ["brief"]


def test_a_whole_command_may_end_here() -> None:
    found = choices("show clock ", EXEC)
    assert isinstance(found, Choices) and found.complete


def test_privileged_words_are_hidden_at_the_user_prompt() -> None:
    assert "running-config" not in words(choices("show ", EXEC, privileged=False))


def test_a_bad_word_before_the_question_is_a_failure() -> None:
    assert isinstance(choices("shoe ", EXEC), Failure)


def test_help_lists_words_with_their_help_and_cr() -> None:
    listing = help_text(session(), "show clock ")
    assert listing == "  <cr>\n"
    listing = help_text(session(), "terminal ")
    assert "  length   Set number of lines on a screen\n" in listing


def test_help_on_a_partial_word_lists_completions_on_one_line() -> None:
    assert help_text(session(), "show in") == "inventory  interfaces  \n"


def test_help_on_an_unknown_word_says_so() -> None:
    assert help_text(session(), "xyz") == "% Unrecognized command\n"


def test_help_in_config_mode_lists_that_modes_words() -> None:
    listing = help_text(session("enable", "configure terminal", "interface Loopback1"), "")
    assert "  description" in listing and "  show" not in listing


def test_tab_completes_a_unique_keyword_with_a_space() -> None:
    assert complete(session(), "sh") == "show "
    assert complete(session(), "show cl") == "show clock "


def test_tab_completes_an_interface_type() -> None:
    lab = session("enable", "configure terminal")
    assert complete(lab, "interface Gi") == "interface GigabitEthernet "


def test_tab_leaves_an_ambiguous_or_finished_word_alone() -> None:
    assert complete(session(), "show i") is None
    assert complete(session(), "show ") is None


def test_help_names_every_kind_of_argument() -> None:
    lab = session("enable", "configure terminal")
    assert "VLAN IDs, such as 1,3-5,7\n" in help_text(lab, "vlan ")
    assert "Logging severity level\n" in help_text(lab, "logging trap ")
