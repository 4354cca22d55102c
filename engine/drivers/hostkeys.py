"""Host key checking against an OpenSSH known_hosts file, shared by every session of a run.

Policies (`ConnectionSettings.host_key_policy`):

- ``accept-new`` (default): a host whose key is not in the file is trusted and its key
  appended to the file; a host whose key differs from the file's is refused.
- ``strict``: only hosts already in the file are accepted.
- ``off``: nothing is checked or written (the simulated lab makes new keys at each start).

The file is read once per run and indexed; hundreds of sessions then look up and append
under one lock. Plain and hashed (``|1|salt|hash``) host entries are understood; marker
lines (``@cert-authority``, ``@revoked``) and wildcard patterns are not, and are skipped.
paramiko checks the key before it sends any credential, so a refused host never sees the
password.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import threading
from pathlib import Path
from typing import Any

import paramiko
from paramiko.hostkeys import HostKeyEntry, InvalidHostKey

from engine.drivers import HostKeyPolicy


class HostKeyRefused(paramiko.SSHException):  # type: ignore[misc]  # paramiko is untyped
    """A host key that the policy does not accept: unknown (strict) or changed."""


def known_name(address: str, port: int) -> str:
    """How known_hosts names a host: `address`, or `[address]:port` off port 22."""
    return address if port == 22 else f"[{address}]:{port}"


class KnownHosts:
    """The keys of one known_hosts file, read once, appended to under a lock.

    The file is read again only when something else changed it (its size or time moved).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._plain: dict[str, list[paramiko.PKey]] = {}
        self._hashed: list[tuple[bytes, bytes, paramiko.PKey]] = []  # salt, digest, key
        self._seen: tuple[int, int] | None = None  # (mtime_ns, size) when last read

    def keys_for(self, name: str) -> list[paramiko.PKey]:
        """Every key the file holds for `name` (plain or hashed entries)."""
        with self._lock:
            self._load()
            return self._lookup(name)

    def _lookup(self, name: str) -> list[paramiko.PKey]:
        found = list(self._plain.get(name, ()))
        for salt, digest, key in self._hashed:
            mac = hmac.new(salt, name.encode(), hashlib.sha1).digest()
            if hmac.compare_digest(mac, digest):
                found.append(key)
        return found

    def _stat(self) -> tuple[int, int]:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return (0, 0)
        return (info.st_mtime_ns, info.st_size)

    def _load(self) -> None:
        stat = self._stat()
        if stat == self._seen:
            return
        self._plain, self._hashed, self._seen = {}, [], stat
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return
        for number, line in enumerate(text.splitlines(), 1):
            entry = _entry(line.strip(), number)
            if entry is not None:
                self._index(entry.hostnames, entry.key)

    def _index(self, names: list[str], key: paramiko.PKey) -> None:
        for name in names:
            if name.startswith("|1|"):
                salt, _, digest = name[3:].partition("|")
                with contextlib.suppress(ValueError):  # a damaged hash matches nothing
                    self._hashed.append((base64.b64decode(salt), base64.b64decode(digest), key))
            else:
                self._plain.setdefault(name, []).append(key)

    def accept(self, name: str, key: paramiko.PKey, *, add: bool) -> None:
        """Accept `key` for `name` if known; else remember it (`add`) or refuse it."""
        with self._lock:
            self._load()
            known = self._lookup(name)
            if any(_same(k, key) for k in known):
                return
            if known:
                raise HostKeyRefused(changed_message(name, key, known[0], self.path))
            if not add:
                raise HostKeyRefused(
                    f"host key for {name} ({_describe(key)}) is not in {self.path} "
                    "and the host key policy is strict"
                )
            self._append(name, key)

    def _append(self, name: str, key: paramiko.PKey) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        line = f"{name} {key.get_name()} {key.get_base64()}\n"
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
        fd = os.open(self.path, flags, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            if handle.tell() > 0 and not self._ends_with_newline():
                line = "\n" + line
            handle.write(line)  # one small O_APPEND write: other writers cannot split it
        self._plain.setdefault(name, []).append(key)
        self._seen = self._stat()  # our own write is already indexed

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"


def changed_message(name: str, got: paramiko.PKey, expected: paramiko.PKey, path: Path) -> str:
    """The error for a changed key: what was offered, what was expected, what to do."""
    return (
        f"host key for {name} changed: it offered {_describe(got)}, {path} has "
        f"{_describe(expected)}; if the device was replaced, remove its line from {path}"
    )


def _same(a: paramiko.PKey, b: paramiko.PKey) -> bool:
    return bool(a.get_name() == b.get_name() and a.asbytes() == b.asbytes())


def _describe(key: paramiko.PKey) -> str:
    return f"{key.get_name()} {key.fingerprint}"


def _entry(line: str, number: int) -> HostKeyEntry | None:
    """One known_hosts line, or None for comments, markers and lines paramiko cannot read."""
    if not line or line.startswith(("#", "@")):
        return None
    try:
        entry: HostKeyEntry | None = HostKeyEntry.from_line(line, number)
    except (InvalidHostKey, paramiko.SSHException, ValueError, TypeError):
        return None
    return entry


class _Policy(paramiko.MissingHostKeyPolicy):  # type: ignore[misc]  # paramiko is untyped
    """paramiko's hook for a key it does not know: defer to the shared file."""

    def __init__(self, known: KnownHosts, add: bool) -> None:
        self._known = known
        self._add = add

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: Any) -> None:
        self._known.accept(hostname, key, add=self._add)


class HostKeyChecker:
    """What a netmiko session needs to check keys: an SSH client and a missing-key policy."""

    def __init__(self, known: KnownHosts, policy: HostKeyPolicy) -> None:
        self.known = known
        self.policy = _Policy(known, add=policy == "accept-new")

    def client(self, address: str, port: int) -> paramiko.SSHClient:
        """A client that already knows this host's keys, so paramiko itself negotiates
        a known key type and refuses a changed key before authenticating."""
        client = paramiko.SSHClient()
        name = known_name(address, port)
        for key in self.known.keys_for(name):
            client.get_host_keys().add(name, key.get_name(), key)
        client.set_missing_host_key_policy(self.policy)
        return client


_REGISTRY: dict[Path, KnownHosts] = {}
_REGISTRY_LOCK = threading.Lock()


def known_hosts(path: Path) -> KnownHosts:
    """The one `KnownHosts` of `path` in this process, so every session shares its lock."""
    resolved = path.expanduser().resolve()
    with _REGISTRY_LOCK:
        if resolved not in _REGISTRY:
            _REGISTRY[resolved] = KnownHosts(resolved)
        return _REGISTRY[resolved]
