"""Command output becomes records, or a clear ParseError; never silently the raw text."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from unittest.mock import ANY

import pytest

from engine import parsing
from engine.isolated import Isolated
from engine.parsing import ParseError, ParseSpec, check, parse

TEMPLATES = Path(__file__).resolve().parents[2] / "playbooks"

IP_BRIEF = """\
Interface              IP-Address      OK? Method Status                Protocol
GigabitEthernet0/0     192.168.100.1   YES NVRAM  up                    up
GigabitEthernet0/1     172.19.149.41   YES NVRAM  up                    up
GigabitEthernet0/3     unassigned      YES unset  administratively down down
Loopback0              10.255.176.1    YES NVRAM  up                    up
"""

VERSION = """\
Cisco IOS Software, IOSv Software (VIOS-ADVENTERPRISEK9-M), Version 15.9(3)M4, RELEASE SOFTWARE \
(fc3)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2021 by Cisco Systems, Inc.
Compiled Thu 28-Oct-21 11:07 by prod_rel_team


ROM: Bootstrap program is IOSv

R1 uptime is 1 week, 2 days, 3 hours, 4 minutes
System returned to ROM by reload
System image file is "flash0:/vios-adventerprisek9-m"
Last reload reason: Unknown reason

Cisco IOSv (revision 1.0) with  with 460017K/62464K bytes of memory.
Processor board ID 9KIBQAQ3OPE1MSMGGK6DF
4 Gigabit Ethernet interfaces
256K bytes of non-volatile configuration memory.

Configuration register is 0x2102
"""

CDP_HEAD = """\
Capability Codes: R - Router, T - Trans Bridge, B - Source Route Bridge
                  S - Switch, H - Host, I - IGMP, r - Repeater, P - Phone,
                  D - Remote, C - CVTA, M - Two-port Mac Relay

Device ID        Local Intrfce     Holdtme    Capability  Platform  Port ID
"""
CDP = (
    CDP_HEAD
    + """\
SW1              Gig 0/1           157              S I   WS-C2960X Gig 1/0/24
R2               Gig 0/2           171             R B    IOSv      Gig 0/2

Total cdp entries displayed : 2
"""
)

TTP_BRIEF = (
    '<group name="interfaces">\n'
    '{{ interface | _start_ }} {{ ip }} {{ ok | exclude("OK?") }} {{ method }} '
    "{{ status | ORPHRASE }} {{ protocol }}\n"
    "</group>\n"
)

AUTO = ParseSpec("textfsm")


def ios(command: str, output: str, spec: ParseSpec = AUTO) -> list[dict[str, object]]:
    return parse(spec, platform="cisco_ios", command=command, output=output)


# --- TextFSM through ntc-templates -------------------------------------------------------


def test_ip_interface_brief_gives_one_record_per_interface_with_lower_case_keys() -> None:
    records = ios("show ip interface brief", IP_BRIEF)
    assert [r["interface"] for r in records] == [
        "GigabitEthernet0/0",
        "GigabitEthernet0/1",
        "GigabitEthernet0/3",
        "Loopback0",
    ]
    assert records[2] == {
        "interface": "GigabitEthernet0/3",
        "ip_address": "unassigned",
        "status": "administratively down",
        "proto": "down",
    }


def test_abbreviated_and_oddly_spaced_commands_find_the_same_template() -> None:
    full = ios("show ip interface brief", IP_BRIEF)
    assert ios("sh ip int br", IP_BRIEF) == full
    assert ios("  show  ip   interface brief ", IP_BRIEF) == full


def test_show_version_gives_hostname_version_and_uptime() -> None:
    [record] = ios("show version", VERSION)
    assert record["hostname"] == "R1"
    assert record["version"] == "15.9(3)M4"
    assert record["uptime"] == "1 week, 2 days, 3 hours, 4 minutes"
    assert record["serial"] == ["9KIBQAQ3OPE1MSMGGK6DF"]


def test_cdp_neighbors_give_one_record_per_neighbor() -> None:
    records = ios("sh cdp neig", CDP)
    assert [(r["neighbor_name"], r["local_interface"]) for r in records] == [
        ("SW1", "Gig 0/1"),
        ("R2", "Gig 0/2"),
    ]


def test_a_table_with_no_entries_is_zero_records_not_an_error() -> None:
    assert ios("show cdp neighbors", CDP_HEAD + "\nTotal cdp entries displayed : 0\n") == []
    assert ios("show ip interface brief", "") == []


def test_unknown_command_names_the_platform_and_the_command() -> None:
    with pytest.raises(ParseError) as caught:
        ios("show  foo", "anything")
    assert str(caught.value) == (
        "no ntc-templates template for platform cisco_ios and command 'show foo'"
    )


def test_unknown_platform_is_named_in_the_error() -> None:
    with pytest.raises(ParseError, match="no templates for platform 'acme_os'"):
        parse(AUTO, platform="acme_os", command="show version", output=VERSION)


def test_output_the_template_rejects_is_an_error_not_the_raw_text() -> None:
    with pytest.raises(ParseError) as caught:
        ios("show interfaces status", IP_BRIEF)
    message = str(caught.value)
    assert message.startswith("textfsm template cisco_ios_show_interfaces_status.textfsm:")
    assert "Interface              IP-Address" in message


def test_templates_listed_together_in_an_index_are_merged_on_their_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "index").write_text(
        "Template, Hostname, Platform, Command\n\n"
        "acme_ports.textfsm:acme_ports_speed.textfsm, .*, acme_os, sh[[ow]] po[[rts]]\n"
    )
    (tmp_path / "acme_ports.textfsm").write_text(
        "Value Key PORT (p\\d+)\nValue STATE (up|down)\n\nStart\n  ^${PORT} ${STATE} -> Record\n"
    )
    (tmp_path / "acme_ports_speed.textfsm").write_text(
        "Value Key PORT (p\\d+)\nValue SPEED (\\d+G)\n\n"
        "Start\n  ^${PORT} speed ${SPEED} -> Record\n"
    )
    monkeypatch.setenv("NTC_TEMPLATES_DIR", str(tmp_path))
    output = "p1 up\np2 down\np2 speed 10G\n"
    records = parse(AUTO, platform="acme_os", command="sh po", output=output)
    assert records == [
        {"port": "p1", "state": "up", "speed": ""},
        {"port": "p2", "state": "down", "speed": "10G"},
    ]


# --- TextFSM template files --------------------------------------------------------------


def test_a_template_file_resolves_against_the_playbook_directory() -> None:
    spec = ParseSpec("textfsm", "templates/show_interfaces_errors.textfsm", TEMPLATES)
    output = (
        "GigabitEthernet0/1 is up, line protocol is up (connected) \n"
        "  Description: uplink\n"
        "     3 input errors, 2 CRC, 0 frame, 0 overrun, 0 ignored\n"
        "     0 output errors, 0 collisions, 1 interface resets\n"
        "Loopback0 is up, line protocol is up \n"
        "     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored\n"
        "     0 output errors, 0 interface resets\n"
    )
    assert ios("show interfaces", output, spec) == [
        {
            "interface": "GigabitEthernet0/1",
            "link_status": "up",
            "protocol_status": "up",
            "description": "uplink",
            "input_errors": "3",
            "crc": "2",
            "output_errors": "0",
            "interface_resets": "1",
        },
        {
            "interface": "Loopback0",
            "link_status": "up",
            "protocol_status": "up",
            "description": "",
            "input_errors": "0",
            "crc": "0",
            "output_errors": "0",
            "interface_resets": "0",
        },
    ]


def test_a_broken_template_names_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad.textfsm").write_text("Value A (\\S+)\n\nStart\n  ^${B} -> Record\n")
    spec = ParseSpec("textfsm", "bad.textfsm", tmp_path)
    with pytest.raises(ParseError, match=r"^textfsm template bad.textfsm line 4: .*\$\{B\}"):
        ios("show anything", "x\n", spec)
    with pytest.raises(ParseError, match="line 4"):
        check(spec, platform="cisco_ios")


def test_a_playbook_template_rule_re2_cannot_run_is_refused_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "look.textfsm").write_text(
        "Value PORT (\\S+)\n\nStart\n  ^${PORT} is (?!down) -> Record\n"
    )
    spec = ParseSpec("textfsm", "look.textfsm", tmp_path)
    with pytest.raises(ParseError, match=r"^textfsm template look.textfsm line 4: .*look-ahead"):
        check(spec, platform="cisco_ios")


def test_a_catastrophic_rule_in_a_playbook_template_matches_in_linear_time(
    tmp_path: Path,
) -> None:
    # On Python's `re` this rule takes hours on the line below; the timeout guards a hang.
    (tmp_path / "slow.textfsm").write_text("Value A ((a+)+)\n\nStart\n  ^${A}$$ -> Record\n")
    probe = (
        "from pathlib import Path\n"
        "from engine.parsing import ParseSpec, parse\n"
        f"spec = ParseSpec('textfsm', 'slow.textfsm', Path({str(tmp_path)!r}))\n"
        "print(parse(spec, platform='cisco_ios', command='x', output='a' * 40 + '!\\naaa\\n'))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[{'a': 'aaa'}]", done.stderr


@pytest.mark.parametrize("name", ["../outside.textfsm", "/etc/passwd"])
def test_a_template_path_outside_the_base_folder_is_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / "outside.textfsm").write_text("Value A (x)\n\nStart\n  ^${A} -> Record\n")
    (tmp_path / "book").mkdir()
    spec = ParseSpec("textfsm", name, tmp_path / "book")
    with pytest.raises(ParseError, match="leads outside"):
        check(spec, platform="cisco_ios")


def test_a_missing_template_file_is_an_error(tmp_path: Path) -> None:
    spec = ParseSpec("textfsm", "nowhere.textfsm", tmp_path)
    with pytest.raises(ParseError, match=r"textfsm template 'nowhere\.textfsm' not found"):
        ios("show version", VERSION, spec)


def test_unknown_parser_kind_is_rejected() -> None:
    with pytest.raises(ParseError, match="unknown parser 'json'"):
        ParseSpec("json")  # type: ignore[arg-type]


# --- TTP ---------------------------------------------------------------------------------


def test_ttp_inline_template_gives_one_record_per_match() -> None:
    records = ios("show ip interface brief", IP_BRIEF, ParseSpec("ttp", TTP_BRIEF))
    assert [r["interface"] for r in records] == [
        "GigabitEthernet0/0",
        "GigabitEthernet0/1",
        "GigabitEthernet0/3",
        "Loopback0",
    ]
    assert records[2]["status"] == "administratively down"


def test_ttp_template_file_from_the_playbook_templates_matches_the_inline_one() -> None:
    spec = ParseSpec("ttp", "templates/show_ip_interface_brief.ttp", TEMPLATES)
    inline = ios("show ip interface brief", IP_BRIEF, ParseSpec("ttp", TTP_BRIEF))
    assert ios("show ip interface brief", IP_BRIEF, spec) == inline


def test_ttp_single_match_is_still_a_list_of_one_record() -> None:
    output = "\n".join(IP_BRIEF.splitlines()[:2])
    records = ios("show ip interface brief", output, ParseSpec("ttp", TTP_BRIEF))
    assert records == [
        {
            "interface": "GigabitEthernet0/0",
            "ip": "192.168.100.1",
            "ok": "YES",
            "method": "NVRAM",
            "status": "up",
            "protocol": "up",
        }
    ]


def test_ttp_top_level_values_form_one_record() -> None:
    spec = ParseSpec("ttp", "{{ name }} uptime is {{ uptime | ORPHRASE }}")
    assert ios("show version", VERSION, spec) == [
        {"name": "R1", "uptime": "1 week, 2 days, 3 hours, 4 minutes"}
    ]


def test_ttp_no_records_from_real_output_is_an_error() -> None:
    spec = ParseSpec("ttp", '<group name="x">\nnever {{ a }}\n</group>')
    with pytest.raises(ParseError, match=r"ttp template \(inline\) produced no records"):
        ios("show version", VERSION, spec)
    assert ios("show version", "  \n", spec) == []


def test_ttp_function_failure_is_an_error_not_partial_records() -> None:
    line = "{{ interface | no_such_function }} {{ ip }} {{ ok }} {{ method }} {{ status }} {{ p }}"
    spec = ParseSpec("ttp", line)
    with pytest.raises(ParseError, match="no_such_function"):
        ios("show ip interface brief", IP_BRIEF, spec)


def test_ttp_broken_template_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "bad.ttp").write_text('<group name="x">\n{{ a }}\n</grp>\n')
    spec = ParseSpec("ttp", "bad.ttp", tmp_path)
    with pytest.raises(ParseError, match=r"^ttp template bad.ttp line 3: mismatched tag$"):
        check(spec, platform="cisco_ios")


def test_ttp_output_that_names_a_directory_is_parsed_as_text(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("GigabitEthernet9/9  10.0.0.1  YES manual up  up\n")
    with pytest.raises(ParseError, match="produced no records"):
        ios("show ip interface brief", str(tmp_path), ParseSpec("ttp", TTP_BRIEF))


def test_ttp_values_that_are_objects_come_back_as_text() -> None:
    spec = ParseSpec("ttp", "{{ interface | _start_ }} {{ ip | IP | to_ip }} {{ rest | ROW }}")
    records = ios("show ip interface brief", IP_BRIEF, spec)
    assert records[0] == {"interface": "GigabitEthernet0/0", "ip": "192.168.100.1", "rest": ANY}


MACRO_FILE = '<macro>\nopen({marker!r}, "w").write("ran")\n</macro>\nLoopback0 {{{{ x }}}}\n'


@pytest.mark.parametrize("where", ["relative", "absolute", "folder"])
def test_a_one_line_ttp_text_that_names_a_file_is_refused_and_never_read(
    tmp_path: Path, where: str
) -> None:
    marker, book = tmp_path / "MARKER", tmp_path / "book"
    book.mkdir()
    named = {"relative": book / "x{{y}}.ttp", "absolute": tmp_path / "p{{q}}.ttp"}
    named["folder"] = book / "d{{x}}" / "a.ttp"
    named[where].parent.mkdir(exist_ok=True)
    named[where].write_text(MACRO_FILE.format(marker=str(marker)))
    template = {"relative": "x{{y}}.ttp", "absolute": str(named["absolute"]), "folder": "d{{x}}"}
    spec = ParseSpec("ttp", template[where], book)
    with pytest.raises(ParseError, match=r"names a file or folder, but a name holding '\{\{'"):
        check(spec, platform="cisco_ios")
    with pytest.raises(ParseError, match="names a file or folder"):
        ios("show ip interface brief", IP_BRIEF, spec)
    assert not marker.exists()


def test_ttp_is_never_given_a_name_to_read_only_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file name may hold a newline: this text is inline, and names a file in the
    # current folder, where TTP itself would look.
    marker, template = tmp_path / "MARKER", "Loopback0 {{ a }}\n{{ b }}"
    (tmp_path / template).write_text(MACRO_FILE.format(marker=str(marker)))
    monkeypatch.chdir(tmp_path)
    spec = ParseSpec("ttp", template, tmp_path)
    check(spec, platform="cisco_ios")
    assert ios("show ip interface brief", "Loopback0 10.0.0.1\n", spec)[0]["a"] == "10.0.0.1"
    assert not marker.exists()


@pytest.mark.parametrize("template", ["ttp://platform/any.txt\n", "ttp://platform/any.txt"])
def test_a_template_from_ttps_collection_is_refused(template: str) -> None:
    with pytest.raises(ParseError, match="TTP's template collection is not read"):
        check(ParseSpec("ttp", template), platform="cisco_ios")


def test_a_ttp_argument_list_that_ttp_cannot_read_is_refused_not_an_exit() -> None:
    spec = ParseSpec("ttp", "{{ interface | contains(a=1, a=2) }} {{ rest | ROW }}")
    with pytest.raises(ParseError, match=r"line 1: .*keyword argument repeated: a$"):
        check(spec, platform="cisco_ios")


BACKTRACKS = "{{ interface | _start_ }} {{ rest | re('" + ".*" * 16 + "Z') }}"


def test_a_ttp_regex_that_backtracks_for_ever_fails_the_parse_in_bounded_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    quick = Isolated(parsing._ttp.handler, replace(parsing.TTP_LIMITS, seconds=1.0))
    monkeypatch.setattr(parsing, "_ttp", quick)
    try:
        with pytest.raises(
            ParseError, match=r"^ttp template \(inline\): parse took longer than 1 s$"
        ):
            ios("show ip interface brief", IP_BRIEF, ParseSpec("ttp", BACKTRACKS))
        assert ios("show ip interface brief", IP_BRIEF, ParseSpec("ttp", TTP_BRIEF))
    finally:
        quick.close()


def test_a_ttp_template_that_grows_its_text_fails_the_parse_on_memory() -> None:
    grow = "".join(f" | replace('L', '{'L' * 2000}')" for _ in range(3))
    spec = ParseSpec("ttp", "{{ interface | _start_" + grow + " }} {{ rest | ROW }}")
    with pytest.raises(ParseError, match=r"parse ran out of memory \(the limit is 1 GiB\)$"):
        ios("show ip interface brief", IP_BRIEF, spec)
    assert ios("show ip interface brief", IP_BRIEF, ParseSpec("ttp", TTP_BRIEF))


# --- load-time check ---------------------------------------------------------------------


def test_check_accepts_a_known_command_and_a_still_templated_one() -> None:
    check(AUTO, platform="cisco_ios", command="show ip int brief")
    check(AUTO, platform="cisco_ios", command="show interfaces {{ uplink }}")
    check(AUTO, platform="cisco_ios")


def test_check_rejects_an_unknown_command_before_any_device_is_contacted() -> None:
    with pytest.raises(ParseError, match="command 'show nothing'"):
        check(AUTO, platform="cisco_ios", command="show nothing")


def test_check_rejects_a_ttp_step_without_a_template() -> None:
    with pytest.raises(ParseError, match="ttp needs a template"):
        check(ParseSpec("ttp"), platform="cisco_ios")


# --- threads and start-up ----------------------------------------------------------------


def test_parses_on_many_threads_give_the_same_records_as_one_at_a_time() -> None:
    short = "\n".join(IP_BRIEF.splitlines()[:2])
    jobs = [("show ip interface brief", IP_BRIEF * 20, AUTO), ("sh ip int br", short, AUTO)]
    jobs += [
        ("show ip interface brief", out, ParseSpec("ttp", TTP_BRIEF)) for out in (IP_BRIEF, short)
    ]
    expected = [ios(*job) for job in jobs]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so a shared parser would show
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda i: ios(*jobs[i % 4]), range(400)))
    finally:
        sys.setswitchinterval(interval)
    assert all(result == expected[i % 4] for i, result in enumerate(results))


def test_importing_the_module_does_not_import_the_parsers() -> None:
    code = (
        "import sys, engine.parsing\n"
        "print(sorted(m for m in ('textfsm', 'ttp', 'ntc_templates') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr
