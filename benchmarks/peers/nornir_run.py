"""Nornir 3 with nornir_netmiko, driven as its users write it.

`InitNornir(config_file=...)` with a SimpleInventory (hosts/groups/defaults files) and the
threaded runner (`num_workers` = forks); the steps are `netmiko_send_command` /
`netmiko_send_config` tasks run with `nr.run`. Connections stay open between `nr.run`
calls, so W3's second step reuses the sessions of the first.

    python -m benchmarks.peers.nornir_run config.yaml W1 TAG results.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from nornir import InitNornir
from nornir.core.task import AggregatedResult, MultiResult, Result, Task
from nornir_netmiko import netmiko_send_command, netmiko_send_config  # type: ignore[import-untyped]

from benchmarks.workloads import SHOW, W2_VERIFY, mgmt_address, w2_config, w3_config


def runbook(task: Task, tag: str) -> Result:
    """W2 on one host: show, the five config lines, show the result."""
    task.run(netmiko_send_command, command_string=SHOW, enable=True)
    task.run(netmiko_send_config, config_commands=w2_config(task.host["index"], tag))
    task.run(netmiko_send_command, command_string=W2_VERIFY, enable=True)
    return Result(host=task.host)


def describe_peer(task: Task, firsts: dict[str, str], order: list[str]) -> Result:
    """W3 step 2: a description quoting the next host's management address."""
    peer = order[(order.index(task.host.name) + 1) % len(order)]
    lines = w3_config(peer, mgmt_address(firsts.get(peer, "")) or "?")
    task.run(netmiko_send_config, config_commands=lines)
    return Result(host=task.host)


def outputs_of(multi: MultiResult) -> list[str]:
    """The task outputs of one host (a grouped task's sub-results, else the task's own)."""
    results = list(multi)[1:] if len(multi) > 1 else list(multi)
    return [str(r.result) for r in results]


def collect(results: dict[str, dict[str, Any]], agg: AggregatedResult) -> None:
    for name, multi in agg.items():
        entry = results.setdefault(name, {"ok": True, "outputs": []})
        if multi.failed:
            entry["ok"] = False
            errors = [r.exception for r in multi if r.exception is not None]
            entry["error"] = f"{type(errors[-1]).__name__}: {errors[-1]}" if errors else "failed"
        else:
            entry["outputs"].extend(outputs_of(multi))


def main(argv: list[str]) -> int:
    config_file, workload, tag, out = argv
    nr = InitNornir(config_file=config_file)
    results: dict[str, dict[str, Any]] = {}
    try:
        if workload == "W1":
            collect(results, nr.run(netmiko_send_command, command_string=SHOW, enable=True))
        elif workload == "W2":
            collect(results, nr.run(runbook, tag=tag))
        else:
            first = nr.run(netmiko_send_command, command_string=SHOW, enable=True)
            collect(results, first)
            firsts = {name: str(m[0].result) for name, m in first.items() if not m.failed}
            order = list(nr.inventory.hosts)
            collect(results, nr.run(describe_peer, firsts=firsts, order=order))
    finally:
        nr.close_connections()
    Path(out).write_text(json.dumps(results), encoding="utf-8")
    return 0 if all(r["ok"] for r in results.values()) else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
