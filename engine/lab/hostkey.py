"""The lab's SSH host key: one ed25519 key for every device, kept from one start to the next.

A client that remembers host keys (`accept-new`, OpenSSH's default) would otherwise see
"host key changed" for every device each time the lab restarts. The key lives in the
user's state folder unless the caller names another file; it is created readable by its
owner only and never read through a symbolic link.
"""

from __future__ import annotations

import os
from pathlib import Path

import asyncssh

from engine.files import FileWriteError, write_new

KEY_TYPE = "ssh-ed25519"


def default_path() -> Path:
    """`$XDG_STATE_HOME/netplay/lab_host_key` (`~/.local/state/...` when unset)."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "netplay" / "lab_host_key"


def generate() -> asyncssh.SSHKey:
    """A fresh key, for a lab that does not keep one."""
    return asyncssh.generate_private_key(KEY_TYPE)


def load_or_create(path: Path) -> asyncssh.SSHKey:
    """The key stored at `path`, created there (0600, folder 0700) on first use.

    OSError or FileWriteError when the file cannot be read or written, ValueError when it
    holds no key.
    """
    try:
        return _load(path)
    except FileNotFoundError:
        pass
    key = generate()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        write_new(path, key.export_private_key())
    except FileWriteError:
        if not path.exists():
            raise
        return _load(path)  # another lab created it first: both serve that one
    return key


def _load(path: Path) -> asyncssh.SSHKey:
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read()
    try:
        return asyncssh.import_private_key(data)
    except (asyncssh.KeyImportError, ValueError) as exc:
        raise ValueError(f"{path} holds no usable private key ({exc})") from exc


def fingerprint(key: asyncssh.SSHKey) -> str:
    """`SHA256:...`, as `ssh-keygen -l` and OpenSSH's prompts show it."""
    text: str = key.get_fingerprint("sha256")
    return text
