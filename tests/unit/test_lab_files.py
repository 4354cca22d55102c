"""The simulated flash file system and its exec commands, as IOS prints them."""

from __future__ import annotations

import hashlib

from engine.lab.cli import Session
from engine.lab.device import Device, DeviceSpec
from engine.lab.files import IMAGE, IMAGE_SIZE, Path, parse_path


def session() -> Session:
    device = Device(DeviceSpec("R1", "admin", "pw"))
    device.flash.write("test9.txt", b"no logging console\n")
    lab_session = Session(device, "admin")
    lab_session.handle("enable")
    return lab_session


def test_device_paths_take_every_spelling_ios_accepts() -> None:
    assert parse_path("flash:/test9.txt") == Path("flash", "test9.txt")
    assert parse_path("flash:test9.txt") == Path("flash", "test9.txt")
    assert parse_path("flash0:") == Path("flash", "")
    assert parse_path("/flash:/x.bin") == Path("flash", "x.bin")
    assert parse_path("nvram:startup-config") == Path("nvram", "startup-config")


def test_paths_outside_the_device_are_refused() -> None:
    for text in ("/etc/passwd", "flash:/../x", "flash:/a/b", "../x", "flash:/x y"):
        assert parse_path(text) is None, text


def test_dir_lists_the_image_and_copied_files_with_free_space() -> None:
    output = session().handle("dir flash:").output
    lines = output.splitlines()
    assert lines[0] == "Directory of flash:/"
    assert lines[2].split()[:3] == ["1", "-rw-", str(IMAGE_SIZE)]
    assert lines[2].endswith(f"  {IMAGE}")
    assert lines[3].split()[2] == "19" and lines[3].endswith("  test9.txt")
    assert lines[-1].startswith("2147483648 bytes total (") and lines[-1].endswith(" bytes free)")


def test_dir_of_one_file_and_of_a_missing_one() -> None:
    lab = session()
    assert lab.handle("dir flash:/test9.txt").output.startswith("Directory of flash:/test9.txt\n")
    assert lab.handle("dir flash:/nope.txt").output == (
        "%Error opening flash:/nope.txt (No such file or directory)\n"
    )


def test_show_flash_is_dir() -> None:
    lab = session()
    assert lab.handle("show flash:").output == lab.handle("dir flash:").output


def test_verify_md5_prints_the_real_sum() -> None:
    output = session().handle("verify /md5 flash:/test9.txt").output
    assert output.endswith(
        "Done!\nverify /md5 (flash:/test9.txt) = d8df36973ff832b564ad84642d07a261\n\n"
    )


def test_the_image_has_a_real_sum_of_its_size() -> None:
    output = session().handle(f"verify /md5 flash:{IMAGE}").output
    assert output.split(" = ")[1].strip() == hashlib.md5(bytes(IMAGE_SIZE)).hexdigest()


def test_delete_asks_the_name_then_confirms() -> None:
    lab = session()
    assert lab.handle("delete flash:/test9.txt").output == "Delete filename [test9.txt]? "
    assert lab.handle("").output == "Delete flash:/test9.txt? [confirm]"
    assert lab.handle("y").output == ""
    assert "test9.txt" not in lab.handle("dir flash:").output


def test_delete_answered_no_keeps_the_file() -> None:
    lab = session()
    lab.handle("delete flash:test9.txt")
    lab.handle("")
    lab.handle("n")
    assert "test9.txt" in lab.handle("dir flash:").output


def test_deleting_a_missing_file_is_an_error() -> None:
    lab = session()
    lab.handle("delete flash:/nope.txt")
    lab.handle("")
    assert lab.handle("").output == "%Error deleting flash:/nope.txt (No such file or directory)\n"


def test_more_shows_a_file_and_nvram_holds_the_startup_config() -> None:
    lab = session()
    assert lab.handle("more flash:/test9.txt").output == "no logging console\n"
    assert "hostname R1" in lab.handle("more nvram:startup-config").output


def test_file_commands_need_enable() -> None:
    device = Device(DeviceSpec("R1", "admin", "pw"))
    assert "Invalid input" in Session(device, "admin").handle("dir flash:").output


def test_terminal_length_and_width_are_recorded_by_the_session() -> None:
    lab = session()
    lab.handle("terminal length 0")
    lab.handle("terminal width 511")
    assert (lab.terminal.length, lab.terminal.width) == (0, 511)
