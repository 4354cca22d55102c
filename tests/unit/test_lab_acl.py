"""Access lists: their sub-modes, sequence numbers, canonical entries and show commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Console


def test_a_named_extended_list_has_its_own_mode_and_numbers_entries_by_ten(
    console: Console,
) -> None:
    console.send("configure terminal", "ip access-list extended WEB")
    assert console.prompt == "R1(config-ext-nacl)#"
    console.send("permit tcp any host 10.1.1.1 eq 443", "deny ip any any log", "end")
    assert console.send("show access-lists WEB") == (
        "Extended IP access list WEB\n"
        "    10 permit tcp any host 10.1.1.1 eq 443\n"
        "    20 deny ip any any log\n"
    )
    assert (
        "\nip access-list extended WEB\n permit tcp any host 10.1.1.1 eq 443\n" in console.running
    )


def test_entries_are_stored_as_ios_shows_them(console: Console) -> None:
    console.configure(
        "ip access-list extended E",
        "permit tcp 10.1.1.77 0.0.0.255 10.2.2.2 0.0.0.0 eq 80",
        "permit udp any 0.0.0.0 255.255.255.255 eq 53",
        "permit 1 any any",
    )
    assert " permit tcp 10.1.1.0 0.0.0.255 host 10.2.2.2 eq www\n" in console.running
    assert " permit udp any any eq domain\n" in console.running
    assert " permit icmp any any\n" in console.running


def test_a_sequence_number_puts_an_entry_in_its_place_and_no_removes_it(
    console: Console,
) -> None:
    console.configure(
        "ip access-list standard MGMT", "permit 10.0.0.5", "deny any", "15 permit host 10.0.0.7"
    )
    assert console.send("show access-lists MGMT").splitlines()[1:] == [
        "    10 permit 10.0.0.5",
        "    15 permit 10.0.0.7",
        "    20 deny   any",
    ]
    console.configure("ip access-list standard MGMT", "no 15", "no deny any")
    assert console.send("show access-lists MGMT").splitlines()[1:] == ["    10 permit 10.0.0.5"]


def test_an_entry_that_is_already_there_is_not_added_again(console: Console) -> None:
    console.configure("ip access-list standard MGMT", *["permit 10.0.0.5"] * 3)
    assert console.running.count(" permit 10.0.0.5\n") == 1


def test_a_taken_sequence_number_is_refused(console: Console) -> None:
    output = console.configure("ip access-list standard MGMT", "10 permit any", "10 deny any")
    assert output == "% Duplicate sequence number\n"


def test_remarks_show_in_the_configuration_but_not_in_show_access_lists(console: Console) -> None:
    console.configure(
        "ip access-list standard MGMT", "remark operators", "permit 10.0.0.0 0.0.0.255"
    )
    assert " remark operators\n permit 10.0.0.0 0.0.0.255\n" in console.running
    assert console.send("show access-lists") == (
        "Standard IP access list MGMT\n    20 permit 10.0.0.0, wildcard bits 0.0.0.255\n"
    )


def test_numbered_lists_render_as_global_lines_and_any_no_deletes_the_whole_list(
    console: Console,
) -> None:
    console.configure("access-list 10 permit 10.1.1.0 0.0.0.255", "access-list 10 deny any")
    assert (
        "\naccess-list 10 permit 10.1.1.0 0.0.0.255\naccess-list 10 deny   any\n" in console.running
    )
    console.configure("no access-list 10 deny any")
    assert "access-list 10" not in console.running


def test_a_name_used_by_the_other_kind_of_list_is_refused(console: Console) -> None:
    output = console.configure("ip access-list extended WEB", "exit", "ip access-list standard WEB")
    assert output == "% A named extended IP access list with this name already exists\n"


def test_show_access_lists_parses_with_ntc_templates(console: Console) -> None:
    console.configure(
        "ip access-list extended WEB", "permit tcp any host 10.1.1.1 eq 443",
        "access-list 10 permit 10.1.1.0 0.0.0.255",
    )  # fmt: skip
    records = console.parsed("show access-lists")
    assert [(r["name"], r["sn"], r["action"]) for r in records] == [
        ("10", "10", "permit"),
        ("WEB", "10", "permit"),
    ]
