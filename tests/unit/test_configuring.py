"""The config sequence per platform: config mode, a candidate committed or dropped, a session."""

from __future__ import annotations

from collections.abc import Mapping

from engine.drivers import Reply, error_pattern
from engine.drivers.configuring import Wait, apply, mode_for
from engine.platforms import PLATFORMS

# What each platform's compare command shows when the candidate holds a change.
CHANGED = {
    "show | compare": "[edit system]\n+   ntp {\n+       server 192.0.2.1;\n+   }\n\n[edit]",
    "show configuration": "Tue Dec  1 10:00:00.000 UTC\nBuilding configuration...\nhostname X\nend",
    "show session-config diffs": "--- system:/running-config\n+++ session:/s\n+ntp server 1",
}


class Device:
    """Answers each typed line from a table (echo first, like a device); records the lines.
    A candidate compared shows a change unless the table says otherwise."""

    def __init__(self, answers: Mapping[str, str] | None = None) -> None:
        self.answers = {**CHANGED, **(answers or {})}
        self.typed: list[str] = []

    def __call__(self, line: str, wait: Wait) -> str:
        self.typed.append(line)
        return f"{line}\n{self.answers.get(line, '')}\nR1#"


def run(platform: str, lines: list[str], device: Device, session: str | None = None) -> Reply:
    mode = mode_for(PLATFORMS[platform], session)
    return apply(mode, lines, device, error_pattern(platform))


def test_ios_lines_go_between_configure_terminal_and_end() -> None:
    device = Device()
    reply = run("cisco_ios", ["ntp server 192.0.2.1"], device)
    assert device.typed == ["configure terminal", "ntp server 192.0.2.1", "end"]
    assert reply.error is None and reply.applied is None


def test_an_ios_refused_line_stops_the_rest_and_keeps_the_device_error() -> None:
    device = Device({"ntp servr 1": "% Invalid input detected at '^' marker."})
    reply = run("cisco_ios", ["ntp servr 1", "logging host 192.0.2.9"], device)
    assert device.typed == ["configure terminal", "ntp servr 1", "end"]
    assert reply.error == "% Invalid input detected at '^' marker."


def test_a_junos_candidate_is_committed_once_after_every_line() -> None:
    device = Device({"commit": "commit complete"})
    lines = ["set system ntp server 192.0.2.1", "set system host-name r9"]
    reply = run("juniper_junos", lines, device)
    assert device.typed == [
        "configure private",
        *lines,
        "top",
        "show | compare",
        "commit",
        "exit configuration-mode",
    ]
    assert reply.error is None and reply.applied is True


def test_a_junos_candidate_with_nothing_to_commit_is_rolled_back_not_committed() -> None:
    device = Device({"show | compare": "\n[edit]"})
    reply = run("juniper_junos", ["set system ntp server 192.0.2.1"], device)
    assert device.typed[-4:] == ["top", "show | compare", "rollback 0", "exit configuration-mode"]
    assert "commit" not in device.typed
    assert reply.error is None and reply.applied is False


def test_an_ios_xr_candidate_equal_to_the_running_config_is_aborted() -> None:
    unchanged = "Tue Dec  1 10:00:00.000 UTC\nBuilding configuration...\n!! IOS XR 7.3.2\nend\n"
    device = Device({"show configuration": unchanged})
    reply = run("cisco_xr", ["hostname xr1"], device)
    assert device.typed == ["configure terminal", "hostname xr1", "show configuration", "abort"]
    assert reply.error is None and reply.applied is False


def test_an_eos_session_without_diffs_is_aborted() -> None:
    device = Device({"show session-config diffs": ""})
    run("arista_eos", ["ntp server 192.0.2.1"], device, session="s")
    assert device.typed[-2:] == ["show session-config diffs", "abort"]


def test_a_rejected_junos_line_rolls_the_candidate_back_and_commits_nothing() -> None:
    bad = "set system ntp servr 192.0.2.1"
    device = Device({bad: "                  ^\nsyntax error."})
    reply = run("juniper_junos", ["set system host-name r9", bad, "set system domain x"], device)
    assert device.typed == [
        "configure private",
        "set system host-name r9",
        bad,
        "rollback 0",
        "exit configuration-mode",
    ]
    assert "commit" not in device.typed
    assert reply.error == f"'{bad}': syntax error.; nothing was committed"
    assert reply.applied is False


def test_a_junos_commit_the_device_refuses_drops_the_candidate_with_the_devices_error() -> None:
    failed = "error: configuration check-out failed"
    device = Device({"commit": f"[edit]\n  'system'\n    missing mandatory statement\n{failed}"})
    reply = run("juniper_junos", ["delete system host-name"], device)
    assert device.typed[-2:] == ["rollback 0", "exit configuration-mode"]
    assert reply.error == f"commit refused: {failed}; nothing was committed"
    assert reply.applied is False


def test_an_ios_xr_rejected_line_is_aborted_and_abort_itself_leaves_config_mode() -> None:
    device = Device({"ntp servr 1": "% Invalid input detected at '^' marker."})
    reply = run("cisco_xr", ["hostname X", "ntp servr 1"], device)
    assert device.typed == ["configure terminal", "hostname X", "ntp servr 1", "abort"]
    assert reply.error is not None and reply.error.startswith("'ntp servr 1': % Invalid input")


def test_an_ios_xr_commit_that_fails_is_aborted() -> None:
    failed = "% Failed to commit one or more configuration items during a pseudo-atomic operation."
    device = Device({"commit": failed})
    reply = run("cisco_xr", ["hostname X"], device)
    assert device.typed == [
        "configure terminal",
        "hostname X",
        "show configuration",
        "commit",
        "abort",
    ]
    assert reply.error == f"commit refused: {failed}; nothing was committed"


def test_an_ios_xr_commit_that_works_is_followed_by_end() -> None:
    device = Device()
    assert run("cisco_xr", ["hostname X"], device).error is None
    assert device.typed == [
        "configure terminal",
        "hostname X",
        "show configuration",
        "commit",
        "end",
    ]


def test_an_eos_config_session_commits_and_leaves_by_itself() -> None:
    device = Device()
    reply = run("arista_eos", ["ntp server 192.0.2.1"], device, session="netplay-1a2b")
    assert device.typed == [
        "configure session netplay-1a2b",
        "ntp server 192.0.2.1",
        "show session-config diffs",
        "commit",
    ]
    assert reply.error is None


def test_an_eos_session_with_a_refused_line_is_aborted() -> None:
    device = Device({"ntp servr": "% Invalid input"})
    reply = run("arista_eos", ["ntp servr"], device, session="netplay-1a2b")
    assert device.typed == ["configure session netplay-1a2b", "ntp servr", "abort"]
    assert reply.applied is False


def test_eos_without_a_session_uses_plain_config_mode() -> None:
    device = Device()
    run("arista_eos", ["ntp server 192.0.2.1"], device)
    assert device.typed == ["configure terminal", "ntp server 192.0.2.1", "end"]


def test_banner_text_is_typed_without_waiting_for_a_prompt() -> None:
    waits: list[Wait] = []
    device = Device({"banner motd ^": "Enter TEXT message.  End with the character '^'."})

    def send(line: str, wait: Wait) -> str:
        waits.append(wait)
        return device(line, wait)

    mode = mode_for(PLATFORMS["cisco_ios"])
    apply(mode, ["banner motd ^", "hello", "^"], send, error_pattern("cisco_ios"))
    assert waits == ["prompt", "line", "text", "line", "prompt"]


def test_a_junos_step_that_descends_the_hierarchy_is_compared_from_the_top() -> None:
    device = Device()
    run("juniper_junos", ["edit system", "set ntp server 192.0.2.1"], device)
    assert device.typed[3:5] == ["top", "show | compare"]


def test_a_config_mode_the_device_refuses_to_enter_sends_no_line() -> None:
    refusal = "error: shared configuration database modified"
    device = Device({"configure private": refusal})
    reply = run("juniper_junos", ["set system ntp server 192.0.2.1"], device)
    assert device.typed == ["configure private"]
    assert reply.error == f"'configure private': {refusal}; nothing was sent"
    assert reply.applied is False
