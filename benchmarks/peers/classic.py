"""The classic netmiko scripts: a sequential loop and one thread per device.

Re-implemented from the well-known course chapter: the devices come from a `devices.yaml`
(a group of netmiko connection dicts, read with a safe loader), each device is reached with
`ConnectHandler(**device)`, `enable()`, then `send_command` / `send_config_set`; the threaded
variant starts one `threading.Thread` per device and collects `{ip: result}` through a
`queue.Queue`. W3 needs every host's step-1 output before any step 2, so the threads meet at
a `threading.Barrier` (the sequential loop simply does two passes over open sessions).

    python -m benchmarks.peers.classic {sequential,threads} devices.yaml W1 TAG results.json
"""

from __future__ import annotations

import json
import queue
import sys
import threading
from pathlib import Path
from typing import Any

import yaml
from netmiko import ConnectHandler

from benchmarks.workloads import SHOW, W2_VERIFY, mgmt_address, w2_config, w3_config

Result = dict[str, Any]


def first_pass(
    device: dict[str, Any], workload: str, tag: str, index: int
) -> tuple[Any, list[str]]:
    """Connect, enable, and run everything of the workload that needs no other host."""
    conn = ConnectHandler(**device)
    conn.enable()
    outputs = [str(conn.send_command(SHOW))]
    if workload == "W2":
        outputs.append(str(conn.send_config_set(w2_config(index, tag))))
        outputs.append(str(conn.send_command(W2_VERIFY)))
    return conn, outputs


def second_pass(conn: Any, outputs: list[str], peer_name: str, peer_output: str) -> None:
    """W3 step 2: configure a description quoting the peer's management address."""
    outputs.append(conn.send_config_set(w3_config(peer_name, mgmt_address(peer_output) or "?")))


def run_sequential(
    devices: list[dict[str, Any]], names: list[str], workload: str, tag: str
) -> dict[str, Result]:
    results: dict[str, Result] = {}
    sessions: list[tuple[Any, list[str]]] = []
    for index, device in enumerate(devices):
        try:
            conn, outputs = first_pass(device, workload, tag, index)
        except Exception as exc:  # one bad device must not lose the others
            results[device["ip"]] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            continue
        if workload != "W3":
            conn.disconnect()
        sessions.append((conn, outputs))
        results[device["ip"]] = {"ok": True, "outputs": outputs}
    if workload == "W3" and len(sessions) == len(devices):
        for index, (conn, outputs) in enumerate(sessions):
            peer = (index + 1) % len(sessions)
            second_pass(conn, outputs, names[peer], sessions[peer][1][0])
            conn.disconnect()
    return results


def run_threads(
    devices: list[dict[str, Any]], names: list[str], workload: str, tag: str
) -> dict[str, Result]:
    results: queue.Queue[dict[str, Result]] = queue.Queue()
    firsts: dict[int, str] = {}
    barrier = threading.Barrier(len(devices), timeout=600)
    threads = [
        threading.Thread(
            target=_worker, args=(d, i, names, workload, tag, firsts, barrier, results)
        )
        for i, d in enumerate(devices)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    collected: dict[str, Result] = {}
    while not results.empty():
        collected.update(results.get())
    return collected


def _worker(
    device: dict[str, Any],
    index: int,
    names: list[str],
    workload: str,
    tag: str,
    firsts: dict[int, str],
    barrier: threading.Barrier,
    results: queue.Queue[dict[str, Result]],
) -> None:
    try:
        conn, outputs = first_pass(device, workload, tag, index)
        if workload == "W3":
            firsts[index] = outputs[0]
            barrier.wait()
            peer = (index + 1) % len(names)
            second_pass(conn, outputs, names[peer], firsts[peer])
        conn.disconnect()
        results.put({device["ip"]: {"ok": True, "outputs": outputs}})
    except Exception as exc:  # a failed device is reported, not lost
        if workload == "W3":
            barrier.abort()
        results.put({device["ip"]: {"ok": False, "error": f"{type(exc).__name__}: {exc}"}})


def main(argv: list[str]) -> int:
    mode, devices_file, workload, tag, out = argv
    with open(devices_file, encoding="utf-8") as handle:
        devices = yaml.safe_load(handle)["routers"]
    names = [d.pop("name") for d in devices]  # netmiko takes no `name`; the ip keys the results
    runner = run_sequential if mode == "sequential" else run_threads
    results = runner(devices, names, workload, tag)
    Path(out).write_text(json.dumps(results), encoding="utf-8")
    return 0 if all(r["ok"] for r in results.values()) and len(results) == len(devices) else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
