"""Secrets never leave netplay: every output channel of a run is searched for known secrets.

The inventory holds distinctive passwords, an enable secret, secret-named variables (one in
a list), a username read from the environment; a vault file, `-e` and `-k` add more. The
playbook sends them to the devices (a config line, a show command), and faults make hosts
fail with messages that quote what the device echoed. stdout, stderr, the results file, its
journal, the session logs, `save_to` files and `cmd --output` must hold none of them.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import paramiko
import pytest

from engine import runs
from engine.cli import main
from engine.lab import DeviceSpec, Lab
from engine.results import HIDDEN
from engine.vault import KEY_VARIABLE, encrypt_text, generate_key

pytestmark = pytest.mark.lab

PASSWORD = "Pw-Caracal-3391"
ENV_PASSWORD = "Pw-Axolotl-8264"
SECRET = "En-Pangolin-1175"
SNMP_SECRET = "Snmp-Ibex-2207"
API_TOKEN = "Tok-Yak-5150"
TACACS_KEY = "Tac-Gnu-7781"
VAULT_PASSWORD = "Vault-Quetzal-4420"
LIST_PASSWORD = "Bob-Dugong-6032"
ENV_USER = "svc-Heron-6610"
VAULT_PSK = "Psk-Tapir-3308"
VAULT_PLAIN = "Word-Marmot-9154"
TYPED_PASSWORD = "Typed-Kiwi-5521"
SECRETS = [
    PASSWORD,
    ENV_PASSWORD,
    SECRET,
    SNMP_SECRET,
    API_TOKEN,
    TACACS_KEY,
    VAULT_PASSWORD,
    LIST_PASSWORD,
    ENV_USER,
    VAULT_PSK,
    VAULT_PLAIN,
    TYPED_PASSWORD,
]
ROOT = Path(__file__).resolve().parents[2]

INVENTORY = f"""\
defaults:
  username: netops
  password: {PASSWORD}
  secret: {SECRET}
  vars:
    snmp_secret: {SNMP_SECRET}
    api_token: {API_TOKEN}
    tacacs_key: {TACACS_KEY}
    users: [{{name: bob, password: {LIST_PASSWORD}}}]
hosts:
  S1: {{host: 192.168.100.1}}
  S2: {{host: 192.168.100.2, password: "{{{{ env.NETPLAY_TEST_PASSWORD }}}}"}}
  S3: {{host: 192.168.100.3, lab: {{hang_on: show running-config}}}}
  S4: {{host: 192.168.100.4, lab: {{reject: [snmp-server]}}}}
  S5: {{host: 192.168.100.5, lab: {{reject_login: true}}}}
  S6: {{host: 192.168.100.6, lab: {{refuse: true}}}}
  S7: {{host: 192.168.100.7, lab: {{reject: [show]}}}}
  S8: {{host: 192.168.100.8}}
  S9:
    host: 192.168.100.9
    username: "{{{{ env.NETPLAY_TEST_USER }}}}"
    lab: {{reject_login: true}}
"""
PLAYBOOK = """\
name: Secrets stay inside
hosts: all
steps:
  - name: Community
    config:
      - snmp-server community {{ snmp_secret }} RO
      - banner motd ^{{ api_token }} {{ tacacs_key }} {{ users[0].password }}^
  - name: Read it back
    send:
      - show running-config | include {{ snmp_secret }}
      - show running-config | include banner
      - show {{ api_token }}
    save_to: "saved/{{ inventory_hostname }}.txt"
"""


@dataclass(frozen=True)
class Channels:
    """Everything a run wrote, by channel name."""

    code: int
    texts: dict[str, str]

    def leaks(self) -> list[str]:
        """`channel: secret` for every secret found anywhere."""
        return [f"{name}: {s}" for name, text in self.texts.items() for s in SECRETS if s in text]


def run_and_collect(
    folder: Path, *extra: str, playbook_text: str = PLAYBOOK, inventory_text: str = INVENTORY
) -> Channels:
    inventory, playbook = folder / "inventory.yml", folder / "playbook.yml"
    inventory.write_text(inventory_text)
    playbook.write_text(playbook_text)
    results = folder / "results.json"
    argv = ["run", str(playbook), "-i", str(inventory), "--lab", "--results", str(results)]
    argv += ["--output-dir", str(folder / "out"), "--connect-timeout", "2"]
    argv += ["--command-timeout", "2", *extra]
    code, texts = netplay(argv)
    return Channels(code, {**texts, **files_of(folder)})


def netplay(argv: list[str]) -> tuple[int, dict[str, str]]:
    """Run the command line in-process; its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, {"stdout": out.getvalue(), "stderr": err.getvalue()}


def files_of(folder: Path) -> dict[str, str]:
    """Every file a run wrote under `folder`: results, journal, session logs, saved outputs."""
    written = (folder / "results.json", folder / "results.jsonl", folder / "output.txt")
    found = [p for p in written if p.exists()]
    for sub in ("logs", "out"):
        found += sorted(p for p in (folder / sub).rglob("*") if p.is_file())
    return {str(p.relative_to(folder)): p.read_text(errors="replace") for p in found}


@pytest.fixture
def env_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETPLAY_TEST_PASSWORD", ENV_PASSWORD)
    monkeypatch.setenv("NETPLAY_TEST_USER", ENV_USER)


@pytest.mark.usefixtures("env_password")
def test_no_secret_reaches_stdout_stderr_results_or_journal(tmp_path: Path) -> None:
    run = run_and_collect(tmp_path)
    assert run.code == 3  # S6 is unreachable; the others ran
    assert run.leaks() == []
    assert "saved/S1.txt" in " ".join(run.texts)  # save_to files were searched too
    results = json.loads(run.texts["results.json"])
    rows = {
        r["host"]: r for s in results["steps"] for r in s["results"] if s["step"] == "Community"
    }
    # The secrets were really used, and masked where they would have shown:
    assert rows["S1"]["status"] == "ok" and rows["S2"]["status"] == "ok"
    assert rows["S1"]["commands"][0] == "snmp-server community ******** RO"
    assert "snmp-server community ******** RO" in rows["S1"]["output"]
    assert "authentication failed for user 'netops'" in rows["S5"]["error"]
    # a username read from the environment is a credential kept out of git: masked too
    assert rows["S9"]["error"] == "authentication failed for user '********'"
    assert "banner motd ^******** ******** ********^" in rows["S1"]["output"]  # list value
    assert rows["S4"]["error"] == "% Invalid input detected at '^' marker."
    read_back = next(s for s in results["steps"] if s["step"] == "Read it back")
    hung = next(r for r in read_back["results"] if r["host"] == "S3")
    assert "show running-config | include ********" in hung["error"]  # the echo, masked


@pytest.mark.usefixtures("env_password")
def test_session_logs_of_a_run_hold_no_secret(tmp_path: Path) -> None:
    run = run_and_collect(tmp_path, "--session-logs", str(tmp_path / "logs"))
    logs = [name for name in run.texts if name.startswith("logs/")]
    assert len(logs) >= 6  # every host that got past the TCP connection
    assert "snmp-server community ******** RO" in run.texts["logs/S1.log"]
    assert (tmp_path / "logs" / "S1.log").stat().st_mode & 0o777 == 0o600
    assert run.leaks() == []


@pytest.mark.usefixtures("env_password")
def test_a_vault_file_gives_secret_vars_that_are_masked_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = generate_key()
    vault = tmp_path / "secrets.vault.yml"
    # `banner_word` is no secret-looking name: it is masked because it comes from a vault
    text = (
        f"vault_password: {VAULT_PASSWORD}\ntacacs_psk: {VAULT_PSK}\nbanner_word: {VAULT_PLAIN}\n"
    )
    vault.write_text(encrypt_text(text, key))
    monkeypatch.setenv(KEY_VARIABLE, key.decode())
    playbook = PLAYBOOK.replace("{{ api_token }}", "{{ vault_password }}").replace(
        "{{ tacacs_key }}", "{{ tacacs_psk }} {{ banner_word }}"
    )
    run = run_and_collect(tmp_path, "-e", f"@{vault}", playbook_text=playbook)
    assert run.code == 3
    assert "banner motd ^******** ******** ******** ********^" in run.texts["results.json"]
    assert run.leaks() == []


ASK_PASS_INVENTORY = """\
defaults: {username: netops}
hosts:
  K1: {host: 192.168.100.1}
  K2: {host: 192.168.100.2}
"""
PROBE_PLAYBOOK = """\
name: The device echoes what it is sent
hosts: all
steps:
  - name: Probe
    send: "show {{ probe }}"
    save_to: probe.txt
"""


def test_a_typed_password_the_device_echoes_is_masked_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runs.getpass, "getpass", lambda prompt: TYPED_PASSWORD)
    # `probe` is no secret-looking name: the value is masked because it was typed for -k
    run = run_and_collect(
        tmp_path,
        "-k",
        "-e",
        f"probe={TYPED_PASSWORD}",
        "--session-logs",
        str(tmp_path / "logs"),
        playbook_text=PROBE_PLAYBOOK,
        inventory_text=ASK_PASS_INVENTORY,
    )
    assert run.code == 2  # logged in with the typed password; the device refused `show X`
    results = json.loads(run.texts["results.json"])
    assert results["steps"][0]["results"][0]["commands"] == ["show ********"]
    assert "K1#show ********" in run.texts["logs/K1.log"]
    assert run.leaks() == []


CONFIGURE_PLAYBOOK = """\
name: Configure
hosts: all
steps:
  - config:
      - snmp-server community {{ snmp_secret }} RO
      - banner motd ^{{ api_token }} {{ probe }}^
"""


def test_cmd_output_json_and_stderr_hold_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lab_factory: Callable[..., Lab]
) -> None:
    """One lab for three runs: a playbook writes secrets (one typed for -k) into the
    configuration, then `cmd` reads it back into a file, and as JSON."""
    names = ("C1", "C2")
    lab = lab_factory([DeviceSpec(n, "netops", TYPED_PASSWORD, secret=SECRET) for n in names])
    hosts = "".join(
        "  {}: {{host: {}, port: {}, vars: {{snmp_secret: {}, api_token: {}}}}}\n".format(
            name, *lab.endpoint(name), SNMP_SECRET, API_TOKEN
        )
        for name in names
    )
    inventory, playbook = tmp_path / "inventory.yml", tmp_path / "configure.yml"
    inventory.write_text(f"defaults: {{username: netops, secret: {SECRET}}}\nhosts:\n{hosts}")
    playbook.write_text(CONFIGURE_PLAYBOOK)
    monkeypatch.setattr(runs.getpass, "getpass", lambda prompt: TYPED_PASSWORD)
    common = ["-i", str(inventory), "-k", "--host-key-policy", "off"]
    code, _ = netplay(["run", str(playbook), *common, "-e", f"probe={TYPED_PASSWORD}"])
    assert code == 0
    output = tmp_path / "output.txt"
    show = ["cmd", "show running-config", *common]
    outcomes = {
        "--output": netplay([*show, "--output", str(output)]),
        "--json": netplay([*show, "--json"]),
        "failing": netplay(["cmd", f"show running-config {TYPED_PASSWORD}", *common]),
    }
    assert [code for code, _ in outcomes.values()] == [0, 0, 2]
    texts = {
        f"{run} {name}": text for run, (_, out) in outcomes.items() for name, text in out.items()
    }
    channels = Channels(0, {**texts, **files_of(tmp_path)})
    assert "banner motd ^C******** ********^C" in output.read_text()
    assert "banner motd ^C******** ********^C" in texts["--json stdout"]
    assert "C2: failed: % Invalid input" in texts["failing stderr"]
    assert output.stat().st_mode & 0o777 == 0o600
    assert channels.leaks() == []


# --- no_log ----------------------------------------------------------------------------------

NO_LOG_WORD = "Private-Lynx-4471"
NO_LOG_PLAYBOOK = f"""\
name: Hidden steps
hosts: all
steps:
  - name: Describe
    config: [interface GigabitEthernet0/2, description {NO_LOG_WORD}]
    no_log: true
  - name: Read
    send: show interfaces description
    register: descriptions
    no_log: true
  - name: Check
    assert:
      that: "'{NO_LOG_WORD}' in descriptions.output"
      success_msg: the description is there
"""


@pytest.mark.usefixtures("env_password")
def test_no_log_steps_show_only_their_status_while_later_steps_read_the_real_result(
    tmp_path: Path,
) -> None:
    run = run_and_collect(tmp_path, "-l", "S1,S2", playbook_text=NO_LOG_PLAYBOOK)
    assert run.code == 0
    for channel in ("stdout", "stderr", "results.json", "results.jsonl"):
        assert NO_LOG_WORD not in run.texts[channel], channel
    steps = json.loads(run.texts["results.json"])["steps"]
    read = steps[1]["results"][0]
    assert (read["status"], read["outputs"], read["commands"]) == ("ok", [HIDDEN], [HIDDEN])
    assert steps[0]["results"][0]["changed"] is True
    assert steps[2]["results"][0]["msg"] == "the description is there"  # saw the real output
    assert HIDDEN in run.texts["stdout"]


# --- files: planted links, modes, one run per results file -----------------------------------


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim.txt"
    path.write_text("untouched\n")
    return path


@pytest.mark.usefixtures("env_password")
@pytest.mark.parametrize("planted", ["results.jsonl", "results.json"])
def test_a_link_planted_at_the_results_or_journal_is_refused_before_the_run(
    tmp_path: Path, victim: Path, planted: str
) -> None:
    (tmp_path / planted).symlink_to(victim)
    inventory, playbook = tmp_path / "inventory.yml", tmp_path / "playbook.yml"
    inventory.write_text(INVENTORY)
    playbook.write_text(PLAYBOOK)
    argv = ["run", str(playbook), "-i", str(inventory), "--lab", "-l", "S1"]
    code, texts = netplay([*argv, "--results", str(tmp_path / "results.json")])
    assert code == 5
    assert f"refusing to write {tmp_path / planted}: it is a symbolic link" in texts["stderr"]
    assert "PLAY" not in texts["stdout"]  # nothing ran
    assert victim.read_text() == "untouched\n"


@pytest.mark.usefixtures("env_password")
def test_a_link_planted_at_a_session_log_fails_that_host_only(tmp_path: Path, victim: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "S2.log").symlink_to(victim)
    run = run_and_collect(tmp_path, "-l", "S1,S2", "--session-logs", str(tmp_path / "logs"))
    rows = json.loads(run.texts["results.json"])["steps"][0]["results"]
    assert rows[0]["status"] == "ok"
    assert rows[1]["status"] == "failed" and "symbolic link" in rows[1]["error"]
    assert victim.read_text() == "untouched\n"
    assert (tmp_path / "logs" / "S1.log").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "results.jsonl").stat().st_mode & 0o777 == 0o600


def test_cmd_refuses_a_link_planted_at_its_output_file(tmp_path: Path, victim: Path) -> None:
    output = tmp_path / "output.txt"
    output.symlink_to(victim)
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(ASK_PASS_INVENTORY.replace("netops}", "netops, password: pw-12345}"))
    argv = ["cmd", "show clock", "-i", str(inventory), "--lab", "--output", str(output)]
    code, texts = netplay(argv)
    assert code == 5 and "it is a symbolic link" in texts["stderr"]
    assert victim.read_text() == "untouched\n"


def test_a_second_run_on_the_same_results_is_refused_before_contacting_a_device(
    tmp_path: Path,
) -> None:
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(
        "hosts:\n  H1: {username: u, password: pw-12345, lab: {hang_on: show clock}}\n"
    )
    first, second = tmp_path / "first.yml", tmp_path / "second.yml"
    first.write_text("name: first\nhosts: all\nsteps:\n  - send: show clock\n")
    second.write_text("name: second\nhosts: all\nsteps:\n  - send: show version\n")
    results = tmp_path / "results.json"
    common = ["-i", str(inventory), "--lab", "--results", str(results)]
    argv = [sys.executable, "-m", "engine", "run", str(first), *common, "--command-timeout", "60"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        try:
            assert process.stdout.readline().startswith("PLAY")  # the journal is open
            code, texts = netplay(["run", str(second), *common])
        finally:
            process.terminate()
            process.communicate(timeout=30)
    assert code == 5
    assert (
        "another netplay run is writing" in texts["stderr"] and "results.jsonl" in texts["stderr"]
    )
    assert "PLAY" not in texts["stdout"]
    assert json.loads(results.read_text())["playbook"] == str(first)
    plays = {
        json.loads(line)["play"] for line in results.with_suffix(".jsonl").read_text().splitlines()
    }
    assert "second" not in plays


# --- device text on the terminal -------------------------------------------------------------

ESCAPES = "x\x1b]0;owned\x07\x1b[2J\x9b1mz"
ESCAPE_PLAYBOOK = """\
name: A file that speaks to terminals
hosts: all
steps:
  - send: more flash:notes.txt
    save_to: notes.txt
"""


def put_file(address: str, port: int, name: str, data: bytes) -> None:
    """Copy a file onto a lab device's flash over SFTP, as an operator might have."""
    transport = paramiko.Transport((address, port))
    try:
        transport.connect(username="netops", password=PASSWORD)
        sftp = paramiko.SFTPClient.from_transport(transport)
        assert sftp is not None
        sftp.putfo(io.BytesIO(data), f"flash:/{name}")
    finally:
        transport.close()


def test_escape_sequences_from_a_device_are_shown_not_obeyed_and_files_keep_them(
    tmp_path: Path, lab_factory: Callable[..., Lab]
) -> None:
    lab = lab_factory([DeviceSpec("S1", "netops", PASSWORD, secret=SECRET)])
    address, port = lab.endpoint("S1")
    put_file(address, port, "notes.txt", ESCAPES.encode() + b"\n")
    inventory = (
        f"defaults: {{username: netops, password: {PASSWORD}, secret: {SECRET}}}\n"
        f"hosts:\n  S1: {{host: {address}, port: {port}}}\n"
    )
    (tmp_path / "inventory.yml").write_text(inventory)
    (tmp_path / "playbook.yml").write_text(ESCAPE_PLAYBOOK)
    results = tmp_path / "results.json"
    argv = ["run", str(tmp_path / "playbook.yml"), "-i", str(tmp_path / "inventory.yml")]
    argv += ["--host-key-policy", "off", "--results", str(results)]
    argv += ["--output-dir", str(tmp_path / "out"), "--command-timeout", "5"]
    code, texts = netplay(argv)
    texts |= files_of(tmp_path)
    assert code == 0, texts
    assert "x^[]0;owned^G^[[2J\\x9b1mz" in texts["stdout"], texts["stdout"]
    for channel in ("stdout", "stderr", "results.json", "results.jsonl"):
        assert not any(c in texts[channel] for c in "\x1b\x07\x9b"), channel
    assert ESCAPES in (tmp_path / "out" / "notes.txt").read_text()  # saved raw
    steps = json.loads(texts["results.json"])["steps"]
    assert ESCAPES in steps[0]["results"][0]["output"]  # JSON escapes, the value is raw
