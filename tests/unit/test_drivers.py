"""The drivers' pure parts: one command's transcript, error text, and the known_hosts file."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path

import paramiko
import pytest
from netmiko import ConnectHandler

from engine.drivers import ConnectionSettings, error_pattern, find_error
from engine.drivers.channel import ChannelReader
from engine.drivers.hostkeys import HostKeyRefused, KnownHosts, known_hosts, known_name
from engine.drivers.transcript import (
    Exchange,
    compile_answers,
    strip_echo,
    strip_prompt,
    tail,
)

PROMPT = re.compile(r"R1.*?[#>][ \t]*$")


def run(exchange: Exchange, *chunks: str) -> list[str | None]:
    """Feed chunks in order; the replies the exchange asked to type."""
    return [exchange.feed(chunk) for chunk in chunks]


# --- the transcript of one command ----------------------------------------------------------


def test_a_command_ends_at_the_prompt_after_its_echo() -> None:
    exchange = Exchange("show clock", PROMPT)
    run(exchange, "show cl", "ock\n*10:00:00 UTC\n", "R1#")
    assert exchange.finished
    assert exchange.body == "show clock\n*10:00:00 UTC\nR1#"


def test_stale_prompts_before_the_echo_do_not_end_the_command() -> None:
    exchange = Exchange("show clock", PROMPT)
    run(exchange, "R1#\nR1#", "\nR1#show clock\n")
    assert not exchange.finished
    run(exchange, "*10:00 UTC\nR1#")
    assert exchange.finished and exchange.body.startswith("show clock\n")


def test_an_echo_that_looks_like_a_prompt_does_not_end_the_command() -> None:
    exchange = Exchange("show run | include R1#", PROMPT)
    run(exchange, "show run | include R1#\n")
    assert not exchange.finished
    run(exchange, "R1#")
    assert exchange.finished


def test_the_prompt_inside_a_line_of_output_does_not_end_the_command() -> None:
    exchange = Exchange("show run", PROMPT)
    run(exchange, "show run\nbanner R1# welcome\n", "end\n")
    assert not exchange.finished


def test_an_empty_command_waits_for_the_newline_then_the_prompt() -> None:
    exchange = Exchange("", PROMPT)
    run(exchange, "\n", "R1#")
    assert exchange.finished and exchange.body == "\nR1#"


def test_backspaces_from_line_repainting_are_removed() -> None:
    exchange = Exchange("show ver", PROMPT)
    run(exchange, "show ver \x08\x08r\nIOS\nR1#")
    assert exchange.finished and exchange.body == "show ver r\nIOS\nR1#"


def test_a_question_is_answered_once_and_the_command_goes_on() -> None:
    answers = compile_answers({r"Destination filename \[.*\]\?": "", r"\[confirm\]": "y"})
    exchange = Exchange("copy run start", PROMPT, answers)
    replies = run(exchange, "copy run start\n", "Destination filename [startup-config]? ")
    assert replies == [None, ""]
    replies = run(exchange, "\nBuilding", " configuration...\n[OK]\n")
    assert replies == [None, None] and not exchange.finished
    run(exchange, "R1#")
    assert exchange.finished


def test_answers_are_tried_in_the_order_given() -> None:
    answers = compile_answers({"confirm": "first", r"\[confirm\]": "second"})
    assert run(Exchange("reload", PROMPT, answers), "reload\nProceed? [confirm]") == ["first"]


def test_the_echo_never_counts_as_a_question() -> None:
    exchange = Exchange("delete flash:x [confirm]", PROMPT, compile_answers({"confirm": "y"}))
    assert run(exchange, "delete flash:x [confirm]\n") == [None]


def test_expect_ends_the_command_where_its_pattern_matches() -> None:
    exchange = Exchange("reload", re.compile(r"^Proceed with reload\? ", re.MULTILINE))
    run(exchange, "reload\nSystem configuration has been modified.\n", "Proceed with reload? ")
    assert exchange.finished


def test_with_several_end_patterns_the_first_to_match_ends_the_command() -> None:
    question = re.compile(r"\[confirm\]", re.MULTILINE)
    asked = Exchange("reload", [question, PROMPT])
    run(asked, "reload\nProceed? [confirm]")
    not_asked = Exchange("reload", [question, PROMPT])
    run(not_asked, "reload\nNothing to do\nR1#")
    assert asked.finished and not_asked.finished


def test_a_long_output_is_scanned_once_not_again_per_chunk() -> None:
    exchange = Exchange("show tech", PROMPT)
    run(exchange, "show tech\n", *("line of output\n" for _ in range(20000)))
    assert not exchange.finished
    run(exchange, "R1#")
    assert exchange.finished


def test_strip_echo_and_strip_prompt_match_netmiko() -> None:
    assert strip_prompt(strip_echo("show clock\n*10:00 UTC\nR1#"), "R1") == "*10:00 UTC"
    assert strip_prompt(strip_echo("show inv\nPID: IOSv\n\nR1#"), "R1") == "PID: IOSv\n"
    assert strip_prompt(strip_echo("terminal length 0\nR1#"), "R1") == ""
    assert strip_prompt("no prompt here", "R1") == "no prompt here"
    assert strip_prompt("R1#", "R1") == ""


def test_tail_quotes_the_last_characters_received() -> None:
    assert tail("") == "nothing"
    assert tail("Building configuration...\n") == repr("Building configuration...\n")
    long = "x" * 500 + "END"
    assert tail(long, 10) == repr("...xxxxxxxEND")


def test_extra_error_patterns_join_the_platform_patterns() -> None:
    pattern = error_pattern("cisco_ios", [r"^WARNING: .*overlap"])
    assert find_error("ok\nWARNING: subnet overlap\n", pattern) == "WARNING: subnet overlap"
    assert find_error("% Invalid input detected\n", pattern) == "% Invalid input detected"
    assert find_error("all good\n", pattern) is None


# --- reading the channel ---------------------------------------------------------------------


@pytest.fixture
def channel() -> paramiko.Channel:
    """A paramiko channel with no transport: the test feeds its input buffer directly."""
    return paramiko.Channel(1)


@pytest.fixture
def reader(channel: paramiko.Channel) -> ChannelReader:
    conn = ConnectHandler(device_type="cisco_ios", host="192.0.2.1", auto_connect=False)
    conn.remote_conn = channel  # never connected: nothing leaves this process
    return ChannelReader(conn)


def test_playbook_regexes_meet_device_output_in_linear_time() -> None:
    # `(a+)+$` backtracks for hours on Python's `re`; the child's timeout guards a hang.
    probe = (
        "import re\n"
        "from engine.drivers import error_pattern, find_error\n"
        "from engine.drivers.transcript import Exchange, compile_answers\n"
        "line = 'a' * 40 + '!'\n"
        "print(find_error(line, error_pattern('cisco_ios', ['^(a+)+$'])))\n"
        "ex = Exchange('show x', re.compile('R1#$'), compile_answers({'^(a|aa)+$': 'y'}))\n"
        "print(ex.feed('show x\\n' + line + '\\n'))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["None", "None"], done.stderr


def test_the_reader_normalises_a_line_end_split_between_reads(
    channel: paramiko.Channel, reader: ChannelReader
) -> None:
    channel.in_buffer.feed(b"R1 uptime\r")
    assert reader.read(0.1) == "R1 uptime"  # the "\r" waits for what follows
    channel.in_buffer.feed(b"\nR1#")
    assert reader.read(0.1) == "\nR1#"


def test_the_reader_gives_up_when_nothing_arrives_in_time(reader: ChannelReader) -> None:
    assert reader.read(0.05) == ""


def test_the_reader_wakes_as_soon_as_data_arrives(
    channel: paramiko.Channel, reader: ChannelReader
) -> None:
    threading.Timer(0.05, channel.in_buffer.feed, [b"late\n"]).start()
    # were it to wait the full hour instead of waking, the suite's timeout would end it
    assert reader.read(3600) == "late\n"


def test_the_reader_decodes_a_character_split_between_reads(
    channel: paramiko.Channel, reader: ChannelReader
) -> None:
    encoded = "Zürich\n".encode()
    channel.in_buffer.feed(encoded[:2])
    first = reader.read(0.1)
    channel.in_buffer.feed(encoded[2:])
    assert first + reader.read(0.1) == "Zürich\n"


def test_the_reader_reports_a_closed_session(
    channel: paramiko.Channel, reader: ChannelReader
) -> None:
    channel.in_buffer.close()
    with pytest.raises(EOFError):
        reader.read(1)


# --- known_hosts ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keys() -> list[paramiko.PKey]:
    return [paramiko.ECDSAKey.generate() for _ in range(3)]


def line(name: str, key: paramiko.PKey) -> str:
    return f"{name} {key.get_name()} {key.get_base64()}\n"


def test_known_name_adds_the_port_only_off_port_22() -> None:
    assert known_name("10.0.0.1", 22) == "10.0.0.1"
    assert known_name("10.0.0.1", 2222) == "[10.0.0.1]:2222"


def test_plain_and_hashed_entries_are_found(tmp_path: Path, keys: list[paramiko.PKey]) -> None:
    hashed = paramiko.HostKeys.hash_host("[10.0.0.2]:2222")
    path = tmp_path / "known_hosts"
    path.write_text(
        "# a comment\n\n"
        + line("10.0.0.1,r1.example", keys[0])
        + line(hashed, keys[1])
        + "@cert-authority *.example ssh-ed25519 AAAA\n"
        + "garbage line\n"
        + "10.0.0.9 ssh-ed25519 not-base64!!\n"
    )
    known = KnownHosts(path)
    assert [k.asbytes() for k in known.keys_for("r1.example")] == [keys[0].asbytes()]
    assert [k.asbytes() for k in known.keys_for("[10.0.0.2]:2222")] == [keys[1].asbytes()]
    assert known.keys_for("10.0.0.2") == []


def test_accept_new_appends_an_unknown_key_to_the_file(
    tmp_path: Path, keys: list[paramiko.PKey]
) -> None:
    path = tmp_path / "new" / "known_hosts"
    known = KnownHosts(path)
    known.accept("[10.0.0.1]:830", keys[0], add=True)
    known.accept("[10.0.0.1]:830", keys[0], add=True)  # known now: nothing more is written
    assert path.read_text() == line("[10.0.0.1]:830", keys[0])
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_an_append_after_a_line_without_newline_starts_a_new_line(
    tmp_path: Path, keys: list[paramiko.PKey]
) -> None:
    path = tmp_path / "known_hosts"
    path.write_text(line("10.0.0.1", keys[0]).rstrip("\n"))
    KnownHosts(path).accept("10.0.0.2", keys[1], add=True)
    assert path.read_text().splitlines() == [
        line("10.0.0.1", keys[0]).strip(),
        line("10.0.0.2", keys[1]).strip(),
    ]


def test_a_changed_key_is_refused_with_both_fingerprints(
    tmp_path: Path, keys: list[paramiko.PKey]
) -> None:
    path = tmp_path / "known_hosts"
    path.write_text(line("10.0.0.1", keys[0]))
    with pytest.raises(HostKeyRefused) as caught:
        KnownHosts(path).accept("10.0.0.1", keys[1], add=True)
    message = str(caught.value)
    assert message.startswith("host key for 10.0.0.1 changed")
    assert keys[0].fingerprint in message and keys[1].fingerprint in message
    assert path.read_text() == line("10.0.0.1", keys[0])  # nothing was added


def test_strict_refuses_an_unknown_key_and_writes_nothing(
    tmp_path: Path, keys: list[paramiko.PKey]
) -> None:
    path = tmp_path / "known_hosts"
    with pytest.raises(HostKeyRefused, match=r"not in .* strict"):
        KnownHosts(path).accept("10.0.0.1", keys[0], add=False)
    assert not path.exists()


def test_the_file_is_read_again_when_something_else_changed_it(
    tmp_path: Path, keys: list[paramiko.PKey]
) -> None:
    path = tmp_path / "known_hosts"
    known = KnownHosts(path)
    assert known.keys_for("10.0.0.5") == []
    path.write_text(line("10.0.0.5", keys[2]))
    assert [k.asbytes() for k in known.keys_for("10.0.0.5")] == [keys[2].asbytes()]


def test_many_threads_accepting_new_hosts_write_each_exactly_once(
    tmp_path: Path, keys: list[paramiko.PKey]
) -> None:
    path = tmp_path / "known_hosts"
    known = KnownHosts(path)
    names = [f"[10.1.0.{i % 50}]:22{i % 50:02d}" for i in range(200)]  # each name 4 times
    threads = [
        threading.Thread(target=known.accept, args=(n, keys[0]), kwargs={"add": True})
        for n in names
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    written = [entry.split()[0] for entry in path.read_text().splitlines()]
    assert sorted(written) == sorted(set(names))


def test_every_session_of_a_file_shares_one_known_hosts(tmp_path: Path) -> None:
    assert known_hosts(tmp_path / "a") is known_hosts(tmp_path / "." / "a")
    assert known_hosts(tmp_path / "a") is not known_hosts(tmp_path / "b")


def test_the_default_known_hosts_file_is_the_users_own() -> None:
    assert ConnectionSettings().known_hosts_file() == Path.home() / ".ssh" / "known_hosts"
    assert ConnectionSettings(known_hosts=Path("kh")).known_hosts_file() == Path("kh")
