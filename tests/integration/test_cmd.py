"""The seed scenario as a one-liner: `netplay cmd "sh ip int br" -i devices.yaml --lab`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli import main

PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"
DEVICES = PLAYBOOKS / "devices.yaml"
ADDRESSES = ["192.168.100.1", "192.168.100.2", "192.168.100.3"]


def test_json_lists_each_device_with_its_own_output_in_inventory_order(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["cmd", "sh ip int br", "-i", str(DEVICES), "--lab", "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [next(iter(row)) for row in rows] == ADDRESSES
    for row, address in zip(rows, ADDRESSES, strict=True):
        output = row[address]
        # each device answers with its own interface table, its management address included
        assert output.startswith("Interface") and address in output
    assert len({row[a] for row, a in zip(rows, ADDRESSES, strict=True)}) == 3


def test_output_file_has_one_prompt_and_command_block_per_device(tmp_path: Path) -> None:
    out = tmp_path / "all.txt"
    assert (
        main(["cmd", "sh ip int br", "sh clock", "-i", str(DEVICES), "--lab", "--output", str(out)])
        == 0
    )
    text = out.read_text()
    heads = [line for line in text.splitlines() if "#sh " in line]
    assert (
        heads == [f"{h}#{c}" for h in ("R1", "R2", "R3") for c in ("sh ip int br", "sh clock")]
        or len(heads) == 6
    )
    assert text.index("sh ip int br") < text.index("sh clock")


def test_an_unreachable_device_is_reported_and_the_others_still_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    devices = tmp_path / "devices.yaml"
    devices.write_text(DEVICES.read_text() + "  lab: {refuse: true}\n")
    code = main(
        ["cmd", "show clock", "-i", str(devices), "--lab", "--json", "--connect-timeout", "3"]
    )
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    assert code == 3
    assert rows[2] == {"192.168.100.3": None}
    assert all(rows[i][ADDRESSES[i]] for i in (0, 1))
    assert "192.168.100.3: unreachable" in captured.err
    assert "cisco" not in captured.err  # the password never shows


def test_a_plain_list_of_netmiko_devices_works_as_an_inventory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    devices = tmp_path / "list.yaml"
    devices.write_text(
        "".join(
            f"- {{device_type: cisco_ios, ip: {address}, username: cisco, password: cisco}}\n"
            for address in ADDRESSES[:2]
        )
    )
    code = main(["cmd", "show clock", "-i", str(devices), "--lab", "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [next(iter(row)) for row in rows] == ADDRESSES[:2]
    assert all(row[address] for row, address in zip(rows, ADDRESSES, strict=False))
