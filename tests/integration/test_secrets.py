"""Secrets never leave netplay: every output channel of a run is searched for known secrets.

The inventory holds distinctive passwords, an enable secret and secret-named variables; the
playbook sends them to the devices (a config line, a show command), and faults make hosts
fail with messages that quote what the device echoed. stdout, stderr, the results file, its
journal and the session logs must hold none of them.
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.cli import main
from engine.vault import KEY_VARIABLE, encrypt_text, generate_key

pytestmark = pytest.mark.lab

PASSWORD = "Pw-Caracal-3391"
ENV_PASSWORD = "Pw-Axolotl-8264"
SECRET = "En-Pangolin-1175"
SNMP_SECRET = "Snmp-Ibex-2207"
API_TOKEN = "Tok-Yak-5150"
TACACS_KEY = "Tac-Gnu-7781"
VAULT_PASSWORD = "Vault-Quetzal-4420"
SECRETS = [PASSWORD, ENV_PASSWORD, SECRET, SNMP_SECRET, API_TOKEN, TACACS_KEY, VAULT_PASSWORD]

INVENTORY = f"""\
defaults:
  username: netops
  password: {PASSWORD}
  secret: {SECRET}
  vars:
    snmp_secret: {SNMP_SECRET}
    api_token: {API_TOKEN}
    tacacs_key: {TACACS_KEY}
hosts:
  S1: {{host: 192.168.100.1}}
  S2: {{host: 192.168.100.2, password: "{{{{ env.NETPLAY_TEST_PASSWORD }}}}"}}
  S3: {{host: 192.168.100.3, lab: {{hang_on: show running-config}}}}
  S4: {{host: 192.168.100.4, lab: {{reject: [snmp-server]}}}}
  S5: {{host: 192.168.100.5, lab: {{reject_login: true}}}}
  S6: {{host: 192.168.100.6, lab: {{refuse: true}}}}
  S7: {{host: 192.168.100.7, lab: {{reject: [show]}}}}
  S8: {{host: 192.168.100.8}}
"""
PLAYBOOK = """\
name: Secrets stay inside
hosts: all
steps:
  - name: Community
    config:
      - snmp-server community {{ snmp_secret }} RO
      - banner motd ^{{ api_token }} {{ tacacs_key }}^
  - name: Read it back
    send:
      - show running-config | include {{ snmp_secret }}
      - show {{ api_token }}
"""


@dataclass(frozen=True)
class Channels:
    """Everything a run wrote, by channel name."""

    code: int
    texts: dict[str, str]

    def leaks(self) -> list[str]:
        """`channel: secret` for every secret found anywhere."""
        return [f"{name}: {s}" for name, text in self.texts.items() for s in SECRETS if s in text]


def run_and_collect(folder: Path, *extra: str, playbook_text: str = PLAYBOOK) -> Channels:
    inventory, playbook = folder / "inventory.yml", folder / "playbook.yml"
    inventory.write_text(INVENTORY)
    playbook.write_text(playbook_text)
    results, logs = folder / "results.json", folder / "logs"
    argv = ["run", str(playbook), "-i", str(inventory), "--lab", "--results", str(results)]
    argv += ["--connect-timeout", "2", "--command-timeout", "2", *extra]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    texts = {"stdout": out.getvalue(), "stderr": err.getvalue(), "results": results.read_text()}
    journal = results.with_suffix(".jsonl")
    if journal.exists():
        texts["journal"] = journal.read_text()
    for log in sorted(logs.glob("*")) if logs.is_dir() else []:
        texts[f"session log {log.name}"] = log.read_text(errors="replace")
    return Channels(code, texts)


@pytest.fixture
def env_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETPLAY_TEST_PASSWORD", ENV_PASSWORD)


@pytest.mark.usefixtures("env_password")
def test_no_secret_reaches_stdout_stderr_results_or_journal(tmp_path: Path) -> None:
    run = run_and_collect(tmp_path)
    assert run.code == 3  # S6 is unreachable; the others ran
    assert run.leaks() == []
    results = json.loads(run.texts["results"])
    rows = {
        r["host"]: r for s in results["steps"] for r in s["results"] if s["step"] == "Community"
    }
    # The secrets were really used, and masked where they would have shown:
    assert rows["S1"]["status"] == "ok" and rows["S2"]["status"] == "ok"
    assert rows["S1"]["commands"][0] == "snmp-server community ******** RO"
    assert "snmp-server community ******** RO" in rows["S1"]["output"]
    assert "authentication failed for user 'netops'" in rows["S5"]["error"]
    assert rows["S4"]["error"] == "% Invalid input detected at '^' marker."
    read_back = next(s for s in results["steps"] if s["step"] == "Read it back")
    hung = next(r for r in read_back["results"] if r["host"] == "S3")
    assert "show running-config | include ********" in hung["error"]  # the echo, masked


@pytest.mark.usefixtures("env_password")
def test_session_logs_of_a_run_hold_no_secret(tmp_path: Path) -> None:
    run = run_and_collect(tmp_path, "--session-logs", str(tmp_path / "logs"))
    logs = [name for name in run.texts if name.startswith("session log")]
    assert len(logs) >= 6  # every host that got past the TCP connection
    assert "snmp-server community ******** RO" in run.texts["session log S1.log"]
    assert run.leaks() == []


@pytest.mark.usefixtures("env_password")
def test_a_vault_file_gives_secret_vars_that_are_masked_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = generate_key()
    vault = tmp_path / "secrets.vault.yml"
    vault.write_text(encrypt_text(f"vault_password: {VAULT_PASSWORD}\n", key))
    monkeypatch.setenv(KEY_VARIABLE, key.decode())
    playbook = PLAYBOOK.replace("{{ api_token }}", "{{ vault_password }}")
    run = run_and_collect(tmp_path, "-e", f"@{vault}", playbook_text=playbook)
    assert run.code == 3
    assert "banner motd ^******** ********^" in run.texts["results"]
    assert run.leaks() == []
