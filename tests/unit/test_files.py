"""Files netplay writes: whole or not at all, private (0600), never through a planted link."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.files import (
    FileBusyError,
    FileWriteError,
    atomic_write,
    open_locked,
    open_private,
    write_new,
)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file elsewhere that a planted symbolic link points at."""
    path = tmp_path / "victim.txt"
    path.write_text("untouched\n")
    return path


def test_atomic_write_replaces_the_file_and_leaves_no_temporary_behind(tmp_path: Path) -> None:
    target = tmp_path / "R1.txt"
    target.write_text("old\n")
    atomic_write(target, "new\r\nline\n")
    assert target.read_bytes() == b"new\r\nline\n"
    assert os.listdir(tmp_path) == ["R1.txt"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "R1.txt"
    target.write_text("old\n")
    with pytest.raises(UnicodeEncodeError):
        atomic_write(target, "bad \udc80 surrogate")
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["R1.txt"]


def test_written_files_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "R1.txt"
    target.parent.mkdir()
    previous = os.umask(0)
    try:
        atomic_write(target, b"hostname R1\n")
    finally:
        os.umask(previous)
    assert mode(target) == 0o600


def test_atomic_write_refuses_a_symlink_at_the_target(tmp_path: Path, victim: Path) -> None:
    target = tmp_path / "results.json"
    target.symlink_to(victim)
    with pytest.raises(FileWriteError, match=r"results\.json: it is a symbolic link"):
        atomic_write(target, "secret data\n")
    assert victim.read_text() == "untouched\n" and target.is_symlink()


def test_atomic_write_never_writes_through_a_planted_temporary_name(
    tmp_path: Path, victim: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = iter([b"\x00" * 6, b"\x01" * 6])  # the first name is taken by a planted link
    monkeypatch.setattr(os, "urandom", lambda n: next(names))
    (tmp_path / f".vars.yml.{'00' * 6}.tmp").symlink_to(victim)
    atomic_write(tmp_path / "vars.yml", "plain: text\n")
    assert (tmp_path / "vars.yml").read_text() == "plain: text\n"
    assert victim.read_text() == "untouched\n"


def test_an_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(FileWriteError, match=r"cannot write .*file/x\.json"):
        atomic_write(tmp_path / "file" / "x.json", "{}")


def test_write_new_creates_a_private_file_and_refuses_to_overwrite(
    tmp_path: Path, victim: Path
) -> None:
    key = tmp_path / "vault.key"
    write_new(key, "k\n")
    assert key.read_text() == "k\n" and mode(key) == 0o600
    with pytest.raises(FileWriteError, match="already exists; refusing to overwrite"):
        write_new(key, "other\n")
    link = tmp_path / "link.key"
    link.symlink_to(victim)
    with pytest.raises(FileWriteError, match="already exists"):
        write_new(link, "other\n")
    assert key.read_text() == "k\n" and victim.read_text() == "untouched\n"


def test_open_private_makes_an_existing_file_private_and_empties_it(tmp_path: Path) -> None:
    log = tmp_path / "R1.log"
    log.write_text("old session\n")
    log.chmod(0o644)
    with open_private(log) as stream:
        stream.write(b"new\n")
    assert log.read_text() == "new\n" and mode(log) == 0o600
    with open_private(log, append=True) as stream:
        stream.write(b"more\n")
    assert log.read_text() == "new\nmore\n"


def test_open_private_refuses_a_symlink(tmp_path: Path, victim: Path) -> None:
    log = tmp_path / "R1.log"
    log.symlink_to(victim)
    with pytest.raises(FileWriteError, match=r"R1\.log: it is a symbolic link"):
        open_private(log)
    assert victim.read_text() == "untouched\n"


def test_open_private_refuses_a_file_with_another_name(tmp_path: Path, victim: Path) -> None:
    log = tmp_path / "R1.log"
    os.link(victim, log)
    with pytest.raises(FileWriteError, match="other names"):
        open_private(log)
    assert victim.read_text() == "untouched\n"


def test_a_locked_file_refuses_a_second_writer_and_keeps_the_first_ones_lines(
    tmp_path: Path,
) -> None:
    journal = tmp_path / "run.jsonl"
    with open_locked(journal) as first:
        first.write(b"first run\n")
        first.flush()
        with pytest.raises(FileBusyError, match="being written by another netplay run"):
            open_locked(journal)
        assert journal.read_text() == "first run\n"
    with open_locked(journal) as again:  # free once the first writer is done
        again.write(b"second run\n")
    assert journal.read_text() == "second run\n" and mode(journal) == 0o600


@pytest.mark.parametrize("write", [atomic_write, write_new])
def test_a_file_in_a_missing_folder_is_refused_and_no_folder_is_created(
    tmp_path: Path, write: Callable[[Path, str], None]
) -> None:
    target = tmp_path / "missing" / "dir" / "x.json"
    with pytest.raises(FileWriteError, match="does not exist"):
        write(target, "{}")
    assert not (tmp_path / "missing").exists()
