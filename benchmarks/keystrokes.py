"""What per-keystroke echo costs the lab: N sessions typing a command one key at a time.

    python -m benchmarks.keystrokes --hosts 500 --out benchmarks/results/keystrokes.md

Starts `netplay lab serve` for N devices in its own process, opens one interactive session
per device (asyncssh, in this process, at most `--connect-at-once` logins at a time), then
in every session at once types `show ip interface brief` one key at a time, waiting for
each key's echo before the next, and Enter, waiting for the prompt. Reported: how long
the lab takes to start N listeners (in process), the lab's CPU time per keystroke (from
/proc, while only typing happens), keystrokes echoed per second, and echo latency.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncssh
import yaml

COMMAND = "show ip interface brief"
_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def start_time(count: int) -> float:
    """Seconds `Lab.start()` takes for `count` devices (in this process)."""
    from engine.lab import DeviceSpec, Lab

    lab = Lab(
        [DeviceSpec(f"r{n:03d}", "admin", "pw") for n in range(count)], first_address="127.0.20.1"
    )
    started = time.perf_counter()
    lab.start()
    elapsed = time.perf_counter() - started
    lab.stop()
    return elapsed


def serve(count: int, work: Path) -> tuple[subprocess.Popen[str], list[tuple[str, int]]]:
    hosts = {f"r{n:03d}": {} for n in range(count)}
    inventory = work / "inventory.yml"
    inventory.write_text(
        yaml.safe_dump({"defaults": {"username": "admin", "password": "pw"}, "hosts": hosts})
    )
    command = [sys.executable, "-m", "engine", "lab", "serve", "-i", str(inventory)]
    command += ["--port", "2299", "--host-key", str(work / "key")]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    endpoints = []
    for line in proc.stdout:
        if line.startswith("host key"):
            return proc, endpoints
        address, port = line.split()[1].split(":")
        endpoints.append((address, int(port)))
    raise RuntimeError("the lab exited early")


class Typist:
    """One interactive session that types a key and waits for its echo."""

    def __init__(
        self, conn: asyncssh.SSHClientConnection, process: asyncssh.SSHClientProcess[str]
    ) -> None:
        self.conn, self.process, self.seen = conn, process, ""
        self.latencies: list[float] = []

    async def until(self, text: str) -> None:
        while text not in self.seen:
            self.seen += await self.process.stdout.read(4096)
        self.seen = self.seen.split(text, 1)[1]

    async def type_command(self) -> None:
        for key in COMMAND:
            sent = time.perf_counter()
            self.process.stdin.write(key)
            await self.until(key)
            self.latencies.append(time.perf_counter() - sent)
        self.process.stdin.write("\r")
        await self.until(">")


async def open_session(address: str, port: int, gate: asyncio.Semaphore) -> Typist:
    async with gate:
        conn = await asyncssh.connect(
            address,
            port,
            username="admin",
            password="pw",
            known_hosts=None,
            client_keys=None,
            agent_path=None,
        )
        process = await conn.create_process(term_type="vt100", term_size=(80, 24))
        typist = Typist(conn, process)
        await typist.until(">")
        return typist


async def measure(endpoints: list[tuple[str, int]], lab_pid: int, at_once: int) -> dict[str, float]:
    gate = asyncio.Semaphore(at_once)
    typists = await asyncio.gather(*(open_session(a, p, gate) for a, p in endpoints))
    cpu_before, wall_before = cpu_seconds(lab_pid), time.perf_counter()
    await asyncio.gather(*(t.type_command() for t in typists))
    wall = time.perf_counter() - wall_before
    cpu = cpu_seconds(lab_pid) - cpu_before
    for typist in typists:
        typist.conn.close()
    keys = len(typists) * (len(COMMAND) + 1)
    latencies = sorted(x for t in typists for x in t.latencies)
    return {
        "sessions": len(typists),
        "keystrokes": keys,
        "wall_s": wall,
        "lab_cpu_s": cpu,
        "lab_cpu_us_per_key": cpu / keys * 1e6,
        "keys_per_s": keys / wall,
        "echo_median_ms": statistics.median(latencies) * 1e3,
        "echo_p99_ms": latencies[int(len(latencies) * 0.99)] * 1e3,
    }


def report(count: int, started: float, result: dict[str, float]) -> str:
    return "\n".join(
        [
            "| N | lab start | sessions | keystrokes | lab CPU per key | keys/s "
            "| echo median | echo p99 |",
            "|---|---|---|---|---|---|---|---|",
            f"| {count} | {started:.2f} s | {result['sessions']:.0f} | {result['keystrokes']:.0f} "
            f"| {result['lab_cpu_us_per_key']:.0f} µs | {result['keys_per_s']:.0f} "
            f"| {result['echo_median_ms']:.1f} ms | {result['echo_p99_ms']:.1f} ms |",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=500)
    parser.add_argument("--connect-at-once", type=int, default=50)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    started = start_time(args.hosts)
    with tempfile.TemporaryDirectory(prefix="keystrokes-") as folder:
        proc, endpoints = serve(args.hosts, Path(folder))
        try:
            result = asyncio.run(measure(endpoints, proc.pid, args.connect_at_once))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    table = report(args.hosts, started, result)
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
