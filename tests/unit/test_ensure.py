"""What `ensure` and `absent` send, worked out from running-config text alone (no device)."""

from __future__ import annotations

import pytest

from engine.ensure import BlockError, check_block, plan

RUNNING = """\
Building configuration...

Current configuration : 812 bytes
!
version 15.2
hostname R1
!
interface Loopback0
 ip address 10.255.0.1 255.255.255.255
!
interface GigabitEthernet0/1
 description uplink
 no switchport
 ip address 172.19.0.1 255.255.255.252
 negotiation auto
!
interface GigabitEthernet0/2
 no switchport
 no ip address
 negotiation auto
!
ip route 0.0.0.0 0.0.0.0 192.168.100.254
!
line vty 0 4
 login local
 transport input ssh
!
ntp server 192.0.2.1
ntp server 192.0.2.2
!
end
"""


def block(text: str) -> list[str]:
    return text.splitlines()


def test_a_new_section_is_sent_whole_in_the_order_given() -> None:
    change = plan(
        RUNNING,
        block("interface Loopback9\n description lab\n ip address 10.9.9.9 255.255.255.255"),
    )
    assert change.commands == (
        "interface Loopback9",
        " description lab",
        " ip address 10.9.9.9 255.255.255.255",
    )
    assert change.diff == (
        "+interface Loopback9\n+ description lab\n+ ip address 10.9.9.9 255.255.255.255"
    )


def test_only_the_missing_line_of_a_section_the_device_has_is_sent_under_its_parent() -> None:
    change = plan(
        RUNNING, block("interface GigabitEthernet0/2\n no switchport\n description to R3")
    )
    assert change.commands == ("interface GigabitEthernet0/2", " description to R3")
    assert change.diff == " interface GigabitEthernet0/2\n+ description to R3"


def test_lines_the_running_config_already_has_send_nothing() -> None:
    wanted = "interface GigabitEthernet0/1\n description uplink\nntp server 192.0.2.2\n"
    change = plan(RUNNING, block(wanted))
    assert (change.commands, change.diff, change.changes) == ((), None, False)


def test_spacing_comments_and_volatile_lines_do_not_count_as_differences() -> None:
    wanted = (
        "!\ninterface   Loopback0\n    ip address  10.255.0.1 255.255.255.255\n!\nhostname R1\n"
    )
    assert plan(RUNNING, block(wanted)).commands == ()


def test_a_line_in_another_section_is_not_taken_for_the_wanted_one() -> None:
    change = plan(RUNNING, block("interface GigabitEthernet0/2\n description uplink"))
    assert change.commands == ("interface GigabitEthernet0/2", " description uplink")


def test_a_section_is_left_before_the_next_line_is_sent() -> None:
    wanted = "interface Loopback0\n description router id\nntp server 192.0.2.3\n"
    assert plan(RUNNING, block(wanted)).commands == (
        "interface Loopback0",
        " description router id",
        "exit",
        "ntp server 192.0.2.3",
    )


def test_a_nested_section_ends_with_the_exit_the_platform_uses() -> None:
    wanted = (
        "router bgp 65000\n address-family ipv4\n  network 10.0.0.0\n"
        " neighbor 192.0.2.9 remote-as 65001\n"
    )
    assert plan(RUNNING, block(wanted)).commands == (
        "router bgp 65000",
        " address-family ipv4",
        "  network 10.0.0.0",
        " exit-address-family",
        " neighbor 192.0.2.9 remote-as 65001",
    )


def test_a_no_line_is_compared_as_the_running_config_shows_it() -> None:
    present = plan(RUNNING, block("interface GigabitEthernet0/2\n no ip address"))
    assert present.commands == ()
    missing = plan(RUNNING, block("interface GigabitEthernet0/1\n no ip address"))
    assert missing.commands == ("interface GigabitEthernet0/1", " no ip address")


def test_absent_removes_lines_that_are_there_and_ignores_the_others() -> None:
    change = plan(
        RUNNING,
        [],
        block("ntp server 192.0.2.2\nntp server 192.0.2.99\nline vty 0 4\n transport input ssh"),
    )
    assert change.commands == ("no ntp server 192.0.2.2", "line vty 0 4", " no transport input ssh")
    assert change.diff == "-ntp server 192.0.2.2\n line vty 0 4\n- transport input ssh"


def test_absent_without_a_value_removes_every_line_it_begins() -> None:
    change = plan(RUNNING, [], ["ntp server", "interface GigabitEthernet0/1", " description"])
    assert change.commands == (
        "no ntp server 192.0.2.1",
        "no ntp server 192.0.2.2",
        "interface GigabitEthernet0/1",
        " no description uplink",
    )


def test_absent_matches_whole_words_only() -> None:
    assert plan(RUNNING, [], ["ntp serv", "interface Loopback"]).commands == ()


def test_what_ensure_lists_stays_whatever_absent_says() -> None:
    change = plan(RUNNING, ["ntp server 192.0.2.2", "ntp server 192.0.2.7"], ["ntp server"])
    assert change.commands == ("no ntp server 192.0.2.1", "ntp server 192.0.2.7")


def test_a_section_given_whole_in_absent_is_removed_with_one_line() -> None:
    assert plan(RUNNING, [], ["interface Loopback0"]).commands == ("no interface Loopback0",)


def test_match_exact_removes_the_children_a_listed_section_does_not_list() -> None:
    change = plan(RUNNING, block("line vty 0 4\n login local"), exact=True)
    assert change.commands == ("line vty 0 4", " no transport input ssh")


def test_match_exact_leaves_unlisted_sections_and_top_level_lines_alone() -> None:
    assert (
        plan(
            RUNNING, block("line vty 0 4\n login local\n transport input ssh"), exact=True
        ).commands
        == ()
    )


def test_match_exact_keeps_no_lines_and_replaces_a_setting_in_place() -> None:
    wanted = (
        "interface GigabitEthernet0/1\n description new uplink\n"
        " ip address 172.19.0.1 255.255.255.252\n"
    )
    change = plan(RUNNING, block(wanted), exact=True)
    # `no switchport` shows a default turned off; the new description replaces the old one
    assert change.commands == (
        "interface GigabitEthernet0/1",
        " no negotiation auto",
        " description new uplink",
    )


def test_without_match_exact_unlisted_children_stay() -> None:
    assert plan(RUNNING, block("line vty 0 4\n login local")).commands == ()


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ([" description x", "interface Loopback9"], "the first line ('description x') is indented"),
        (["interface Loopback9", "\t description x"], "indent with spaces, not tabs"),
        (
            ["interface Loopback9", " description x", "interface Loopback9"],
            "the block has a line twice at the same place: interface Loopback9",
        ),
    ],
    ids=["indented first line", "tab", "twice"],
)
def test_a_block_that_cannot_be_compared_is_explained(lines: list[str], problem: str) -> None:
    assert (check_block(lines) or "").startswith(problem)
    with pytest.raises(
        BlockError, match="^ensure: " + problem.replace("(", r"\(").replace(")", r"\)")
    ):
        plan(RUNNING, lines)


def test_a_well_formed_block_has_no_problem() -> None:
    assert (
        check_block(["interface Loopback9", " description x", "", "ntp server 192.0.2.1"]) is None
    )


def test_an_unknown_platform_is_compared_as_plain_indented_text() -> None:
    change = plan(
        "system\n  host-name r1\n",
        ["system", "  host-name r1", "  time-zone UTC"],
        platform="acme_os",
    )
    assert change.commands == ("system", " time-zone UTC")


def test_junos_set_lines_are_compared_as_set_and_removed_with_delete() -> None:
    running = (
        "set system host-name r1\nset system ntp server 192.0.2.1\nset system ntp server 192.0.2.9"
    )
    change = plan(
        running,
        ["set system ntp server 192.0.2.2"],
        ["set system ntp server"],
        platform="juniper_junos",
    )
    assert change.commands == (
        "delete system ntp server 192.0.2.1",
        "delete system ntp server 192.0.2.9",
        "set system ntp server 192.0.2.2",
    )
