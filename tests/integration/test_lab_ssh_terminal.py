"""The lab's terminal over real SSH: echo per keystroke, editing keys, `?`, Tab, paging."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import paramiko
import pytest

from engine.lab import DeviceSpec, Lab, LabKnobs

pytestmark = pytest.mark.lab

LabFactory = Callable[..., Lab]
_WAIT = 10.0  # only guards against a hang


class Terminal:
    """An interactive SSH shell that types and waits for what the device sends back."""

    def __init__(self, lab: Lab, name: str = "R1", username: str = "admin") -> None:
        host, port = lab.endpoint(name)
        self.client = paramiko.SSHClient()
        self.client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        self.client.connect(
            host,
            port=port,
            username=username,
            password="pw",
            look_for_keys=False,
            allow_agent=False,
            timeout=_WAIT,
        )
        self.channel = self.client.invoke_shell(width=80, height=24)
        self.channel.settimeout(_WAIT)
        self.received = ""

    def type(self, keys: str) -> None:
        self.channel.sendall(keys.encode())

    def until(self, text: str) -> str:
        """Everything received up to and including `text` (the rest stays for later)."""
        deadline = time.monotonic() + _WAIT
        while text not in self.received:
            assert time.monotonic() < deadline, f"never received {text!r}: {self.received!r}"
            self.received += self.channel.recv(65536).decode()
        head, _, self.received = self.received.partition(text)
        return head + text

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def term(lab_factory: LabFactory) -> Iterator[Terminal]:
    terminal = Terminal(lab_factory([DeviceSpec("R1", "admin", "pw", secret="en")]))
    terminal.until("R1>")
    yield terminal
    terminal.close()


def enabled(term: Terminal) -> Terminal:
    term.type("enable\r")
    term.until("Password: ")
    term.type("en\r")
    term.until("R1#")
    return term


def test_each_keystroke_is_echoed_before_enter(term: Terminal) -> None:
    for key in "show clock":
        term.type(key)
        assert term.until(key) == key  # nothing else comes first, and no Enter was needed
    term.type("\r")
    assert " UTC " in term.until("R1>")


def test_backspace_erases_on_screen_and_in_the_command(term: Terminal) -> None:
    term.type("show clocx\x7fk\r")
    assert term.until("k") == "show clocx\b \bk"
    assert " UTC " in term.until("R1>")


def test_ctrl_u_discards_what_was_typed(term: Terminal) -> None:
    term.type("show garbage\x15show clock\r")
    output = term.until("R1>")
    assert "Invalid input" not in output
    assert " UTC " in output


def test_ctrl_c_at_the_exec_prompt_drops_the_line(term: Terminal) -> None:
    term.type("show vers\x03")
    assert term.until("R1>") == "show vers^C\r\nR1>"


def test_ctrl_z_leaves_config_mode_at_once_without_enter(term: Terminal) -> None:
    enabled(term)
    term.type("configure terminal\r")
    term.until("R1(config)#")
    term.type("interface Loopback1\r")
    term.until("R1(config-if)#")
    term.type("\x1a")
    assert term.until("R1#") == "^Z\r\nR1#"


def test_ctrl_c_in_config_mode_returns_to_exec(term: Terminal) -> None:
    enabled(term)
    term.type("conf t\r")
    term.until("R1(config)#")
    term.type("hostn\x03")
    assert term.until("R1#") == "hostn^C\r\nR1#"


def test_the_enable_secret_is_never_echoed(term: Terminal) -> None:
    term.type("enable\r")
    term.until("Password: ")
    term.type("en\r")
    assert term.until("R1#") == "\r\nR1#"


def test_question_mark_lists_the_next_keywords_and_redraws_the_line(term: Terminal) -> None:
    enabled(term)
    term.type("show ip ?")
    listing = term.until("R1#show ip ")
    assert listing.startswith("show ip ?\r\n")
    words = [line.split()[0] for line in listing.splitlines()[1:] if line.startswith("  ")]
    assert words == ["interface", "route", "arp", "ospf", "bgp", "access-lists"]
    term.type("route\r")
    assert "Gateway of last resort" in term.until("R1#")


def test_question_mark_after_a_partial_word_lists_its_completions(term: Terminal) -> None:
    term.type("show in?")
    assert term.until("R1>show in") == "show in?\r\ninventory  interfaces  \r\n\r\nR1>show in"


def test_question_mark_at_a_complete_command_offers_cr(term: Terminal) -> None:
    term.type("show clock ?")
    assert "<cr>" in term.until("R1>show clock ")


def test_tab_completes_an_unambiguous_keyword(term: Terminal) -> None:
    term.type("sh\t")
    assert term.until("show ") == "show "
    term.type("cl\t")
    assert term.until("clock ") == "clock "
    term.type("\r")
    assert " UTC " in term.until("R1>")


def test_tab_on_an_ambiguous_word_adds_nothing(term: Terminal) -> None:
    term.type("show i\t\x15show clock\r")  # `i`: ip, interfaces, inventory
    assert term.until("\x08") == "show i\x08"


def test_long_output_stops_at_more_with_the_default_length(term: Terminal) -> None:
    enabled(term)
    term.type("show running-config\r")
    first = term.until(" --More-- ")
    lines = first.split("\r\n")[1:-1]  # after the echo, before --More--
    # 23 screen rows: a line wider than the 80-column terminal (a type-9 secret) takes two
    assert sum(max(1, -(-len(line) // 80)) for line in lines) == 23


def test_space_enter_and_q_at_more(term: Terminal) -> None:
    enabled(term)
    term.type("show running-config\r")
    term.until(" --More-- ")
    term.type(" ")
    page = term.until(" --More-- ")
    assert page.startswith("\b" * 10 + " " * 10 + "\b" * 10)
    assert page.count("\r\n") == 23
    term.type("\r")
    assert term.until(" --More-- ").count("\r\n") == 1
    term.type("q")
    assert term.until("R1#") == "\b" * 10 + " " * 10 + "\b" * 10 + "R1#"


def test_terminal_length_zero_turns_paging_off(term: Terminal) -> None:
    enabled(term)
    term.type("terminal length 0\r")
    term.until("R1#")
    term.type("show running-config\r")
    output = term.until("\r\nend\r\n")
    assert "--More--" not in output


def test_type_ahead_during_a_slow_command_is_echoed_after_its_output(
    lab_factory: LabFactory,
) -> None:
    knobs = LabKnobs(command_delay=0.2)
    term = Terminal(lab_factory([DeviceSpec("R1", "admin", "pw", knobs=knobs)]))
    try:
        term.until("R1>")
        term.type("show clock\rshow privilege\r")  # pasted: two lines at once
        output = term.until("level is 1\r\nR1>")
        first, _, second = output.partition("R1>")
        assert first.startswith("show clock\r\n") and " UTC " in first
        assert second.startswith("show privilege\r\n")
    finally:
        term.close()


def test_an_exec_request_runs_one_command_and_closes_with_status_zero(
    lab_factory: LabFactory,
) -> None:
    lab = lab_factory([DeviceSpec("R1", "admin", "pw")])
    host, port = lab.endpoint("R1")
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(
        host,
        port=port,
        username="admin",
        password="pw",
        look_for_keys=False,
        allow_agent=False,
        timeout=_WAIT,
    )
    try:
        _, stdout, _ = client.exec_command("show clock", timeout=_WAIT)
        assert " UTC " in stdout.read().decode()
        assert stdout.channel.recv_exit_status() == 0
        _, stdout, _ = client.exec_command("show privilege", timeout=_WAIT)
        assert stdout.read().decode() == "Current privilege level is 1\r\n"
    finally:
        client.close()


def test_the_ssh_version_string_is_the_one_ios_sends(term: Terminal) -> None:
    transport = term.client.get_transport()
    assert transport is not None
    assert transport.remote_version == "SSH-2.0-Cisco-1.25"


def test_a_command_wider_than_the_terminal_scrolls_until_the_width_is_raised(
    term: Terminal,
) -> None:
    enabled(term)
    long_command = "show running-config | include " + "x" * 60
    term.type(long_command + "\r")
    echo = term.until("R1#")
    assert echo.startswith(long_command[:76] + "\b" * 76 + "$")  # scrolled left at width 80
    term.type("terminal width 511\r")
    term.until("R1#")
    term.type(long_command)
    assert term.until(long_command) == long_command  # echoed verbatim now
