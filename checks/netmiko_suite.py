"""Run netmiko's own test suite against a simulated device and print a pass/fail table.

netmiko's live-device tests (`tests/test_netmiko_show.py`, `_config`, `_save`,
`_cmd_verify`, `_autodetect`, `_scp`) are what netmiko's maintainers run against real
routers. This script gets them for the installed netmiko version (from its source
distribution on PyPI, or from `--source DIR`, a netmiko checkout or unpacked sdist),
starts `netplay lab serve` for one device in its own process, writes the
`test_devices.yml`, `commands.yml` and `responses.yml` those tests read, runs each module
with pytest and prints one row per module (and the reason of every failure).

    python checks/netmiko_suite.py                 # from the repository root
    python checks/netmiko_suite.py --source ~/src/netmiko --keep

Nothing of netmiko's is kept in this repository; everything goes to a temporary folder
(kept with `--keep`). Only 127.0.0.0/8 is contacted, besides PyPI for the download.
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ElementTree
from importlib.metadata import version
from pathlib import Path

import yaml

MODULES = (
    "test_netmiko_show.py",
    "test_netmiko_config.py",
    "test_netmiko_save.py",
    "test_netmiko_cmd_verify.py",
    "test_netmiko_autodetect.py",
    "test_netmiko_scp.py",
)
DEVICE = "cisco_ios_lab"
HOSTNAME = "lab-ios1"
ADDRESS = "192.0.2.10"  # the inventory address the lab shows; never contacted
FIRST = "127.0.9.1"
_LISTEN_RE = re.compile(r"(\S+)\s+(127\.[\d.]+):(\d+)$")

COMMANDS = {
    "cisco_ios": {
        "version": "show version",
        "basic": "show ip interface brief",
        "wide_command": "show ip access-lists "
        "myverybiglongaccesslistthatdoesntexistandwherethisexceeds80characterssolinewrappingoccurs",
        "extended_output": "show version",
        "config": ["logging buffered 20000", "no logging console", "logging buffered 20010"],
        "config_verification": "show run | inc logging buffer",
        "config_file": "cisco_ios_commands.txt",
        "save_config_confirm": False,
        # a typo the lab refuses as IOS does, and a banner typed in IOS's text mode
        "invalid_config": "lgging buffered 20000",
        "error_pattern": r"% Invalid input detected",
        "banner": "banner login %\nAuthorized access only\n%",
    }
}
RESPONSES = {
    DEVICE: {
        "base_prompt": HOSTNAME,
        "router_prompt": f"{HOSTNAME}>",
        "enable_prompt": f"{HOSTNAME}#",
        "interface_ip": ADDRESS,
        "version_banner": "Cisco IOS Software",
        "multiple_line_output": "Configuration register is",
        "file_check_cmd": "logging buffered 8880",
        "save_config": "OK",
        "scp_remote_space": 1000,
    }
}


def netmiko_tests(source: Path | None, work: Path) -> Path:
    """netmiko's `tests/` folder for the installed version, copied into `work`."""
    if source is None:
        download = work / "sdist"
        pin = f"netmiko=={version('netmiko')}"
        pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary"]
        subprocess.run([*pip, ":all:", pin, "-d", str(download)], check=True)
        archive = next(download.glob("netmiko-*.tar.gz"))
        with tarfile.open(archive) as tar:
            tar.extractall(download, filter="data")
        source = next(p for p in download.iterdir() if p.is_dir())
    target = work / "tests"
    shutil.copytree(source / "tests", target)
    return target


def free_port(address: str) -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        port: int = sock.getsockname()[1]
        return port


def start_lab(work: Path) -> tuple[subprocess.Popen[str], str, int]:
    """`netplay lab serve` for one device; returns the process and where it listens."""
    inventory = work / "inventory.yml"
    inventory.write_text(
        yaml.safe_dump(
            {
                "defaults": {"username": "admin", "password": "lab-pw", "secret": "lab-en"},
                "hosts": {HOSTNAME: {"host": ADDRESS}},
            }
        )
    )
    command = [sys.executable, "-m", "engine", "lab", "serve", "-i", str(inventory)]
    command += ["--port", str(free_port(FIRST)), "--host-key", str(work / "host_key")]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        found = _LISTEN_RE.match(line.strip())
        if found:
            return proc, found.group(2), int(found.group(3))
    raise RuntimeError(f"the lab exited with {proc.wait()}")


def device_params(address: str, port: int) -> dict[str, object]:
    return {
        "device_type": "cisco_ios",
        "ip": address,
        "port": port,
        "username": "admin",
        "password": "lab-pw",
        "secret": "lab-en",
    }


def prepare_device(address: str, port: int) -> None:
    """What netmiko's test devices have: a privilege-15 login (the tests configure SCP
    and read the file system without `enable`)."""
    from netmiko import ConnectHandler

    with ConnectHandler(**device_params(address, port)) as conn:
        conn.enable()
        conn.send_config_set(["username admin privilege 15 secret lab-pw"])


def write_settings(tests: Path, address: str, port: int) -> None:
    device = device_params(address, port)
    etc = tests / "etc"
    (etc / "test_devices.yml").write_text(yaml.safe_dump({DEVICE: device}))
    (etc / "commands.yml").write_text(yaml.safe_dump(COMMANDS))
    (etc / "responses.yml").write_text(yaml.safe_dump(RESPONSES))
    (tests / "pytest.ini").write_text("[pytest]\n")  # none of the project's settings


def run_module(tests: Path, module: str) -> list[tuple[str, str, str]]:
    """(test, outcome, reason) for every test of one module."""
    report = tests / f"{module}.xml"
    command = [sys.executable, "-m", "pytest", module, "--test_device", DEVICE, "-q"]
    command += ["-p", "no:cacheprovider", f"--junitxml={report}", "-o", "junit_family=xunit1"]
    subprocess.run(command, cwd=tests, stdout=subprocess.DEVNULL, timeout=900, check=False)
    results = []
    for case in ElementTree.parse(report).iter("testcase"):
        outcome, reason = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed", "error": "error"}.get(child.tag, "skipped")
                lines = (child.get("message") or "").splitlines()
                reason = next((line.strip() for line in lines if line.strip()), "")[:110]
        results.append((case.get("name", "?"), outcome, reason))
    return results


def table(rows: dict[str, list[tuple[str, str, str]]]) -> str:
    lines = ["| module | passed | failed | skipped |", "|---|---|---|---|"]
    for module, results in rows.items():
        count = {k: sum(1 for r in results if r[1] == k) for k in ("passed", "skipped")}
        failed = sum(1 for r in results if r[1] in ("failed", "error"))
        lines.append(f"| {module} | {count['passed']} | {failed} | {count['skipped']} |")
    total = [r for results in rows.values() for r in results]
    lines.append(
        f"| **total** | {sum(r[1] == 'passed' for r in total)} "
        f"| {sum(r[1] in ('failed', 'error') for r in total)} "
        f"| {sum(r[1] == 'skipped' for r in total)} |"
    )
    notes = [
        f"- {module}::{name}: {outcome}{': ' + reason if reason else ''}"
        for module, results in rows.items()
        for name, outcome, reason in results
        if outcome != "passed"
    ]
    return "\n".join(lines + (["", *notes] if notes else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, help="a netmiko checkout or unpacked sdist")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="netmiko-suite-"))
    lab = None
    try:
        tests = netmiko_tests(args.source, work)
        lab, address, port = start_lab(work)
        prepare_device(address, port)
        write_settings(tests, address, port)
        rows = {module: run_module(tests, module) for module in MODULES}
        print(f"netmiko {version('netmiko')} test suite against netplay's lab ({address}:{port})")
        print(table(rows))
        failed = any(r[1] in ("failed", "error") for results in rows.values() for r in results)
        return 1 if failed else 0
    finally:
        if lab is not None:
            lab.terminate()
            lab.wait(timeout=15)
        if args.keep:
            print(f"work folder: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
