"""Config and ensure steps over real SSH: what reaches the device, and what counts as a change.

One simulated router lives for the whole test, so that several `netplay run`s (without
`--lab`) see each other's changes, as runs against a real device do. What was sent is
read from each run's session log.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main
from engine.lab import DeviceSpec, Lab

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[2]
PASSWORD, SECRET = "pw-Heron-4419", "en-Marten-8806"
INVENTORY = """\
defaults:
  username: netops
  password: {password}
  secret: {secret}
  vars: {{ntp_server: 192.0.2.1}}
groups:
  routers: {{hosts: [R1]}}
hosts:
  R1: {{host: "{address}", port: {port}}}
"""


@dataclass(frozen=True)
class Run:
    """One `netplay run`: exit code, R1's result per step, session log, console output."""

    code: int
    results: dict[str, dict[str, Any]]
    log: str
    printed: str

    def __getitem__(self, step: str) -> dict[str, Any]:
        return self.results[step]


class Router:
    """A lab router that outlives single runs; `run(playbook)` runs netplay against it."""

    def __init__(self, lab: Lab, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
        address, port = lab.endpoint("R1")
        self.folder, self.capsys, self.runs = folder, capsys, 0
        self.inventory = folder / "inventory.yml"
        self.inventory.write_text(
            INVENTORY.format(password=PASSWORD, secret=SECRET, address=address, port=port)
        )

    def run(self, playbook: str | Path, *options: str) -> Run:
        self.runs += 1
        where = self.folder / f"run{self.runs}"
        where.mkdir()
        if isinstance(playbook, str):
            (where / "book.yml").write_text(textwrap.dedent(playbook))
            playbook = where / "book.yml"
        self.capsys.readouterr()
        code = main(
            [
                *("run", str(playbook), "-i", str(self.inventory), "--host-key-policy", "off"),
                *("--results", str(where / "results.json"), "--session-logs", str(where / "logs")),
                *options,
            ]
        )
        printed = self.capsys.readouterr().out
        data = json.loads((where / "results.json").read_text())
        results = {r["step"]: r["results"][0] for r in data["steps"] if r["results"]}
        return Run(code, results, (where / "logs" / "R1.log").read_text(), printed)

    def running_config(self) -> str:
        return self.run("{name: Read, hosts: R1, steps: [{send: show running-config}]}")[
            "show running-config"
        ]["output"]


@pytest.fixture
def router(
    lab_factory: Callable[..., Lab], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Router:
    lab = lab_factory([DeviceSpec("R1", "netops", PASSWORD, secret=SECRET)])
    return Router(lab, tmp_path, capsys)


def config_sent(log: str) -> list[str]:
    """The lines typed in config mode, from a session log (echoes after `(config...)#`)."""
    typed = [line.split(")#", 1)[1].strip() for line in log.splitlines() if "(config" in line]
    return [line for line in typed if line not in ("", "end")]


LOOPBACK = """
name: Loopback
hosts: R1
steps:
  - name: Loopback71
    ensure: |
      interface Loopback71
       description managed by netplay
       ip address 10.71.0.1 255.255.255.255
"""


# -- ensure -------------------------------------------------------------------------------


def test_a_first_ensure_sends_the_missing_lines_and_a_second_run_sends_nothing(
    router: Router,
) -> None:
    first = router.run(ROOT / "playbooks" / "ensure-loopback.yml")
    assert first.code == 0
    loopback = first["Loopback9"]
    assert loopback["status"] == "ok" and loopback["changed"] is True
    assert loopback["commands"] == [
        "interface Loopback9",
        " description managed by netplay",
        " ip address 10.9.9.1 255.255.255.255",
    ]
    assert config_sent(first.log)[:3] == [
        "interface Loopback9",
        "description managed by netplay",
        "ip address 10.9.9.1 255.255.255.255",
    ]
    second = router.run(ROOT / "playbooks" / "ensure-loopback.yml")
    assert second.code == 0
    assert {s: (r["status"], r["changed"]) for s, r in second.results.items()} == {
        "Loopback9": ("ok", False),
        "Only the NTP server this router should use": ("ok", False),
        "VTY lines exactly as listed": ("ok", False),
        "A second pass has nothing to send": ("ok", False),
    }
    assert second["Loopback9"]["commands"] == []
    assert "show running-config" in second.log
    assert "configure terminal" not in second.log and config_sent(second.log) == []
    assert "write memory" not in second.log  # `save` only after a change


def test_check_diff_of_an_ensure_that_needs_one_line_shows_exactly_that_line(
    router: Router,
) -> None:
    router.run(
        "{name: Half, hosts: R1, steps: [{config: [interface Loopback71, "
        "ip address 10.71.0.1 255.255.255.255]}]}"
    )
    dry = router.run(LOOPBACK, "--check", "--diff")
    change = dry["Loopback71"]
    assert dry.code == 0 and change["changed"] is True
    assert change["diff"] == " interface Loopback71\n+ description managed by netplay"
    assert change["commands"] == ["interface Loopback71", " description managed by netplay"]
    assert "    + description managed by netplay\n" in dry.printed
    assert "configure terminal" not in dry.log
    assert "description" not in router.running_config().split("interface Loopback71")[1][:60]


def test_an_ensure_over_a_section_the_device_partly_has_sends_only_the_missing_line(
    router: Router,
) -> None:
    router.run(
        "{name: Half, hosts: R1, steps: [{config: [interface Loopback71, "
        "ip address 10.71.0.1 255.255.255.255]}]}"
    )
    done = router.run(LOOPBACK)
    assert done["Loopback71"]["changed"] is True
    assert config_sent(done.log) == ["interface Loopback71", "description managed by netplay"]
    running = router.running_config()
    assert (
        "interface Loopback71\n description managed by netplay\n"
        " ip address 10.71.0.1 255.255.255.255\n" in running
    )


def test_absent_removes_a_line_that_is_there_and_is_ok_when_it_is_not(router: Router) -> None:
    done = router.run(
        """
        name: Old NTP
        hosts: R1
        steps:
          - {name: Add, config: ntp server 192.0.2.55}
          - {name: Remove, absent: ntp server 192.0.2.55}
          - {name: Remove again, absent: ntp server 192.0.2.55}
          - {name: Read, send: show running-config | include ntp}
        """
    )
    assert done.code == 0
    assert (done["Remove"]["changed"], done["Remove"]["commands"]) == (
        True,
        ["no ntp server 192.0.2.55"],
    )
    again = done["Remove again"]
    assert (again["status"], again["changed"], again["commands"]) == ("ok", False, [])
    assert "192.0.2.55" not in done["Read"]["output"]
    assert config_sent(done.log).count("no ntp server 192.0.2.55") == 1


def test_match_exact_removes_the_children_the_block_does_not_list(router: Router) -> None:
    router.run(LOOPBACK)
    done = router.run(
        """
        name: Exact
        hosts: R1
        steps:
          - name: Only the address
            ensure: |
              interface Loopback71
               ip address 10.71.0.1 255.255.255.255
            match: exact
        """
    )
    assert done["Only the address"]["commands"] == [
        "interface Loopback71",
        " no description managed by netplay",
    ]
    block = router.running_config().split("interface Loopback71\n")[1].split("!")[0]
    assert block == " ip address 10.71.0.1 255.255.255.255\n"


def test_an_ensure_line_the_device_rejects_fails_the_step_with_the_devices_error(
    router: Router,
) -> None:
    done = router.run(
        """
        name: Bad address
        hosts: R1
        steps:
          - name: Loopback72
            ensure: |
              interface Loopback72
               ip address 10.72.0.1
               description never sent
        """
    )
    change = done["Loopback72"]
    assert done.code == 2
    assert (change["status"], change["kind"]) == ("failed", "rejected")
    assert change["error"] == "% Incomplete command."
    assert "description never sent" not in config_sent(done.log)


def test_an_ensure_whose_first_line_is_refused_changed_nothing(router: Router) -> None:
    done = router.run(
        """
        name: Typo
        hosts: R1
        steps:
          - name: NTP
            ensure: ntpp server 192.0.2.72
        """
    )
    change = done["NTP"]
    assert (change["status"], change["changed"]) == ("failed", False)
    assert change["error"] == "% Invalid input detected at '^' marker."


# -- config -------------------------------------------------------------------------------


def test_a_config_list_variable_sends_each_line(router: Router) -> None:
    done = router.run(
        """
        name: NTP from a list
        hosts: R1
        vars:
          ntp_lines: [ntp server 192.0.2.61, ntp server 192.0.2.62]
        steps:
          - {name: NTP, config: "{{ ntp_lines }}"}
        """
    )
    assert done.code == 0
    assert config_sent(done.log) == ["ntp server 192.0.2.61", "ntp server 192.0.2.62"]
    running = router.running_config()
    assert "ntp server 192.0.2.61\nntp server 192.0.2.62\n" in running
    assert "[" not in "".join(config_sent(done.log))


def test_a_multi_line_config_block_is_sent_line_by_line(router: Router) -> None:
    done = router.run(
        """
        name: Block
        hosts: R1
        steps:
          - name: Loopback
            config: |
              interface Loopback73
               description from a block

              ntp server 192.0.2.73
            timeout: 5
        """
    )
    assert done.code == 0 and done["Loopback"]["status"] == "ok"
    assert config_sent(done.log) == [
        "interface Loopback73",
        "description from a block",
        "ntp server 192.0.2.73",
    ]
    assert "interface Loopback73\n description from a block\n" in router.running_config()


def test_a_config_step_that_changes_nothing_is_ok_when_the_running_config_is_known(
    router: Router,
) -> None:
    book = """
        name: Twice
        hosts: R1
        steps:
          - {name: First, config: ntp server 192.0.2.81}
          - {name: Second, config: ntp server 192.0.2.81}
    """
    plain = router.run(book)
    # nothing known about the running-config: every config step that sends counts
    assert (plain["First"]["changed"], plain["Second"]["changed"]) == (True, True)
    diffed = router.run(book, "--diff")
    assert (diffed["First"]["changed"], diffed["Second"]["changed"]) == (False, False)
    assert diffed["Second"]["diff"] is None


def test_after_an_ensure_a_config_step_reports_changed_from_the_running_config(
    router: Router,
) -> None:
    done = router.run(
        """
        name: Known
        hosts: R1
        steps:
          - {name: Ensure, ensure: ntp server 192.0.2.91}
          - {name: Same again, config: ntp server 192.0.2.91}
          - {name: New, config: ntp server 192.0.2.92}
        """
    )
    assert [done[s]["changed"] for s in ("Ensure", "Same again", "New")] == [True, False, True]


def test_config_and_ensure_templates_come_from_files_beside_the_playbook(router: Router) -> None:
    book = ROOT / "playbooks" / "config-templates.yml"
    done = router.run(book)
    assert done.code == 0
    assert done["Loopback from a template"]["commands"] == [
        "interface Loopback30",
        " description lab router R1",
        " ip address 10.30.0.1 255.255.255.255",
    ]
    assert done["Syslog servers"]["commands"] == [
        "logging host 192.0.2.50",
        "logging host 192.0.2.51",
    ]
    again = router.run(book)
    assert again["Loopback from a template"]["changed"] is False


# -- rollback_on_failure ------------------------------------------------------------------

PORT_IS_UP = "failed_when: \"'up' not in port.output.split()[-1]\""
GUARDED = f"""
name: Guarded change
hosts: R1
steps:
  - name: Shut the uplink
    config:
      - interface GigabitEthernet0/2
      - description to be shut
      - shutdown
    rollback_on_failure: true
  - name: Loopback72
    ensure: |
      interface Loopback72
       ip address 10.72.0.1 255.255.255.255
  - name: Check
    send: show ip interface brief | include GigabitEthernet0/2
    register: port
    {PORT_IS_UP}
  - name: Not reached
    send: show clock
"""


def archives(router: Router) -> list[str]:
    listing = router.run("{name: Dir, hosts: R1, steps: [{send: 'dir flash:'}]}")["dir flash:"]
    names = [word for line in listing["output"].splitlines() for word in line.split()[-1:]]
    return [name for name in names if name.startswith("netplay-rollback-")]


def test_a_failed_check_after_a_guarded_change_puts_the_whole_running_config_back(
    router: Router,
) -> None:
    before = router.running_config()
    done = router.run(GUARDED)
    assert done.code == 2
    assert done["Loopback72"]["changed"] is True  # changed after the archive: undone too
    rollback = done["Check"]["rollback"]
    assert rollback["status"] == "ok" and rollback["step"] == "Shut the uplink"
    assert rollback["output"] == "Total number of passes: 1\nRollback Done"
    assert "- shutdown" in rollback["diff"] and "-interface Loopback72" in rollback["diff"]
    assert "Not reached" not in done.results
    assert f"rolled back: {rollback['file']} restored, undoing 'Shut the uplink'" in done.printed
    assert router.running_config() == before
    sent = [line.split("#", 1)[1] for line in done.log.splitlines() if line.startswith("R1#")]
    assert sent.index(f"copy running-config {rollback['file']}") < sent.index("configure terminal")
    assert archives(router) == [rollback["file"].removeprefix("flash:")]  # kept, for a console


def test_a_guarded_change_whose_check_passes_is_kept_with_its_archive(router: Router) -> None:
    passing = GUARDED.replace("'up' not in", "'down' not in").replace("Not reached", "Reached")
    done = router.run(passing)
    assert done.code == 0 and "rollback" not in done["Check"]
    assert "interface Loopback72" in router.running_config()
    assert len(archives(router)) == 1


def test_check_mode_archives_nothing_and_rolls_nothing_back(router: Router) -> None:
    before = router.running_config()
    failing = GUARDED.replace(PORT_IS_UP, "failed_when: true")
    dry = router.run(failing, "--check")
    assert dry.code == 2 and dry["Check"]["status"] == "failed"
    assert "rollback" not in dry["Check"]
    assert "copy running-config" not in dry.log and "configure replace" not in dry.log
    assert archives(router) == []
    assert router.running_config() == before
