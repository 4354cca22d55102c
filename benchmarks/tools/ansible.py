"""Ansible: `ansible-playbook` with cisco.ios.ios_command / ios_config over network_cli.

The inventory, `ansible.cfg` and playbook are generated per run; results come from the
`ansible.posix.json` stdout callback. `ios_config` pushes the five W2 lines flat with
`match: none` (always sent, like every other tool; a flat `lines` list with the default
`match: line` would diff the sub-lines against the top level). ios_config still reads
`show running-config` first: that is how the module works.
"""

from __future__ import annotations

from typing import Any

import yaml

from benchmarks.lab import PASSWORD, SECRET, USERNAME
from benchmarks.tools.base import Job, Tool, bench_bin, read_json
from benchmarks.tools.netplay import W2_LINES
from benchmarks.workloads import MGMT_JINJA, SHOW, W2_VERIFY, Outcome, peer_of

W3_LINES = [
    "interface Loopback101",
    "description peer {{ peer }} at " + MGMT_JINJA.replace("OUT", "hostvars[peer].intf.stdout[0]"),
]
CFG = """[defaults]
host_key_checking = False
forks = {forks}
stdout_callback = ansible.posix.json
retry_files_enabled = False
interpreter_python = auto_silent
timeout = 60

[persistent_connection]
connect_timeout = 120
command_timeout = 120

[paramiko_connection]
host_key_auto_add = True
record_host_keys = False
look_for_keys = False
"""


def _show(name: str, command: str, register: str | None = None) -> dict[str, Any]:
    task: dict[str, Any] = {"name": name, "cisco.ios.ios_command": {"commands": [command]}}
    if register:
        task["register"] = register
    return task


def _config(name: str, lines: list[str]) -> dict[str, Any]:
    return {"name": name, "cisco.ios.ios_config": {"lines": lines, "match": "none"}}


def playbook(workload: str) -> list[dict[str, Any]]:
    tasks = [_show("show", SHOW, "intf" if workload == "W3" else None)]
    if workload == "W2":
        tasks += [_config("configure", W2_LINES), _show("verify", W2_VERIFY)]
    elif workload == "W3":
        tasks.append(_config("describe peer", W3_LINES))
    return [
        {"name": f"bench {workload}", "hosts": "routers", "gather_facts": False, "tasks": tasks}
    ]


def inventory(job: Job) -> dict[str, Any]:
    hosts = {
        t.name: {
            "ansible_host": t.address,
            "ansible_port": t.port,
            "idx": t.index,
            "peer": peer_of(t, job.targets).name,
        }
        for t in job.targets
    }
    group_vars = {
        "ansible_connection": "ansible.netcommon.network_cli",
        "ansible_network_os": "cisco.ios.ios",
        "ansible_network_cli_ssh_type": "paramiko",
        "ansible_user": USERNAME,
        "ansible_password": PASSWORD,
        "ansible_become": True,
        "ansible_become_method": "enable",
        "ansible_become_password": SECRET,
    }
    return {"all": {"children": {"routers": {"hosts": hosts, "vars": group_vars}}}}


class Ansible(Tool):
    name = "ansible"
    max_hosts = 30  # tens of seconds per run already at N = 30

    def unavailable(self) -> str | None:
        return None if bench_bin("ansible-playbook") else "`ansible-playbook` is not installed"

    def command(self, job: Job) -> list[str]:
        files = {"playbook.yml": playbook(job.workload), "inventory.yml": inventory(job)}
        for name, data in files.items():
            (job.workdir / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        (job.workdir / "ansible.cfg").write_text(CFG.format(forks=job.forks), encoding="utf-8")
        return [
            bench_bin("ansible-playbook") or "ansible-playbook",
            "-i",
            "inventory.yml",
            "playbook.yml",
            "-e",
            f"tag={job.tag}",
        ]

    def env(self, job: Job) -> dict[str, str]:
        home = job.workdir / ".ansible"  # keep control sockets and temp files in the run dir
        return {
            **super().env(job),
            "ANSIBLE_CONFIG": str(job.workdir / "ansible.cfg"),
            "ANSIBLE_HOME": str(home),
            "ANSIBLE_LOCAL_TEMP": str(home / "tmp"),
            "ANSIBLE_PERSISTENT_CONTROL_PATH_DIR": str(home / "pc"),
            "ANSIBLE_NOCOLOR": "1",
        }

    def outcomes(self, job: Job) -> dict[str, Outcome]:
        data = read_json(job.workdir / "stdout.txt") or {}
        outputs: dict[str, list[str]] = {}
        errors: dict[str, str] = {}
        for play in data.get("plays", []):
            for task in play.get("tasks", []):
                for host, result in task.get("hosts", {}).items():
                    outputs.setdefault(host, []).append(_text(result))
                    if result.get("failed") or result.get("unreachable"):
                        errors.setdefault(host, str(result.get("msg", "failed"))[:300])
        return {
            host: Outcome(host not in errors, tuple(out), errors.get(host))
            for host, out in outputs.items()
        }


def _text(result: dict[str, Any]) -> str:
    """A task's output: a show's stdout, or the config lines ios_config sent."""
    if "stdout" in result:
        return "\n".join(str(s) for s in result["stdout"])
    return "\n".join(str(c) for c in result.get("commands", []))
