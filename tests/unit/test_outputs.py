"""save_to paths stay inside the output directory; host blocks are headed like the device."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.outputs import OutputPathError, combine, host_block, resolve


@pytest.mark.parametrize("relative", ["../x", "a/../../x", "sub/../../out2/x"])
def test_paths_that_climb_out_are_rejected(tmp_path: Path, relative: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(OutputPathError, match=f"save_to path '{relative}' escapes"):
        resolve(out, relative)
    assert not (tmp_path / "x").exists()


def test_the_error_names_the_output_directory_as_given() -> None:
    with pytest.raises(OutputPathError) as caught:
        resolve(Path("out"), "../x")
    assert str(caught.value) == "save_to path '../x' escapes the output directory out/"


def test_absolute_paths_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(OutputPathError, match="'/etc/passwd' is absolute"):
        resolve(tmp_path, "/etc/passwd")


def test_a_symlink_inside_that_points_outside_is_rejected(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "link").symlink_to(elsewhere)
    with pytest.raises(OutputPathError, match="through a symbolic link"):
        resolve(out, "link/R1.txt")
    with pytest.raises(OutputPathError, match="through a symbolic link"):
        resolve(out, "link/../R1.txt")  # `..` after a link climbs from the link's target


def test_a_symlink_that_stays_inside_is_followed(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    assert resolve(tmp_path, "alias/R1.txt") == (tmp_path / "real" / "R1.txt").resolve()


def test_a_symlink_at_the_files_own_name_is_refused_even_when_it_stays_inside(
    tmp_path: Path,
) -> None:
    (tmp_path / "keep.yml").write_text("kept\n")
    (tmp_path / "saved.txt").symlink_to("keep.yml")
    with pytest.raises(OutputPathError) as caught:
        resolve(tmp_path, "saved.txt")
    assert str(caught.value) == (
        "save_to path 'saved.txt' is a symbolic link; netplay never writes through one"
    )


def test_a_nested_relative_path_is_accepted_and_its_directories_created(tmp_path: Path) -> None:
    target = resolve(tmp_path / "out", "sub/dir/R1.txt")
    assert target == (tmp_path / "out" / "sub" / "dir" / "R1.txt").resolve()
    assert target.parent.is_dir()
    assert not target.exists()


@pytest.mark.parametrize("relative", ["", "  ", ".", "sub/..", "a\0b"])
def test_paths_that_name_no_file_are_rejected(tmp_path: Path, relative: str) -> None:
    with pytest.raises(OutputPathError):
        resolve(tmp_path, relative)


def test_an_existing_directory_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    with pytest.raises(OutputPathError, match="is a directory"):
        resolve(tmp_path, "sub")


def test_host_block_heads_each_output_with_prompt_and_command() -> None:
    block = host_block("R1", None, ["show clock", "show users"], ["*10:01 UTC", "none\n"])
    assert block == "R1#show clock\n*10:01 UTC\nR1#show users\nnone\n"
    assert host_block("R1", "core-1#", ["show clock"], [""]) == "core-1#show clock\n"


def test_host_block_leaves_out_commands_that_never_ran() -> None:
    assert host_block("R1", None, ["show a", "show b"], ["A"]) == "R1#show a\nA\n"
    with pytest.raises(ValueError, match="2 outputs for 1 commands"):
        host_block("R1", None, ["show a"], ["A", "B"])


def test_combine_keeps_order_and_skips_hosts_without_output() -> None:
    blocks = [host_block(h, None, ["show clock"], [f"{h} time"]) for h in ("R2", "R1")]
    text = combine([blocks[0], "", blocks[1]])
    assert text == "R2#show clock\nR2 time\n\nR1#show clock\nR1 time\n"
