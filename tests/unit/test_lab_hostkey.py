"""The lab's host key file: created once, private, reused, never read through a link."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from engine.lab import hostkey


def test_the_key_is_created_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "state" / "netplay" / "lab_host_key"
    first = hostkey.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    second = hostkey.load_or_create(path)
    assert hostkey.fingerprint(first) == hostkey.fingerprint(second)
    assert hostkey.fingerprint(first).startswith("SHA256:")


def test_a_symbolic_link_is_not_followed(tmp_path: Path) -> None:
    real = tmp_path / "real"
    hostkey.load_or_create(real)
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(OSError):
        hostkey.load_or_create(link)


def test_a_file_without_a_key_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_text("not a key\n")
    with pytest.raises(ValueError, match="key"):
        hostkey.load_or_create(path)


def test_the_default_place_is_the_users_state_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", "/somewhere/state")
    assert hostkey.default_path() == Path("/somewhere/state/netplay/lab_host_key")
    monkeypatch.delenv("XDG_STATE_HOME")
    assert hostkey.default_path() == Path.home() / ".local/state/netplay/lab_host_key"
